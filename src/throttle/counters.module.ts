import { Global, Module } from '@nestjs/common';
import { CounterStore } from './counter-store';
import { LoginBackoff } from './login-backoff';

/**
 * The shared counters (Redis when set, else memory) behind rate limits, back-off and mail caps,
 * and the per-account back-off that failed logins and wrong second-factor codes feed, wherever
 * they are checked (login, its two-factor step, and the code asked for by sensitive changes).
 */
@Global()
@Module({ providers: [CounterStore, LoginBackoff], exports: [CounterStore, LoginBackoff] })
export class CountersModule {}
