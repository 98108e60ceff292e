import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, LessThanOrEqual, Repository } from 'typeorm';
import { CryptoService, KeyPairAlgorithm } from '../common/crypto.service';
import { Transactions, uniqueViolation } from '../common/transactions';
import { authConfig, KEY_PAIR_ALGORITHMS } from '../config/auth.config';
import { ConfigError } from '../config/env';
import { keysConfig } from '../config/keys.config';
import { SigningKey } from './signing-key.entity';

/** What a rotation did: the key now published as next, and when it starts signing. */
export interface Rotation {
  kid: string;
  alg: string;
  signsFrom: Date;
  /** False when a next key was already waiting (that one is reported). */
  created: boolean;
}

/** What moving a rotation on did. */
export interface Activation {
  activated: string;
  retired: string | null;
}

/** What a revocation did, and which key signs now. */
export interface Revocation {
  kid: string;
  status: SigningKey['status'];
  signingKid: string | null;
}

/** Thrown inside a transaction to roll it back when another instance did the work first. */
class LostRace extends Error {}

/**
 * The key set in `signing_keys`, shared by every instance: first key, rotation (next, then
 * current, then retired, then deleted), revocation and rewrapping. The database decides races:
 * a unique key on `slot` allows one current and one next key.
 */
@Injectable()
export class SigningKeysService {
  constructor(
    @InjectRepository(SigningKey) private readonly keys: Repository<SigningKey>,
    private readonly transactions: Transactions,
    private readonly crypto: CryptoService,
    @Inject(authConfig.KEY) private readonly auth: ConfigType<typeof authConfig>,
    @Inject(keysConfig.KEY) private readonly config: ConfigType<typeof keysConfig>,
  ) {}

  /** The algorithm new keys get: ALGORITHM, when it is a key-pair one. */
  get algorithm(): KeyPairAlgorithm | null {
    const alg = this.auth.algorithm;
    return (KEY_PAIR_ALGORITHMS as readonly string[]).includes(alg)
      ? (alg as KeyPairAlgorithm)
      : null;
  }

  /** A next key is published this long before it signs: every JWKS cache has seen it by then. */
  get publishBeforeSigningMs(): number {
    return (this.config.jwksMaxAgeSeconds + this.config.refreshSeconds) * 1000;
  }

  /** A retired key stays until every token it signed has expired. */
  get keepRetiredMs(): number {
    return (this.auth.accessTokenMinutes * 60 + this.config.refreshSeconds) * 1000;
  }

  list(): Promise<SigningKey[]> {
    return this.keys.find({ order: { createdAt: 'ASC' } });
  }

  /** The private key of a row, opened; a key-encryption key that cannot open it stops the start. */
  privateKeyOf(key: SigningKey): string {
    try {
      return this.crypto.open(key.privateKey, key.kid);
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      throw new ConfigError(
        'KEY_ENCRYPTION_KEY',
        `cannot open signing key ${key.kid} (${why}): set the key that sealed it, or list it in KEY_ENCRYPTION_KEY_PREVIOUS`,
      );
    }
  }

  /**
   * The first start makes the first key, current at once (no client can have cached a JWKS
   * yet). Instances starting together race on the unique slot: one key is made.
   */
  async ensureCurrent(now = new Date()): Promise<string | null> {
    const alg = this.algorithm;
    if (!alg || (await this.keys.existsBy({ slot: 'current' }))) return null;
    const key = this.newKey(alg, 'current', now);
    try {
      await this.keys.insert(key);
      return key.kid;
    } catch (error) {
      if (uniqueViolation(error)) return null;
      throw error;
    }
  }

  /** Publishes a new key as next; it signs once `publishBeforeSigningMs` has passed. */
  async rotate(now = new Date()): Promise<Rotation> {
    const alg = this.algorithm;
    if (!alg)
      throw new Error(`ALGORITHM=${this.auth.algorithm} signs with SECRET_KEY: no keys to rotate`);
    const key = this.newKey(alg, 'next', now);
    try {
      await this.keys.insert(key);
      return this.rotation(key, true);
    } catch (error) {
      if (!uniqueViolation(error)) throw error;
      const waiting = await this.keys.findOneByOrFail({ slot: 'next' });
      return this.rotation(waiting, false);
    }
  }

