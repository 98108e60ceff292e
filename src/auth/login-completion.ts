import { Injectable } from '@nestjs/common';
import type { ClientInfo } from '../common/client-info';
import type { AuditFacts } from '../common/errors';
import { MfaService } from '../mfa/mfa.service';
import type { StartedSession } from '../sessions/sessions.service';
import type { User } from '../users/user.entity';
import { AuthService } from './auth.service';
import { LoginBackoff } from '../throttle/login-backoff';
import type { TokenResponse } from './dto/auth.dto';
import { MfaChallengeAnswer, MfaChallenges } from './mfa-challenges';

/**
 * How the first factor was checked (RFC 8176 `amr`): `pwd` a password, `fed` a sign-in provider
 * (federated sign-in, Azure AD's value).
 */
export type FirstFactor = 'pwd' | 'fed';

/** A login's answer: the tokens, or, with two-factor login on, the challenge. */
export interface CompletedLogin {
  answer: TokenResponse | MfaChallengeAnswer;
  facts: AuditFacts;
}

/** The facts of a login that started a session: which one, and the one it replaced. */
export function sessionStartFacts(
  started: StartedSession,
  forced: boolean,
): Pick<AuditFacts, 'meta' | 'events'> {
  const { ended } = started;
  return {
    meta: { session_id: started.session.id, forced },
    events:
      ended?.status === 'replaced'
        ? [
            {
              action: 'session.replaced',
              outcome: 'success',
              meta: { session_id: ended.sessionId },
            },
          ]
        : [],
  };
}

/**
 * The one step every login path takes once it has checked the user's first factor (the
 * password today; a provider's answer with social login): with two-factor login on it answers
 * the MFA challenge, and the session starts only at POST /auth/login/mfa; otherwise the session
 * starts here. No path starts a session any other way.
 */
@Injectable()
export class LoginCompletion {
  constructor(
    private readonly mfa: MfaService,
    private readonly challenges: MfaChallenges,
    private readonly auth: AuthService,
    private readonly backoff: LoginBackoff,
  ) {}

  async complete(
    user: User,
    client: ClientInfo,
    force: boolean,
    firstFactor: FirstFactor = 'pwd',
  ): Promise<CompletedLogin> {
    if (await this.mfa.isEnabled(user.id)) {
      const answer = await this.challenges.issue(user, firstFactor);
      return { answer, facts: { userId: user.id, meta: { mfa_required: true } } };
    }
    await this.backoff.clear(user.email);
    const { tokens, started } = await this.auth.login(user, client, { force, amr: [firstFactor] });
    return { answer: tokens, facts: { userId: user.id, ...sessionStartFacts(started, force) } };
  }
}
