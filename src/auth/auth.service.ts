import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import type { AuditTrail } from '../audit/audit-trail';
import type { ClientInfo } from '../common/client-info';
import { CryptoService } from '../common/crypto.service';
import { Errors } from '../common/errors';
import { AccessTokens } from '../sessions/access-tokens';
import { SessionsService, StartedSession } from '../sessions/sessions.service';
import type { User } from '../users/user.entity';
import { LoginBackoff } from '../throttle/login-backoff';
import { UsersService } from '../users/users.service';
import type { TokenResponse } from './dto/auth.dto';

/** Login, refresh and logout. */
@Injectable()
export class AuthService implements OnApplicationBootstrap {
  constructor(
    private readonly users: UsersService,
    private readonly sessions: SessionsService,
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
   * verify); an unverified account is told so only after its correct password. An account in
   * failed-login back-off gets 429 before any password is looked at.
   */
  async checkCredentials(email: string, password: string, trail: AuditTrail): Promise<User> {
    await this.backoff.assertNotBlocked(email);
    const user = await this.users.findByEmail(email);
    if (user) trail.concerns(user.id);
    const matches = user
      ? await this.crypto.verifyPassword(user.passwordHash, password)
      : await this.crypto.verifyAgainstDummy(password);
    if (!user || !matches) {
      await this.backoff.recordFailure(email);
      throw Errors.invalidCredentials();
    }
    await this.backoff.clear(email);
    if (!user.isVerified) throw Errors.emailNotVerified();
    return user;
  }

  async login(
    user: User,
    client: ClientInfo,
    force: boolean,
    trail: AuditTrail,
  ): Promise<TokenResponse> {
    const started = await this.sessions.start(user.id, client, force, trail);
    trail.meta.session_id = started.session.id;
    trail.meta.forced = force;
    return this.tokensFor(started);
  }

  async refresh(refreshToken: string, trail: AuditTrail): Promise<TokenResponse> {
    return this.tokensFor(await this.sessions.rotate(refreshToken, trail));
  }

  logout(sessionId: string): Promise<void> {
    return this.sessions.end(sessionId);
  }

  private tokensFor({ session, refreshToken }: StartedSession): TokenResponse {
    const { accessToken, expiresIn } = this.accessTokens.issue(
      session.userId,
      session.id,
      session.expiresAt,
    );
    return {
      access_token: accessToken,
      token_type: 'bearer',
      expires_in: expiresIn,
      refresh_token: refreshToken,
    };
  }
}
