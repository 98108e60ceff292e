import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import type { ClientInfo } from '../common/client-info';
import { CryptoService } from '../common/crypto.service';
import { Errors } from '../common/errors';
import { AccessTokens } from '../sessions/access-tokens';
import { SessionRotation } from '../sessions/session-rotation.service';
import {
  IssuedSession,
  SessionsService,
  SessionStart,
  StartedSession,
} from '../sessions/sessions.service';
import type { User } from '../users/user.entity';
import { UsersService } from '../users/users.service';
import type { TokenResponse } from './dto/auth.dto';
import { LoginBackoff } from '../throttle/login-backoff';

/** What a login did: the tokens, and the session it started and the one it ended. */
export interface LoginOutcome {
  tokens: TokenResponse;
  started: StartedSession;
}

/** Login, refresh and logout. */
@Injectable()
export class AuthService implements OnApplicationBootstrap {
  constructor(
    private readonly users: UsersService,
    private readonly sessions: SessionsService,
    private readonly rotation: SessionRotation,
    private readonly accessTokens: AccessTokens,
    private readonly crypto: CryptoService,
    private readonly backoff: LoginBackoff,
  ) {}

  /** Makes the dummy hash at start, so that even the first unknown email costs just one verify. */
  async onApplicationBootstrap(): Promise<void> {
    await this.crypto.verifyAgainstDummy('');
  }

  /**
   * Unknown email and wrong password get the same answer after the same work (a dummy
   * verify); a disabled or unverified account is told so only after its correct password. An
   * account in failed-login back-off gets 429 before any password is looked at. The failure count
   * is cleared only once every factor has passed (LoginCompletion, MfaChallenges): a right
   * password does not wipe out wrong second-factor codes.
   */
  async checkCredentials(email: string, password: string): Promise<User> {
    await this.backoff.assertNotBlocked(email);
    const user = await this.users.findByEmail(email);
    const matches = user
      ? await this.crypto.verifyPassword(user.passwordHash, password)
      : await this.crypto.verifyAgainstDummy(password);
    if (!user || !matches) {
      await this.backoff.recordFailure(email);
      throw Errors.invalidCredentials().concerning({ userId: user?.id });
    }
    if (user.status !== 'active') throw Errors.accountDisabled().concerning({ userId: user.id });
    if (!user.isVerified) throw Errors.emailNotVerified().concerning({ userId: user.id });
    return user;
  }

  /** Starts the session of a user whose every factor was checked (through LoginCompletion). */
  async login(user: User, client: ClientInfo, start: SessionStart): Promise<LoginOutcome> {
    const started = await this.sessions.start(user, client, start);
    return { tokens: this.tokensFor(started), started };
  }

  async refresh(
    refreshToken: string,
  ): Promise<{ tokens: TokenResponse; sessionId: string; userId: string }> {
    const rotated = await this.rotation.rotate(refreshToken);
    const { id: sessionId, userId } = rotated.session;
    return { tokens: this.tokensFor(rotated), sessionId, userId };
  }

  logout(sessionId: string): Promise<void> {
    return this.sessions.end(sessionId);
  }

  private tokensFor({ session, refreshToken }: IssuedSession): TokenResponse {
    const { accessToken, expiresIn } = this.accessTokens.issue(session);
    return {
      access_token: accessToken,
      token_type: 'bearer',
      expires_in: expiresIn,
      refresh_token: refreshToken,
    };
  }
}
