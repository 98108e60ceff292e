import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import * as argon2 from 'argon2';
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  createPublicKey,
  generateKeyPairSync,
  hkdfSync,
  JsonWebKey,
  KeyObject,
  createSecretKey,
  randomBytes,
  randomInt,
  randomUUID,
  timingSafeEqual,
} from 'node:crypto';
import { authConfig, KEY_PAIR_ALGORITHMS } from '../config/auth.config';
import { BoundedConcurrency } from './bounded-concurrency';

/** The hashes `mac` can key: HMAC-SHA-256 and the two longer ones JWT's HS384/HS512 use. */
export type MacHash = 'sha256' | 'sha384' | 'sha512';

export type KeyPairAlgorithm = (typeof KEY_PAIR_ALGORITHMS)[number];

/** A new signing key: its public half as a JWK, its private half as PKCS#8 PEM (to be sealed). */
export interface GeneratedKeyPair {
  publicJwk: JsonWebKey;
  privateKeyPem: string;
}

/** A key-encryption key: the AES-256 key HKDF derives from it, and the id its ciphertexts carry. */
interface SealingKey {
  id: string;
  key: Buffer;
}

const SEALED_VERSION = 'v1';

function sealingKeyOf(keyEncryptionKey: string): SealingKey {
  const derive = (info: string, length: number) =>
    Buffer.from(hkdfSync('sha256', keyEncryptionKey, '', info, length));
  return {
    id: derive('nest-auth-service key id v1', 6).toString('hex'),
    key: derive('nest-auth-service aes-256-gcm v1', 32),
  };
}

/** The only place that touches node:crypto and argon2. */
@Injectable()
export class CryptoService {
  /** A KeyObject, not a string: jsonwebtoken re-parses string secrets on every verify. */
  readonly signingKey: KeyObject;
  private readonly argonOptions: argon2.HashOptions;
  private dummyHash: Promise<string> | undefined;
  private readonly hashing: BoundedConcurrency;
  /** Seals with the first; opens with any (the others are KEY_ENCRYPTION_KEY_PREVIOUS). */
  private readonly sealingKeys: SealingKey[];

  constructor(@Inject(authConfig.KEY) auth: ConfigType<typeof authConfig>) {
    this.signingKey = createSecretKey(Buffer.from(auth.secretKey, 'utf8'));
    this.sealingKeys = [auth.keyEncryptionKey, ...auth.previousKeyEncryptionKeys].map(sealingKeyOf);
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

  /** `length` characters drawn uniformly from `alphabet` by the CSPRNG (recovery codes). */
  randomCode(length: number, alphabet: string): string {
    return Array.from({ length }, () => alphabet[randomInt(alphabet.length)]).join('');
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

  /**
   * AES-256-GCM under the key-encryption key (through HKDF), bound to `context` (associated
   * data, e.g. the key id). The result names the key-encryption key that sealed it.
   */
  seal(plaintext: string, context: string): string {
    const { id, key } = this.sealingKeys[0];
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv).setAAD(Buffer.from(context, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const parts = [iv, body, cipher.getAuthTag()].map((part) => part.toString('base64url'));
    return [SEALED_VERSION, id, ...parts].join('.');
  }

  /** Opens what `seal` made; throws when no configured key-encryption key sealed it. */
  open(sealed: string, context: string): string {
    const [version, id, iv, body, tag] = sealed.split('.');
    const sealing = this.sealingKeys.find((candidate) => candidate.id === id);
    if (version !== SEALED_VERSION || !sealing || tag === undefined)
      throw new Error(`sealed under an unknown key-encryption key (${id ?? 'none'})`);
    const decipher = createDecipheriv('aes-256-gcm', sealing.key, Buffer.from(iv, 'base64url'))
      .setAAD(Buffer.from(context, 'utf8'))
      .setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([
      decipher.update(Buffer.from(body, 'base64url')),
      decipher.final(),
    ]).toString('utf8');
  }

  /** Whether `sealed` was sealed by an earlier key-encryption key (npm run keys:rewrap). */
  sealedByPreviousKey(sealed: string): boolean {
    return sealed.split('.')[1] !== this.sealingKeys[0].id;
  }

  /** A signing key pair: P-256 for ES256, Ed25519 for EdDSA, RSA 2048 for RS256. */
  generateKeyPair(alg: KeyPairAlgorithm): GeneratedKeyPair {
    const pair =
      alg === 'ES256'
        ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
        : alg === 'EdDSA'
          ? generateKeyPairSync('ed25519')
          : generateKeyPairSync('rsa', { modulusLength: 2048 });
    return {
      publicJwk: pair.publicKey.export({ format: 'jwk' }),
      privateKeyPem: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    };
  }

  /** The RFC 7638 thumbprint of a public JWK (SHA-256, base64url): a key id that names the key. */
  jwkThumbprint(jwk: JsonWebKey): string {
    const members: Record<string, string[]> = {
      EC: ['crv', 'kty', 'x', 'y'],
      OKP: ['crv', 'kty', 'x'],
      RSA: ['e', 'kty', 'n'],
    };
    const required = members[String(jwk.kty)];
    if (!required) throw new Error(`no thumbprint for key type ${String(jwk.kty)}`);
    const canonical = JSON.stringify(Object.fromEntries(required.map((name) => [name, jwk[name]])));
    return createHash('sha256').update(canonical, 'utf8').digest('base64url');
  }

  /** A public JWK as SPKI PEM, the form JWT libraries take. */
  publicKeyPem(jwk: JsonWebKey): string {
    return createPublicKey({ key: jwk, format: 'jwk' }).export({
      type: 'spki',
      format: 'pem',
    }) as string;
  }

  hashPassword(password: string): Promise<string> {
    return this.hashing.run(() => argon2.hash(password, this.argonOptions));
  }

  /** An account without a password (made by a provider) costs a dummy verify and never matches. */
  async verifyPassword(hash: string | null, password: string): Promise<boolean> {
    if (hash === null) return this.verifyAgainstDummy(password);
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
