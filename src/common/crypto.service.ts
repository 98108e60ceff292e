import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import * as argon2 from 'argon2';
import {
  createHash,
  createHmac,
  KeyObject,
  createSecretKey,
  randomBytes,
  randomUUID,
  timingSafeEqual,
} from 'node:crypto';
import { authConfig } from '../config/auth.config';
import { BoundedConcurrency } from './bounded-concurrency';

/** The hashes `mac` can key: HMAC-SHA-256 and the two longer ones JWT's HS384/HS512 use. */
export type MacHash = 'sha256' | 'sha384' | 'sha512';

/** The only place that touches node:crypto and argon2. */
@Injectable()
export class CryptoService {
  /** A KeyObject, not a string: jsonwebtoken re-parses string secrets on every verify. */
  readonly signingKey: KeyObject;
  private readonly argonOptions: argon2.HashOptions;
  private dummyHash: Promise<string> | undefined;
  private readonly hashing: BoundedConcurrency;

  constructor(@Inject(authConfig.KEY) auth: ConfigType<typeof authConfig>) {
    this.signingKey = createSecretKey(Buffer.from(auth.secretKey, 'utf8'));
    this.argonOptions = {
      type: argon2.argon2id,
      memoryCost: auth.argon2.memoryKib,
      timeCost: auth.argon2.timeCost,
      parallelism: auth.argon2.parallelism,
    };
    this.hashing = new BoundedConcurrency(auth.argon2.maxConcurrent, auth.argon2.queueLimit);
  }

  uuid(): string {
    return randomUUID();
  }

  /** 32 random bytes, base64url: the shape of every emailed and refresh token. */
  randomToken(bytes = 32): string {
    return randomBytes(bytes).toString('base64url');
  }

  sha256(value: string): string {
    return createHash('sha256').update(value, 'utf8').digest('hex');
  }

  /** Keyed MAC with the service's secret, base64url (HMAC-SHA-256 unless `hash` says otherwise). */
  mac(value: string, hash: MacHash = 'sha256'): string {
    return createHmac(hash, this.signingKey).update(value, 'utf8').digest('base64url');
  }

  safeEqual(a: string, b: string): boolean {
    const left = Buffer.from(a, 'utf8');
    const right = Buffer.from(b, 'utf8');
    return left.length === right.length && timingSafeEqual(left, right);
  }

  hashPassword(password: string): Promise<string> {
    return this.hashing.run(() => argon2.hash(password, this.argonOptions));
  }

  async verifyPassword(hash: string, password: string): Promise<boolean> {
    return this.hashing.run(async () => {
      try {
        return await argon2.verify(hash, password);
      } catch {
        return false; // a malformed stored hash never matches
      }
    });
  }

  /** Spends the same work as a real verify, for unknown accounts: same answer, same time. */
  async verifyAgainstDummy(password: string): Promise<false> {
    this.dummyHash ??= this.hashPassword(this.randomToken(16));
    await this.verifyPassword(await this.dummyHash, password);
    return false;
  }
}
