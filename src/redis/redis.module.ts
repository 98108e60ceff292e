import { Global, Inject, Injectable, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import Redis from 'ioredis';
import { redisConfig } from '../config/redis.config';

/**
 * The shared Redis connection when REDIS_URL is set; `client` is null otherwise. Commands fail
 * fast while Redis is away (no offline queue), so callers can fall back instead of hanging.
 */
@Injectable()
export class RedisConnection implements OnApplicationShutdown {
  private readonly logger = new Logger(RedisConnection.name);
  readonly client: Redis | null;
  private healthy = true;

  constructor(@Inject(redisConfig.KEY) config: ConfigType<typeof redisConfig>) {
    this.client = config.url
      ? new Redis(config.url, {
          enableOfflineQueue: false,
          maxRetriesPerRequest: 1,
          connectTimeout: 2000,
          commandTimeout: 1000,
          retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
          // Commands issued in one turn of the event loop go out as one write (a pipeline):
          // under load the guard's EVALSHAs share round trips instead of one each.
          enableAutoPipelining: true,
        })
      : null;
    this.client?.on('error', (error: Error) => this.markDown(error));
    this.client?.on('ready', () => {
      if (!this.healthy) this.logger.log('Redis is back');
      this.healthy = true;
    });
  }

  /** Logs the first failure of an outage, not every one. */
  markDown(error: unknown): void {
    if (this.healthy)
      this.logger.warn({ err: error }, 'Redis unavailable; degraded to local state');
    this.healthy = false;
  }

  async ping(): Promise<boolean> {
    if (!this.client) return true;
    try {
      return (await this.client.ping()) === 'PONG';
    } catch {
      return false;
    }
  }

  async onApplicationShutdown(): Promise<void> {
    if (!this.client) return;
    try {
      await this.client.quit();
    } catch {
      this.client.disconnect();
    }
  }
}

@Global()
@Module({ providers: [RedisConnection], exports: [RedisConnection] })
export class RedisModule {}
