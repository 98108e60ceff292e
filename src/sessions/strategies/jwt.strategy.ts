import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { CryptoService } from '../../common/crypto.service';
import type { AuthenticatedSession } from '../../common/current-session';
import { authConfig } from '../../config/auth.config';
import type { AccessTokenClaims } from '../access-tokens';
import { SessionSnapshot } from '../session-snapshot';
import { REFUSAL_FOR_STATUS, refuse, SessionCheck } from '../session-check';

/**
 * The guard's principal: who, which session, the account's roles and the session as the guard
 * just read it.
 */
export interface SessionPrincipal extends AuthenticatedSession {
  session: SessionSnapshot;
}

/**
 * Bearer access tokens through passport-jwt (jsonwebtoken): the Authorization header only, one
 * allowed algorithm, our issuer and audience, the key as a KeyObject (jsonwebtoken would parse a
 * string key again on every verify). `validate` then accepts the token only while its session
 * is active: logout and revocation take effect on the next request.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    private readonly sessions: SessionCheck,
    crypto: CryptoService,
    @Inject(authConfig.KEY) auth: ConfigType<typeof authConfig>,
  ) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      // jsonwebtoken 9 takes a KeyObject; @types/passport-jwt still lists only string | Buffer.
      secretOrKey: crypto.signingKey as unknown as Buffer,
      algorithms: [auth.algorithm],
      issuer: auth.issuer,
      audience: auth.audience,
    });
  }

  async validate(claims: Partial<AccessTokenClaims>): Promise<SessionPrincipal> {
    const { sub, sid, exp } = claims;
    if (typeof sub !== 'string' || typeof sid !== 'string' || typeof exp !== 'number')
      throw refuse('TOKEN_INVALID');
    const state = await this.sessions.read(sid);
    if (!state || state.userId !== sub) throw refuse('TOKEN_INVALID');
    if (state.status !== 'active') throw refuse(REFUSAL_FOR_STATUS[state.status]);
    if (state.expiresAt.getTime() <= Date.now()) throw refuse('TOKEN_EXPIRED');
    return { userId: sub, sessionId: sid, roles: state.roles, session: state };
  }
}
