import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { CryptoService } from '../common/crypto.service';
import { normaliseEmail } from '../common/email';
import { Errors } from '../common/errors';
import { throttleConfig } from '../config/throttle.config';
import { CounterStore } from './counter-store';

/**
 * Failed-login back-off per account (the normalised email, known or not): after `threshold`
 * failures within the window, attempts are refused with 429 for a growing time, capped. While
 * blocked the password is not even checked, so a correct one gets the same answer as a wrong
 * one. The block ends by itself; a successful login or a password reset clears the count.
 */
@Injectable()
export class LoginBackoff {
  constructor(
    @Inject(throttleConfig.KEY) private readonly config: ConfigType<typeof throttleConfig>,
    private readonly counters: CounterStore,
    private readonly crypto: CryptoService,
  ) {}

  async assertNotBlocked(email: string): Promise<void> {
    if (!this.config.enabled) return;
    const remainingMs = await this.counters.blockedFor(this.keys(email).block);
    if (remainingMs > 0) throw Errors.tooManyRequests(Math.ceil(remainingMs / 1000));
  }

  async recordFailure(email: string): Promise<void> {
    if (!this.config.enabled) return;
    const { threshold, windowSeconds, baseSeconds, maxSeconds } = this.config.loginBackoff;
    const keys = this.keys(email);
    const { count } = await this.counters.hit(keys.failures, windowSeconds * 1000);
    if (count < threshold) return;
    const seconds = Math.min(maxSeconds, baseSeconds * 2 ** (count - threshold));
    await this.counters.block(keys.block, seconds * 1000);
  }

  /** Nothing to clear when back-off is off: no counter is ever written then. */
  async clear(email: string): Promise<void> {
    if (!this.config.enabled) return;
    const keys = this.keys(email);
    await this.counters.clear([keys.failures, keys.block]);
  }

  private keys(email: string): { failures: string; block: string } {
    // Hashed so that Redis never holds addresses in clear.
    const id = this.crypto.sha256(normaliseEmail(email));
    return { failures: `login-failures:${id}`, block: `login-block:${id}` };
  }
}
