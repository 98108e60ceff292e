import { BoundedConcurrency } from './bounded-concurrency';
import { DomainError } from './errors';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('BoundedConcurrency', () => {
  it('runs at most maxConcurrent tasks at once and queues the rest in order', async () => {
    const limiter = new BoundedConcurrency(2, 10);
    const gates = [deferred(), deferred(), deferred()];
    let running = 0;
    let peak = 0;
    const order: number[] = [];
    const tasks = gates.map((gate, index) =>
      limiter.run(async () => {
        running += 1;
        peak = Math.max(peak, running);
        order.push(index);
        await gate.promise;
        running -= 1;
      }),
    );
    await Promise.resolve();
    expect(order).toEqual([0, 1]);
    gates[0].resolve();
    gates[1].resolve();
    gates[2].resolve();
    await Promise.all(tasks);
    expect(order).toEqual([0, 1, 2]);
    expect(peak).toBe(2);
  });

  it('answers 503 BUSY with Retry-After once the queue is full', async () => {
    const limiter = new BoundedConcurrency(1, 1);
    const gate = deferred();
    const first = limiter.run(() => gate.promise);
    const second = limiter.run(async () => 'queued');
    await expect(limiter.run(async () => 'refused')).rejects.toMatchObject({
      status: 503,
      code: 'BUSY',
      extra: { retryAfterSeconds: 1 },
    });
    await expect(limiter.run(async () => 'x')).rejects.toBeInstanceOf(DomainError);
    gate.resolve();
    await first;
    await expect(second).resolves.toBe('queued');
    await expect(limiter.run(async () => 'free again')).resolves.toBe('free again');
  });

  it('frees the slot when a task fails', async () => {
    const limiter = new BoundedConcurrency(1, 0);
    await expect(limiter.run(async () => Promise.reject(new Error('boom')))).rejects.toThrow(
      'boom',
    );
    await expect(limiter.run(async () => 'ok')).resolves.toBe('ok');
  });
});
