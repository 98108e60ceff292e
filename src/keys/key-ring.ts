import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import type { JsonWebKey } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { createDecoder, createSigner, createVerifier, TokenError } from 'fast-jwt';
import { AuditService } from '../audit/audit.service';
import { CryptoService } from '../common/crypto.service';
import { databaseUnavailable } from '../common/database-errors';
import { authConfig } from '../config/auth.config';
import { keysConfig } from '../config/keys.config';
import { SigningKey } from './signing-key.entity';
import { SigningKeysService } from './signing-keys.service';

/** The claims every access token carries. */
export interface AccessTokenClaims {
  sub: string;
  sid: string;
  iat: number;
  exp: number;
  iss: string;
  aud: string;
  /** How the session was authenticated (RFC 8176): `["pwd"]`, or `["pwd", "otp"]` with a second factor. */
  amr?: string[];
  /** When the user authenticated (the session's start), in seconds (OIDC Core). */
  auth_time?: number;
}

/** A public key as the JWKS publishes it (RFC 7517): the public members of its type only. */
export interface PublishedJwk {
  kty: string;
  kid: string;
  alg: string;
  use: 'sig';
  crv?: string;
  x?: string;
  y?: string;
  n?: string;
  e?: string;
}

const PUBLIC_MEMBERS = ['crv', 'x', 'y', 'n', 'e'] as const;

function published(row: SigningKey): PublishedJwk {
  const jwk = JSON.parse(row.publicJwk) as JsonWebKey;
  const members = PUBLIC_MEMBERS.filter((name) => typeof jwk[name] === 'string');
  return {
    kty: String(jwk.kty),
    kid: row.kid,
    alg: row.alg,
    use: 'sig',
    ...Object.fromEntries(members.map((name) => [name, jwk[name] as string])),
  };
}

/** An unknown `kid` is looked up in the database at most this often: random kids cost nothing. */
const UNKNOWN_KID_REFRESH_GAP_MS = 1000;
const REQUIRED_CLAIMS = ['sub', 'sid', 'iat', 'exp', 'iss', 'aud'];
/**
 * Tokens each key's verifier remembers (fast-jwt's LRU, until the token's `exp`): a client sends
 * one access token with many requests, and an ES256/EdDSA signature check costs 80–140 µs where
 * the rest of a session check costs about as much. The session itself is still read on every
 * request, and a revoked key takes its verifier and what it remembers with it.
 */
export const VERIFIED_TOKENS_REMEMBERED = 10_000;

/**
 * One key that verifies: its own algorithm only (an HS256 token under an ES256 key's `kid` is
 * refused, whatever it was signed with), our issuer and audience. fast-jwt verifies; passport-jwt
 * hands it the key through secretOrKeyProvider (see passport-jwt-verifier.ts).
 */
export class VerificationKey {
  constructor(
    readonly kid: string,
    readonly alg: string,
    private readonly verifier: (token: string) => Record<string, unknown>,
  ) {}

  verify(token: string): Record<string, unknown> {
    return this.verifier(token);
  }
}

/** Whether a verification failure was only that the token expired (401 TOKEN_EXPIRED). */
export function isExpiry(error: unknown): boolean {
  return error instanceof TokenError && error.code === TokenError.codes.expired;
}

/** Why a token names no key of ours. */
export class UnknownKeyError extends Error {
  constructor() {
    super('The token names no signing key of this service');
    this.name = 'UnknownKeyError';
  }
}

interface Signer {
  kid: string;
  sign(claims: AccessTokenClaims): string;
}

const decodeComplete = createDecoder({ complete: true }) as (token: string) => {
  header: { kid?: unknown };
};

/**
 * The service's key set in memory: the key that signs, the keys that verify (by `kid`) and the
 * JWKS. Under HS* it is SECRET_KEY alone. Under ES256, EdDSA or RS256 it is `signing_keys`,
 * re-read every SIGNING_KEYS_REFRESH_SECONDS, when that refresh also moves rotations on
 * (whichever instance gets there first), and on an unknown `kid` (at most once a second).
 */
