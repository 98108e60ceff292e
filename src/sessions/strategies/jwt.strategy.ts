import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import type { AuthenticatedSession } from '../../common/current-session';
import { isSnapshot, SessionSnapshot } from '../session-snapshot';
import { CryptoService } from '../../common/crypto.service';
import { authConfig } from '../../config/auth.config';
import type { AccessTokenClaims } from '../access-tokens';
import { REFUSAL_FOR_STATUS, refuse, SessionCheck } from '../session-check';

/** The guard's principal: who, which session, and the session as the guard just read it. */
export interface SessionPrincipal extends AuthenticatedSession {
  snapshot: SessionSnapshot;
}

/**
 * Verifies the bearer JWT (algorithm, issuer and audience pinned) and then accepts it only
 * while its session is active: logout and revocation take effect on the next request.
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
      // A KeyObject: jsonwebtoken re-derives a key from a string secret on every verify.
      secretOrKey: crypto.signingKey as unknown as string,
      algorithms: [auth.algorithm],
      issuer: auth.issuer,
      audience: auth.audience,
      ignoreExpiration: false,
    });
  }

  async validate(claims: AccessTokenClaims): Promise<SessionPrincipal> {
    // jsonwebtoken accepts a token without exp; ours always carry one.
    if (
      typeof claims.sub !== 'string' ||
      typeof claims.sid !== 'string' ||
      typeof claims.exp !== 'number'
    )
      throw refuse('TOKEN_INVALID');
    const state = await this.sessions.authenticate(claims.sid);
    if (!state || state.userId !== claims.sub) throw refuse('TOKEN_INVALID');
    if (state.status !== 'active') throw refuse(REFUSAL_FOR_STATUS[state.status]);
    if (state.expiresAt.getTime() <= Date.now()) throw refuse('TOKEN_EXPIRED');
    // An active session always comes back as a full snapshot.
    if (!isSnapshot(state)) throw refuse('TOKEN_INVALID');
    return { userId: claims.sub, sessionId: claims.sid, snapshot: state };
  }
}
