import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { IncomingHttpHeaders } from 'node:http';
import { Strategy } from 'passport-strategy';
import type { AuthenticatedSession } from '../../common/current-session';
import { AccessTokenClaims, AccessTokenRefusal, AccessTokens } from '../access-tokens';
import { isSnapshot, SessionSnapshot } from '../session-snapshot';
import { REFUSAL_FOR_STATUS, refuse, SessionCheck } from '../session-check';

/** The guard's principal: who, which session, and the session as the guard just read it. */
export interface SessionPrincipal extends AuthenticatedSession {
  snapshot: SessionSnapshot;
}

/** Why the strategy failed a request (Passport's "challenge"), for SessionGuard to answer. */
export type BearerFailure = AccessTokenRefusal | 'NO_TOKEN';

type Done = (error: unknown, principal?: SessionPrincipal | false) => void;

/** `Authorization: Bearer <token>`, the scheme in any case, as RFC 6750 has it. */
const BEARER = /^bearer +(\S+)$/i;

/**
 * Passport's side of the bearer check: takes the token from the Authorization header (nowhere
 * else), has AccessTokens verify it, and hands its claims to `validate`.
 */
class BearerAccessTokenStrategy extends Strategy {
  constructor(
    private readonly tokens: AccessTokens,
    private readonly accept: (claims: AccessTokenClaims, done: Done) => void,
  ) {
    super();
  }

  override authenticate(request: { headers: IncomingHttpHeaders }): void {
    const token = BEARER.exec(request.headers.authorization ?? '')?.[1];
    const claims = token ? this.tokens.verify(token) : 'NO_TOKEN';
    if (typeof claims === 'string') return this.fail(claims satisfies BearerFailure, 401);
    this.accept(claims, (error, principal) => {
      if (error) this.error(error as Error);
      else if (principal) this.success(principal);
      else this.fail('TOKEN_INVALID' satisfies BearerFailure, 401);
    });
  }
}

/**
 * Accepts a verified access token only while its session is active: logout and revocation
 * take effect on the next request.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(BearerAccessTokenStrategy, 'jwt') {
  constructor(
    private readonly sessions: SessionCheck,
    tokens: AccessTokens,
  ) {
    super(tokens);
  }

  async validate(claims: AccessTokenClaims): Promise<SessionPrincipal> {
    const state = await this.sessions.authenticate(claims.sid);
    if (!state || state.userId !== claims.sub) throw refuse('TOKEN_INVALID');
    if (state.status !== 'active') throw refuse(REFUSAL_FOR_STATUS[state.status]);
    if (state.expiresAt.getTime() <= Date.now()) throw refuse('TOKEN_EXPIRED');
    // An active session always comes back as a full snapshot.
    if (!isSnapshot(state)) throw refuse('TOKEN_INVALID');
    return { userId: claims.sub, sessionId: claims.sid, snapshot: state };
  }
}
