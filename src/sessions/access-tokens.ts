import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { JwtService } from '@nestjs/jwt';
import { CryptoService, MacHash } from '../common/crypto.service';
import type { TokenRefusal } from '../common/errors';
import { authConfig } from '../config/auth.config';

export interface AccessTokenClaims {
  sub: string;
  sid: string;
  iat: number;
  exp: number;
  iss: string;
  aud: string;
}

export interface IssuedAccessToken {
  accessToken: string;
  expiresIn: number;
}

const HASH_OF: Record<ConfigType<typeof authConfig>['algorithm'], MacHash> = {
  HS256: 'sha256',
  HS384: 'sha384',
  HS512: 'sha512',
};

/** Why `verify` refuses a token. */
export type AccessTokenRefusal = Extract<TokenRefusal, 'TOKEN_INVALID' | 'TOKEN_EXPIRED'>;

/** Ours are under 400 characters; a longer one is not ours and is refused before any work. */
const MAX_TOKEN_LENGTH = 2048;

/**
 * Signs access tokens (JWT with sub, sid, iat, exp, iss, aud) with jsonwebtoken, and verifies
 * them on the session guard's hot path without it: jsonwebtoken decodes a token twice and
 * checks options it is not given, which was a quarter of a session check's JavaScript time.
 * The verifier accepts exactly what `issue` makes and nothing else.
 */
@Injectable()
export class AccessTokens {
  /** The header segment and dot every token of ours starts with: the algorithm is pinned. */
  private readonly headerPrefix: string;
  private readonly hash: MacHash;

  constructor(
    private readonly jwt: JwtService,
    private readonly crypto: CryptoService,
    @Inject(authConfig.KEY) private readonly auth: ConfigType<typeof authConfig>,
  ) {
    // What jsonwebtoken writes for `algorithm` and an object payload (a spec checks they agree).
    const header = JSON.stringify({ alg: auth.algorithm, typ: 'JWT' });
    this.headerPrefix = `${Buffer.from(header, 'utf8').toString('base64url')}.`;
    this.hash = HASH_OF[auth.algorithm];
  }

  /**
   * An access token never outlives its session: one issued near the session's end (a late
   * refresh) expires with it, and `expires_in` says so.
   */
  issue(
    userId: string,
    sessionId: string,
    sessionEndsAt: Date,
    now = new Date(),
  ): IssuedAccessToken {
    const untilSessionEnd = Math.floor((sessionEndsAt.getTime() - now.getTime()) / 1000);
    const expiresIn = Math.max(1, Math.min(this.auth.accessTokenMinutes * 60, untilSessionEnd));
    const accessToken = this.jwt.sign(
      { sid: sessionId },
      {
        subject: userId,
        expiresIn,
        issuer: this.auth.issuer,
        audience: this.auth.audience,
        algorithm: this.auth.algorithm,
        privateKey: this.crypto.signingKey,
      },
    );
    return { accessToken, expiresIn };
  }

  /**
   * The claims of a token `issue` made with this key, issuer and audience, or why it is refused.
   * Refused as TOKEN_INVALID: any other header (so `alg: none` and other algorithms), a signature
   * that is not exactly the canonical HMAC of the first two segments (compared in constant time),
   * claims of the wrong type, a `nbf` in the future, another issuer or audience. TOKEN_EXPIRED
   * only for a token that is otherwise valid (jsonwebtoken's order: nbf, exp, aud, iss).
   */
  verify(token: string, nowMs = Date.now()): AccessTokenClaims | AccessTokenRefusal {
    if (token.length > MAX_TOKEN_LENGTH || !token.startsWith(this.headerPrefix))
      return 'TOKEN_INVALID';
    const signatureAt = token.indexOf('.', this.headerPrefix.length);
    if (signatureAt < 0) return 'TOKEN_INVALID';
    const signed = token.slice(0, signatureAt);
    if (!this.crypto.safeEqual(token.slice(signatureAt + 1), this.crypto.mac(signed, this.hash)))
      return 'TOKEN_INVALID';
    const claims = parseClaims(signed.slice(this.headerPrefix.length));
    if (!claims) return 'TOKEN_INVALID';
    const nowS = Math.floor(nowMs / 1000);
    if (claims.nbf !== undefined && !(typeof claims.nbf === 'number' && claims.nbf <= nowS))
      return 'TOKEN_INVALID';
    if (nowS >= claims.exp) return 'TOKEN_EXPIRED';
    if (claims.aud !== this.auth.audience || claims.iss !== this.auth.issuer)
      return 'TOKEN_INVALID';
    return claims;
  }
}

/** The payload segment as claims of the types we issue, or null. */
function parseClaims(segment: string): (AccessTokenClaims & { nbf?: unknown }) | null {
  let claims: unknown;
  try {
    claims = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (typeof claims !== 'object' || claims === null) return null;
  const { sub, sid, iat, exp } = claims as Record<string, unknown>;
  return typeof sub === 'string' &&
    typeof sid === 'string' &&
    typeof iat === 'number' &&
    typeof exp === 'number' &&
    Number.isFinite(exp)
    ? (claims as AccessTokenClaims)
    : null;
}