@Injectable()
export class KeyRing implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('SigningKeys');
  private signer: Signer | undefined;
  private verifying = new Map<string, VerificationKey>();
  private published: PublishedJwk[] = [];
  private lastRefresh = -Infinity;
  private refreshing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly hmacKey: VerificationKey | undefined;

  constructor(
    private readonly keys: SigningKeysService,
    private readonly crypto: CryptoService,
    private readonly audit: AuditService,
    @Inject(authConfig.KEY) private readonly auth: ConfigType<typeof authConfig>,
    @Inject(keysConfig.KEY) private readonly config: ConfigType<typeof keysConfig>,
  ) {
    if (keys.algorithm) return;
    const kid = crypto.mac('access-token key id').slice(0, 16);
    const secret = Buffer.from(auth.secretKey, 'utf8');
    this.hmacKey = this.verificationKey(kid, auth.algorithm, secret);
    this.verifying.set(kid, this.hmacKey);
    const sign = createSigner({ key: secret, algorithm: auth.algorithm, kid });
    this.signer = { kid, sign: (claims) => sign(claims) };
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.hmacKey) return;
    await this.keys.ensureCurrent();
    await this.refresh();
    this.timer = setInterval(() => void this.maintain(), this.config.refreshSeconds * 1000);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** The JWKS: the public keys (next, current, retired); none under HS*. */
  get jwks(): PublishedJwk[] {
    return this.published;
  }

  /** Signs with the current key; the token's header names it (`kid`). */
  sign(claims: AccessTokenClaims): string {
    if (!this.signer) throw new Error('No signing key is loaded');
    return this.signer.sign(claims);
  }

  /**
   * The key a token names in its `kid` header. A token without one is an HS* token from before
   * key ids (the same secret verifies it); an unknown one is refused.
   */
  async keyFor(token: string): Promise<VerificationKey> {
    const { kid } = decodeComplete(token).header;
    if (kid === undefined && this.hmacKey) return this.hmacKey;
    if (typeof kid !== 'string') throw new UnknownKeyError();
    let key = this.verifying.get(kid);
    const sinceRefresh = performance.now() - this.lastRefresh;
    if (!key && !this.hmacKey && sinceRefresh >= UNKNOWN_KID_REFRESH_GAP_MS) {
      await this.refresh();
      key = this.verifying.get(kid);
    }
    if (!key) throw new UnknownKeyError();
    return key;
  }

  /** Verifies a token against the key it names: its claims, or a refusal (thrown). */
  async verify(token: string): Promise<Record<string, unknown>> {
    return (await this.keyFor(token)).verify(token);
  }

  /** Re-reads the key set (one read at a time; callers during it share it). */
  refresh(): Promise<void> {
    this.refreshing ??= this.load().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  private async load(): Promise<void> {
    const rows = await this.keys.list();
    this.lastRefresh = performance.now(); // monotonic: a clock set back does not stop refreshes
    const verifying = new Map<string, VerificationKey>();
    for (const row of rows) {
      const known = this.verifying.get(row.kid);
      verifying.set(row.kid, known ?? this.verificationKey(row.kid, row.alg, this.pemOf(row)));
    }
    this.verifying = verifying;
    this.published = rows.map(published);
    const current = rows.find((row) => row.status === 'current');
    if (current && current.kid !== this.signer?.kid) {
      const sign = createSigner({
        key: this.keys.privateKeyOf(current),
        algorithm: current.alg as 'ES256',
        kid: current.kid,
      });
      this.signer = { kid: current.kid, sign: (claims) => sign(claims) };
      this.logger.log({ kid: current.kid, alg: current.alg }, 'Signing with key');
    }
  }

  /** One step of the key lifecycle, then a refresh; on every instance, races decided by the database. */
  private async maintain(): Promise<void> {
    try {
      const now = new Date();
      await this.keys.ensureCurrent(now);
      if (await this.keys.rotationDue(now)) {
        const rotation = await this.keys.rotate(now);
        if (rotation.created) {
          await this.audit.append([
            keyEvent('key.rotated', { kid: rotation.kid, alg: rotation.alg, automatic: true }),
          ]);
          this.logger.log({ kid: rotation.kid }, 'Published a new signing key as next');
        }
      }
      const activation = await this.keys.activateNext(now);
      if (activation) this.logger.log(activation, 'A new signing key is current');
      const deleted = await this.keys.deleteExpired(now);
      if (deleted.length > 0) this.logger.log({ kids: deleted }, 'Deleted retired signing keys');
      await this.refresh();
    } catch (error) {
      if (!databaseUnavailable(error))
        this.logger.warn({ err: error }, 'Could not refresh the signing keys');
    }
  }

  private pemOf(row: SigningKey): string {
    return this.crypto.publicKeyPem(JSON.parse(row.publicJwk) as JsonWebKey);
  }

  private verificationKey(kid: string, alg: string, key: string | Buffer): VerificationKey {
    const verifier = createVerifier({
      key,
      algorithms: [alg as 'ES256'],
      allowedIss: this.auth.issuer,
      allowedAud: this.auth.audience,
      requiredClaims: REQUIRED_CLAIMS,
      cache: VERIFIED_TOKENS_REMEMBERED,
    });
    return new VerificationKey(kid, alg, (token) => verifier(token) as Record<string, unknown>);
  }
}

/** An audit row for a key change, from the service or a `keys:*` command. */
export function keyEvent(
  action: 'key.rotated' | 'key.revoked' | 'key.rewrapped',
  meta: Record<string, string | number | boolean | null>,
) {
  return {
    userId: null,
    action,
    outcome: 'success' as const,
    ip: null,
    userAgent: null,
    requestId: null,
    meta,
  };
}
