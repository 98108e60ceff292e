import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import type { AuthenticatedSession } from '../../common/current-session';
import { AccessTokenClaims, KeyRing } from '../../keys/key-ring';
import '../../keys/passport-jwt-verifier';
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
 * Bearer access tokens through passport-jwt: the Authorization header only; the key chosen by
 * the token's `kid` from the service's own key set (secretOrKeyProvider), which verifies the
 * signature with that key's algorithm only, our issuer and audience (keys/key-ring.ts).
 * `validate` then accepts the token only while its session is active: logout and revocation
 * take effect on the next request.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    private readonly sessions: SessionCheck,
    keys: KeyRing,
  ) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      // The key is our VerificationKey, which passport-jwt hands to its verifier (typed as a string).
      secretOrKeyProvider: (_request, token: string, done) => {
        keys.keyFor(token).then(
          (key) => done(null, key as unknown as string),
          (error: unknown) => done(error),
        );
      },
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
