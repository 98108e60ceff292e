import { Errors } from './errors';

/**
 * Runs at most `maxConcurrent` tasks at once with a bounded FIFO queue behind them; past the
 * queue the caller gets 503 BUSY with Retry-After instead of piling up memory (argon2 takes
 * ~19 MiB per hash).
 */
export class BoundedConcurrency {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(
    private readonly maxConcurrent: number,
    private readonly queueLimit: number,
  ) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.maxConcurrent) {
      if (this.waiting.length >= this.queueLimit) throw Errors.busy(1);
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.running += 1;
    }
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      // Hand the slot straight to the next waiter; otherwise free it.
      if (next) next();
      else this.running -= 1;
    }
  }
}
