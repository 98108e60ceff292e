/**
 * Collects the calls of one event-loop turn under their keys and hands them over together on the
 * next turn (setImmediate), at most `maxBatch` keys at a time: one round trip for all of them.
 * The guard's reads use it (SessionSnapshots, SessionStateCache). A key called twice in a turn
 * is handed over once, with both waiters.
 */
export class TurnBatch<Waiter> {
  /** Calls for the next hand-over; one is scheduled exactly while this is not empty. */
  private waiting = new Map<string, Waiter[]>();

  constructor(
    private readonly maxBatch: number,
    private readonly handOver: (keys: string[], waiters: Map<string, Waiter[]>) => void,
  ) {}

  add(key: string, waiter: Waiter): void {
    if (this.waiting.size === 0) setImmediate(() => this.flush());
    const waiters = this.waiting.get(key);
    if (waiters) waiters.push(waiter);
    else this.waiting.set(key, [waiter]);
  }

  private flush(): void {
    const batch = this.waiting;
    this.waiting = new Map();
    const keys = [...batch.keys()];
    for (let start = 0; start < keys.length; start += this.maxBatch) {
      this.handOver(keys.slice(start, start + this.maxBatch), batch);
    }
  }
}
