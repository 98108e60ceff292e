import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, Repository } from 'typeorm';
import { CryptoService } from '../common/crypto.service';
import { DomainError, Errors } from '../common/errors';
import { OneTimeTokens } from '../one-time-tokens/one-time-tokens';
import { Transactions } from '../common/transactions';
import { MailService, mailTimestamp } from '../mail/mail.service';
import { SessionsService } from '../sessions/sessions.service';
import { LoginBackoff } from '../throttle/login-backoff';
import { MfaService, PassedFactor } from '../mfa/mfa.service';
import type { User } from '../users/user.entity';
import { UsersService } from '../users/users.service';
import { PasswordReset } from './password-reset.entity';

/** What POST /password/change carries. */
export interface PasswordChange {
  current_password: string;
  new_password: string;
  code?: string;
}

export const RESET_LIFETIME_MS = 30 * 60 * 1000;

export { mailTimestamp } from '../mail/mail.service';

/** Forgot, reset and change password. */
@Injectable()
export class PasswordService {
  private readonly tokens: OneTimeTokens<PasswordReset>;

  constructor(
    @InjectRepository(PasswordReset) private readonly resets: Repository<PasswordReset>,
    private readonly users: UsersService,
    private readonly sessions: SessionsService,
    private readonly transactions: Transactions,
    private readonly mail: MailService,
    private readonly crypto: CryptoService,
    private readonly backoff: LoginBackoff,
    private readonly mfa: MfaService,
  ) {
    this.tokens = new OneTimeTokens(PasswordReset, crypto, RESET_LIFETIME_MS);
  }

  /**
   * Issues a reset token (voiding older ones) and mails its link to the stored address. An
   * unknown address does the same shape of work, and the mail leaves after the answer, so the
   * answer and its timing say nothing about whether the account exists. A disabled account is
   * answered as an unknown one: no link, no mail.
   */
  async forgot(email: string): Promise<{ userId?: string; sent: boolean }> {
    const user = await this.users.findByEmail(email);
    const sent = user?.status === 'active' && (await this.sendResetLink(user));
    // The same shape of work when nothing was sent.
    if (!sent)
      await this.transactions.run((manager) => this.tokens.voidAllOf(this.crypto.uuid(), manager));
    return { userId: user?.id, sent };
  }

  /**
   * Issues a token (voiding older ones) and mails its link, within the hourly mail cap: over
   * it nothing is issued, so the last mailed link stays valid. Also an admin's "send a reset
   * link" (the admin never sees the token).
   */
  async sendResetLink(user: User): Promise<boolean> {
    if (!(await this.mail.withinCap('password-reset', user.email))) return false;
    const token = await this.transactions.run((manager) => this.tokens.issue(user.id, manager));
    this.mail.sendInBackground('password-reset', user.email, {
      username: user.username,
      link: this.mail.resetLink(token),
    });
    return true;
  }

  /**
   * Sets a new password from an emailed token. The policy is checked and the hash computed
   * before the transaction (a weak password leaves the token usable; argon2 never holds the
   * write queue); the transaction then claims the token, so of racing requests one wins, and
   * sets the password, voids the other reset tokens, revokes every session and verifies the
   * address the link was sent to. Returns the account and how many sessions were revoked.
   */
  async reset(
    token: string,
    newPassword: string,
  ): Promise<{ userId: string; sessionsRevoked: number }> {
    const user = await this.ownerOfLiveToken(token);
    if (!user) throw Errors.invalidToken();
    try {
      return await this.resetPassword(user, token, newPassword);
    } catch (error) {
      throw error instanceof DomainError ? error.concerning({ userId: user.id }) : error;
    }
  }

  private async resetPassword(user: User, token: string, newPassword: string) {
    await this.users.assertAcceptablePassword(newPassword, user, 'new_password');
    const passwordHash = await this.crypto.hashPassword(newPassword);
    const revoked = await this.transactions.run(async (manager) => {
      const userId = await this.tokens.consume(token, manager);
      if (userId !== user.id) throw Errors.invalidToken();
      await this.users.setPasswordHash(userId, passwordHash, manager);
      await this.tokens.voidAllOf(userId, manager);
      await this.users.markVerified(userId, manager);
      return this.sessions.revokeAllSessionsOf(userId, manager);
    });
    // The owner proved control of the mailbox: failed-login back-off starts over.
    await this.backoff.clear(user.email);
    this.tellOwner(user, 'reset');
    return { userId: user.id, sessionsRevoked: revoked };
  }

  /**
   * Changes the password of a logged-in user who knows the current one and, with two-factor
   * login on, gives a code (spent); the user's other sessions end, the current one stays.
   * Pending reset links are voided too. Returns how many sessions were revoked, and the second
   * factor that passed.
   */
  async change(
    userId: string,
    sessionId: string,
    { current_password: currentPassword, new_password: newPassword, code }: PasswordChange,
  ): Promise<{ revoked: number; secondFactor: PassedFactor | null }> {
    const user = await this.users.findById(userId);
    if (!user) throw Errors.invalidCredentials();
    await this.users.assertAcceptablePassword(newPassword, user, 'new_password');
    const currentHash = user.passwordHash;
    if (currentHash === null || !(await this.crypto.verifyPassword(currentHash, currentPassword)))
      throw Errors.invalidCredentials();
    const secondFactor = await this.mfa.requireSecondFactorFor(user, code);
    const passwordHash = await this.crypto.hashPassword(newPassword);
    const revoked = await this.transactions.run(async (manager) => {
      // Lost to a reset or change that committed since the check: the old password is stale.
      if (!(await this.users.replacePasswordHash(userId, currentHash, passwordHash, manager)))
        throw Errors.invalidCredentials();
      await this.tokens.voidAllOf(userId, manager);
      return this.sessions.revokeAllSessionsOf(userId, manager, sessionId);
    });
    this.tellOwner(user, 'changed');
    return { revoked, secondFactor };
  }

  /** Cheap look-up before hashing: junk, used or expired tokens never cost an argon2 hash. */
  private async ownerOfLiveToken(token: string): Promise<User | null> {
    const record = await this.resets.findOne({
      select: { userId: true, expiresAt: true },
      where: { tokenHash: this.crypto.sha256(token), usedAt: IsNull() },
    });
    if (!record || record.expiresAt.getTime() <= Date.now()) return null;
    return this.users.findById(record.userId);
  }

  private tellOwner(user: User, how: 'reset' | 'changed'): void {
    this.mail.sendInBackground('password-changed', user.email, {
      username: user.username,
      how,
      when: mailTimestamp(new Date()),
    });
  }
}
