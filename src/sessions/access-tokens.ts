import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { authConfig } from '../config/auth.config';
import { KeyRing } from '../keys/key-ring';

export interface IssuedAccessToken {
  accessToken: string;
  expiresIn: number;
}

/** Signs access tokens: JWTs with sub, sid, iat, exp, iss and aud (verified by JwtStrategy). */
@Injectable()
export class AccessTokens {
  constructor(
    private readonly keys: KeyRing,
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
    const iat = Math.floor(now.getTime() / 1000);
    const accessToken = this.keys.sign({
      sub: userId,
      sid: sessionId,
      iat,
      exp: iat + expiresIn,
      iss: this.auth.issuer,
      aud: this.auth.audience,
    });
    return { accessToken, expiresIn };
  }
}
