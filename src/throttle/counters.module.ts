import { Global, Module } from '@nestjs/common';
import { CounterStore } from './counter-store';

/** The shared counters (Redis when set, else memory) behind rate limits, back-off and mail caps. */
@Global()
@Module({ providers: [CounterStore], exports: [CounterStore] })
export class CountersModule {}