  /** Whether SIGNING_KEY_ROTATION_DAYS (or a change of ALGORITHM) calls for a new key. */
  async rotationDue(now = new Date()): Promise<boolean> {
    const alg = this.algorithm;
    const current = await this.keys.findOneBy({ slot: 'current' });
    if (!alg || !current || (await this.keys.existsBy({ slot: 'next' }))) return false;
    if (current.alg !== alg) return true;
    const days = this.config.rotationDays;
    const since = (current.activatedAt ?? current.createdAt).getTime();
    return days > 0 && now.getTime() - since >= days * 24 * 60 * 60 * 1000;
  }

  /** Makes the next key current once it has been published long enough; the old one retires. */
  async activateNext(now = new Date()): Promise<Activation | null> {
    const next = await this.keys.findOneBy({ slot: 'next' });
    if (!next || now.getTime() - next.createdAt.getTime() < this.publishBeforeSigningMs)
      return null;
    try {
      return await this.transactions.run((manager) => this.promote(manager, next.kid, now));
    } catch (error) {
      if (error instanceof LostRace || uniqueViolation(error)) return null;
      throw error;
    }
  }

  /** Deletes retired keys whose last token has expired; returns their kids. */
  async deleteExpired(now = new Date()): Promise<string[]> {
    const cutoff = new Date(now.getTime() - this.keepRetiredMs);
    const expired = await this.keys.findBy({
      status: 'retired',
      retiredAt: LessThanOrEqual(cutoff),
    });
    if (expired.length > 0) await this.keys.delete(expired.map((key) => key.kid));
    return expired.map((key) => key.kid);
  }

  /**
   * Removes a key at once (an emergency): its tokens are refused from the next key-set refresh
   * on. When it was the signing key, the next key signs at once, or a new one is made.
   */
  async revoke(kid: string, now = new Date()): Promise<Revocation | null> {
    return this.transactions.run(async (manager) => {
      const key = await manager.findOneBy(SigningKey, { kid });
      if (!key) return null;
      await manager.delete(SigningKey, { kid });
      let signingKid = (await manager.findOneBy(SigningKey, { slot: 'current' }))?.kid ?? null;
      if (key.status === 'current') {
        const next = await manager.findOneBy(SigningKey, { slot: 'next' });
        if (next) signingKid = (await this.promote(manager, next.kid, now)).activated;
        else if (this.algorithm) {
          const fresh = this.newKey(this.algorithm, 'current', now);
          await manager.insert(SigningKey, fresh);
          signingKid = fresh.kid;
        }
      }
      return { kid, status: key.status, signingKid };
    });
  }

  /** Re-seals every private key sealed under an earlier KEY_ENCRYPTION_KEY; returns their kids. */
  async rewrap(): Promise<string[]> {
    const stale = (await this.keys.find()).filter((key) =>
      this.crypto.sealedByPreviousKey(key.privateKey),
    );
    for (const key of stale) {
      const privateKey = this.crypto.seal(this.privateKeyOf(key), key.kid);
      await this.keys.update({ kid: key.kid }, { privateKey });
    }
    return stale.map((key) => key.kid);
  }

  private async promote(manager: EntityManager, kid: string, now: Date): Promise<Activation> {
    const current = await manager.findOneBy(SigningKey, { slot: 'current' });
    if (current) {
      await manager.update(
        SigningKey,
        { kid: current.kid },
        { status: 'retired', slot: null, retiredAt: now },
      );
    }
    const promoted = await manager.update(
      SigningKey,
      { kid, slot: 'next' },
      { status: 'current', slot: 'current', activatedAt: now },
    );
    if (promoted.affected === 0) throw new LostRace();
    return { activated: kid, retired: current?.kid ?? null };
  }

  private rotation(key: SigningKey, created: boolean): Rotation {
    const signsFrom = new Date(key.createdAt.getTime() + this.publishBeforeSigningMs);
    return { kid: key.kid, alg: key.alg, signsFrom, created };
  }

  private newKey(alg: KeyPairAlgorithm, status: 'next' | 'current', now: Date): SigningKey {
    const { publicJwk, privateKeyPem } = this.crypto.generateKeyPair(alg);
    const kid = this.crypto.jwkThumbprint(publicJwk);
    return {
      kid,
      alg,
      publicJwk: JSON.stringify(publicJwk),
      privateKey: this.crypto.seal(privateKeyPem, kid),
      status,
      slot: status,
      createdAt: now,
      activatedAt: status === 'current' ? now : null,
      retiredAt: null,
    };
  }
}
