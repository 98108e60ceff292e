import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { RedisConnection, withinCommandTimeout } from '../redis/redis.module';

export interface Hit {
  count: number;
  /** Milliseconds until the window closes. */
  resetMs: number;
}

/** Fixed-window counters and blocks, in memory or shared through Redis. */
interface Counters {
  hit(key: string, windowMs: number): Promise<Hit>;
  block(key: string, ms: number): Promise<void>;
  blockedFor(key: string): Promise<number>;
  clear(keys: string[]): Promise<void>;
}

class MemoryCounters implements Counters {
  private readonly entries = new Map<string, { count: number; expiresAt: number }>();
  private readonly sweeper = setInterval(() => this.sweep(), 60_000).unref();

  async hit(key: string, windowMs: number): Promise<Hit> {
    const now = Date.now();
    let entry = this.entries.get(key);
    if (!entry || entry.expiresAt <= now) {
      entry = { count: 0, expiresAt: now + windowMs };
      this.entries.set(key, entry);
    }
    entry.count += 1;
    return { count: entry.count, resetMs: entry.expiresAt - now };
  }

  async block(key: string, ms: number): Promise<void> {
    this.entries.set(key, { count: 1, expiresAt: Date.now() + ms });
  }

  async blockedFor(key: string): Promise<number> {
    const entry = this.entries.get(key);
    return entry ? Math.max(0, entry.expiresAt - Date.now()) : 0;
  }

  async clear(keys: string[]): Promise<void> {
    for (const key of keys) this.entries.delete(key);
  }

  stop(): void {
    clearInterval(this.sweeper);
  }

  private sweep(): void {
    const now = Date.now();
    for (const [key, entry] of this.entries) if (entry.expiresAt <= now) this.entries.delete(key);
  }
}

// INCR and set the window's expiry on the first hit, atomically.
const HIT_SCRIPT = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {count, ttl}`;

/**
 * Counters for rate limits, login back-off and mail caps. With REDIS_URL they live in Redis and
 * every instance shares them; if Redis fails, a request falls back to this instance's memory
 * (logged) rather than failing.
 */
@Injectable()
export class CounterStore implements OnModuleDestroy {
  private readonly local = new MemoryCounters();

  constructor(private readonly redis: RedisConnection) {
    // Run by SHA (EVALSHA), loaded once per connection, like the session cache's scripts.
    redis.client?.defineCommand('counterHit', { numberOfKeys: 1, lua: HIT_SCRIPT });
  }

  hit(key: string, windowMs: number): Promise<Hit> {
    return this.shared(
      async (client) => {
        const scripted = client as typeof client & {
          counterHit(key: string, windowMs: string): Promise<[number, number]>;
        };
        const [count, resetMs] = await scripted.counterHit(`rl:${key}`, String(windowMs));
        return { count, resetMs };
      },
      () => this.local.hit(key, windowMs),
    );
  }

  block(key: string, ms: number): Promise<void> {
    return this.shared(
      async (client) => void (await client.set(`rl:${key}`, '1', 'PX', Math.max(1, Math.ceil(ms)))),
      () => this.local.block(key, ms),
    );
  }

  blockedFor(key: string): Promise<number> {
    return this.shared(
      async (client) => Math.max(0, await client.pttl(`rl:${key}`)),
      () => this.local.blockedFor(key),
    );
  }

  clear(keys: string[]): Promise<void> {
    return this.shared(
      async (client) =>
        void (keys.length > 0 && (await client.del(...keys.map((key) => `rl:${key}`)))),
      () => this.local.clear(keys),
    );
  }

  onModuleDestroy(): void {
    this.local.stop();
  }

  private async shared<T>(
    remote: (client: NonNullable<RedisConnection['client']>) => Promise<T>,
    local: () => Promise<T>,
  ): Promise<T> {
    const client = this.redis.client;
    // Redis away (a command already failed): this instance's memory, without waiting for it.
    if (!client || !this.redis.available) return local();
    try {
      return await withinCommandTimeout(remote(client));
    } catch (error) {
      this.redis.markDown(error);
      return local();
    }
  }
}
