import { ExecutionContext, Module } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerModule, ThrottlerStorage } from '@nestjs/throttler';
import { RateLimitedEndpoint, throttleConfig } from '../config/throttle.config';
import { CounterStore } from './counter-store';
import { RATE_LIMIT } from './rate-limit.decorator';
import { accountOf, RateLimitGuard } from './rate-limit.guard';

/** Fixed windows over the shared counters; over the limit, blocked until the window closes. */
function storageOver(counters: CounterStore): ThrottlerStorage {
  return {
    async increment(key: string, ttl: number, limit: number) {
      const { count, resetMs } = await counters.hit(`throttle:${key}`, ttl);
      const seconds = Math.ceil(resetMs / 1000);
      return {
        totalHits: count,
        timeToExpire: seconds,
        isBlocked: count > limit,
        timeToBlockExpire: seconds,
      };
    },
  };
}

function endpointOf(context: ExecutionContext): RateLimitedEndpoint | undefined {
  return Reflect.getMetadata(RATE_LIMIT, context.getHandler()) as RateLimitedEndpoint | undefined;
}

@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      inject: [throttleConfig.KEY, CounterStore],
      useFactory: (config: ConfigType<typeof throttleConfig>, counters: CounterStore) => {
        const skip = (context: ExecutionContext) =>
          !config.enabled || endpointOf(context) === undefined;
        const limitsOf = (context: ExecutionContext) =>
          config.limits[endpointOf(context) as RateLimitedEndpoint];
        return {
          setHeaders: false,
          storage: storageOver(counters),
          // Routes without @RateLimit, and everything when THROTTLE_ENABLED=false, pass untouched.
          skipIf: skip,
          throttlers: [
            {
              name: 'ip',
              limit: (context) => limitsOf(context).ip.limit,
              ttl: (context) => limitsOf(context).ip.windowSeconds * 1000,
            },
            {
              name: 'account',
              limit: (context) => limitsOf(context).account?.limit ?? Number.MAX_SAFE_INTEGER,
              ttl: (context) => (limitsOf(context).account?.windowSeconds ?? 1) * 1000,
              getTracker: (request) => `account:${accountOf(request) ?? ''}`,
              // A throttler's own skipIf replaces the common one, so it repeats it.
              skipIf: (context) => skip(context) || limitsOf(context).account === undefined,
            },
          ],
        };
      },
    }),
  ],
  providers: [{ provide: APP_GUARD, useClass: RateLimitGuard }],
})
export class ThrottleModule {}
