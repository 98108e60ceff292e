import { Injectable } from '@nestjs/common';
import { CryptoService } from '../common/crypto.service';
import { Errors } from '../common/errors';
import { OneTimeTokens } from '../one-time-tokens/one-time-tokens';
import { Transactions } from '../common/transactions';
import { MailService } from '../mail/mail.service';
import type { User } from '../users/user.entity';
import { UsersService } from '../users/users.service';
import { EmailVerification } from './email-verification.entity';

const VERIFICATION_LIFETIME_MS = 24 * 60 * 60 * 1000;

@Injectable()
export class VerificationService {
  private readonly tokens: OneTimeTokens<EmailVerification>;

  constructor(
    private readonly users: UsersService,
    private readonly transactions: Transactions,
    private readonly mail: MailService,
    crypto: CryptoService,
  ) {
    this.tokens = new OneTimeTokens(EmailVerification, crypto, VERIFICATION_LIFETIME_MS);
  }

  /** Issues a token (voiding older ones) and mails its link, within the hourly mail cap. */
  async sendVerification(user: Pick<User, 'id' | 'email' | 'username'>): Promise<boolean> {
    if (!(await this.mail.withinCap('verify-email', user.email))) return false;
    const token = await this.transactions.run((manager) => this.tokens.issue(user.id, manager));
    this.mail.sendInBackground('verify-email', user.email, {
      username: user.username,
      link: this.mail.verificationLink(token),
    });
    return true;
  }

  /**
   * Resends for an unverified, active account; says nothing about whether the account exists.
   */
  async resend(email: string): Promise<{ sent: boolean; userId?: string }> {
    const user = await this.users.findByEmail(email);
    if (!user || user.isVerified || user.status !== 'active')
      return { sent: false, userId: user?.id };
    return { sent: await this.sendVerification(user), userId: user.id };
  }

  /** Consumes the token and verifies its account, in one transaction. */
  async confirm(token: string): Promise<string> {
    return this.transactions.run(async (manager) => {
      const userId = await this.tokens.consume(token, manager);
      if (!userId) throw Errors.invalidToken();
      await this.users.markVerified(userId, manager);
      return userId;
    });
  }
}
