import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { authConfig } from '../config/auth.config';
import { KeyRing } from '../keys/key-ring';

/** How a session was authenticated (RFC 8176): a password, and a one-time code when two-factor login is on. */
export type Amr = ['pwd'] | ['pwd', 'otp'];

/** The `amr` a session row keeps (space-separated), as a list. */
export function amrOf(session: { amr: string }): string[] {
  return session.amr.split(' ').filter(Boolean);
}

/** The session facts an access token carries. */
export interface TokenSession {
  id: string;
  userId: string;
  expiresAt: Date;
  createdAt: Date;
  amr: string;
}

export interface IssuedAccessToken {
  accessToken: string;
  expiresIn: number;
}

/**
 * Signs access tokens: JWTs with sub, sid, iat, exp, iss, aud, amr and auth_time (the session's
 * start), verified by JwtStrategy.
 */
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
  issue(session: TokenSession, now = new Date()): IssuedAccessToken {
    const untilSessionEnd = Math.floor((session.expiresAt.getTime() - now.getTime()) / 1000);
    const expiresIn = Math.max(1, Math.min(this.auth.accessTokenMinutes * 60, untilSessionEnd));
    const iat = Math.floor(now.getTime() / 1000);
    const accessToken = this.keys.sign({
      sub: session.userId,
      sid: session.id,
      iat,
      exp: iat + expiresIn,
      iss: this.auth.issuer,
      aud: this.auth.audience,
      amr: amrOf(session),
      auth_time: Math.floor(session.createdAt.getTime() / 1000),
    });
    return { accessToken, expiresIn };
  }
}
