import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { JwtService } from '@nestjs/jwt';
import { CryptoService } from '../common/crypto.service';
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

/** Signs access tokens: JWTs with sub, sid, iat, exp, iss and aud (verified by JwtStrategy). */
@Injectable()
export class AccessTokens {
  constructor(
    private readonly jwt: JwtService,
    private readonly crypto: CryptoService,
    @Inject(authConfig.KEY) private readonly auth: ConfigType<typeof authConfig>,
  ) {}

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
}
