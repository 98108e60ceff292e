import { Injectable } from '@nestjs/common';
import type { AuditFacts } from '../common/errors';
import { Errors } from '../common/errors';
import { MfaService } from '../mfa/mfa.service';
import { PasswordService } from '../password/password.service';
import { SessionView } from '../sessions/dto/session.response';
import { SessionsService } from '../sessions/sessions.service';
import { UserSearch, UsersService, UserWithRoles } from '../users/users.service';
import { VerificationService } from '../verification/verification.service';
import { AdminUserDetail, AdminUserView } from './dto/admin-users.dto';

/** What an admin reads about accounts, and the mails an admin sends them. */
@Injectable()
export class AdminUsersService {
  constructor(
    private readonly users: UsersService,
    private readonly sessions: SessionsService,
    private readonly verification: VerificationService,
    private readonly passwords: PasswordService,
    private readonly mfa: MfaService,
  ) {}

  search(filter: UserSearch): Promise<UserWithRoles[]> {
    return this.users.search(filter);
  }

  async detail(userId: string): Promise<AdminUserDetail> {
    const user = await this.found(userId);
    const session = await this.sessions.activeSessionOf(userId);
    return {
      ...AdminUserView.of(user),
      active_session: session ? SessionView.of(session) : null,
      mfa: { enabled: await this.mfa.isEnabled(userId) },
    };
  }

  /** Turns the account's two-factor login off (MFA_NOT_ENABLED when it is not on). */
  async resetMfa(userId: string, actorId: string, reason: string): Promise<AuditFacts> {
    await this.found(userId);
    return this.mfa.resetByAdmin(userId, actorId, reason);
  }

  /** False when the hourly mail cap for the address is reached. */
  async sendVerification(userId: string): Promise<boolean> {
    const user = await this.found(userId);
    if (user.isVerified) throw Errors.alreadyVerified();
    return this.verification.sendVerification(user);
  }

  async sendPasswordReset(userId: string): Promise<boolean> {
    return this.passwords.sendResetLink(await this.found(userId));
  }

  private async found(userId: string): Promise<UserWithRoles> {
    const user = await this.users.findWithRoles(userId);
    if (!user) throw Errors.userNotFound();
    return user;
  }
}
