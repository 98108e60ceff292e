import { Global, Inject, Injectable, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import Redis from 'ioredis';
import { redisConfig } from '../config/redis.config';

/** The longest a command waits for Redis; past it Redis counts as away. */
export const REDIS_COMMAND_TIMEOUT_MS = 1000;
/** While Redis is away, how often one PING checks whether it is back. */
const PROBE_INTERVAL_MS = 1000;

/**
 * `command`'s answer, or a rejection once REDIS_COMMAND_TIMEOUT_MS have passed since it was
 * issued. ioredis's own commandTimeout counts from when the command is written, and with
 * auto-pipelining a command waits until the pipeline before it is done: against a frozen
 * Redis, a second timeout on top of the first.
 */
export function withinCommandTimeout<T>(command: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () => reject(new Error('Redis command timed out')),
      REDIS_COMMAND_TIMEOUT_MS,
    );
  });
  return Promise.race([command, late]).finally(() => clearTimeout(timer));
}

/**
 * The shared Redis connection when REDIS_URL is set; `client` is null otherwise. Commands fail
 * fast while Redis is away (no offline queue, no retry, one second at most). Once one has failed,
 * `available` is false and callers skip Redis altogether until a PING answers again: a frozen
 * Redis (connection open, nothing answered) costs one timeout, not one per command.
 */
@Injectable()
export class RedisConnection implements OnApplicationShutdown {
  private readonly logger = new Logger(RedisConnection.name);
  readonly client: Redis | null;
  private healthy = true;
  private probe: NodeJS.Timeout | null = null;
  private closing = false;

  constructor(@Inject(redisConfig.KEY) config: ConfigType<typeof redisConfig>) {
    this.client = config.url
      ? new Redis(config.url, {
          enableOfflineQueue: false,
          maxRetriesPerRequest: 0,
          connectTimeout: 2000,
          commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
          retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
          // Commands issued in one turn of the event loop go out as one write (a pipeline):
          // under load the guard's EVALSHAs share round trips instead of one each.
          enableAutoPipelining: true,
        })
      : null;
    this.client?.on('error', (error: Error) => this.markDown(error));
    this.client?.on('ready', () => this.markUp());
  }

  /** Redis is set and was answering at the last command: worth sending it one. */
  get available(): boolean {
    return this.client !== null && this.healthy;
  }

  /** Logs the first failure of an outage, not every one, and starts checking for its end. */
  markDown(error: unknown): void {
    if (this.healthy)
      this.logger.warn({ err: error }, 'Redis unavailable; degraded to local state');
    this.healthy = false;
    this.scheduleProbe();
  }

  async ping(): Promise<boolean> {
    if (!this.client) return true;
    return this.healthy && (await answers(this.client));
  }

  async onApplicationShutdown(): Promise<void> {
    this.closing = true;
    if (this.probe) clearTimeout(this.probe);
    if (!this.client) return;
    try {
      await this.client.quit();
    } catch {
      this.client.disconnect();
    }
  }

  private markUp(): void {
    if (!this.healthy) this.logger.log('Redis is back');
    this.healthy = true;
  }

  private scheduleProbe(): void {
    const client = this.client;
    if (!client || this.probe || this.closing) return;
    this.probe = setTimeout(() => {
      void answers(client).then((up) => {
        this.probe = null;
        if (up) this.markUp();
        else if (!this.healthy) this.scheduleProbe();
      });
    }, PROBE_INTERVAL_MS);
    this.probe.unref();
  }
}

/** Redis answered a PING in time. */
function answers(client: Redis): Promise<boolean> {
  return withinCommandTimeout(client.ping()).then(
    (answer) => answer === 'PONG',
    () => false,
  );
}

@Global()
@Module({ providers: [RedisConnection], exports: [RedisConnection] })
export class RedisModule {}
