import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { CryptoService } from '../common/crypto.service';
import { DomainError, Errors } from '../common/errors';
import { Transactions, uniqueViolation } from '../common/transactions';
import { mailTimestamp, MailService } from '../mail/mail.service';
import type { User } from '../users/user.entity';
import { UsersService } from '../users/users.service';
import { VerificationService } from '../verification/verification.service';
import type { ProviderProfile } from './oauth-providers';
import { UserIdentity } from './user-identity.entity';

/** The account a provider's sign-in resolved to, and whether it was made just now. */
export interface ResolvedAccount {
  user: User;
  created: boolean;
}

const USERNAME_ATTEMPTS = 5;
const EMAIL_LENGTH = 254;

/**
 * The accounts behind provider sign-ins and the identities linked to them. An identity is keyed
 * by (issuer, subject) only: an email string never links anything. A sign-in resolves to the
 * identity's account; else, when no account has the email, a new one (verified only if the
 * provider vouched); else ACCOUNT_EXISTS: the owner logs in with the password and links.
 */
@Injectable()
export class OAuthAccounts {
  constructor(
    @InjectRepository(UserIdentity) private readonly identities: Repository<UserIdentity>,
    private readonly users: UsersService,
    private readonly verification: VerificationService,
    private readonly mail: MailService,
    private readonly crypto: CryptoService,
    private readonly transactions: Transactions,
  ) {}

  async resolveForSignIn(provider: string, profile: ProviderProfile): Promise<ResolvedAccount> {
    const linked = await this.linkedUserOf(profile);
    if (linked) return { user: linked, created: false };
    if (!profile.email || profile.email.length > EMAIL_LENGTH) throw Errors.emailUnavailable();
    if (await this.users.findByEmail(profile.email)) throw Errors.accountExists();
    const user = await this.createAccount(provider, profile, profile.email);
    if (!user.isVerified) await this.verification.sendVerification(user);
    return { user, created: true };
  }

  /** Links the provider's identity to `userId` (the caller that started the link). */
  async link(userId: string, provider: string, profile: ProviderProfile): Promise<void> {
    const existing = await this.identities.findOneBy({
      issuer: profile.issuer,
      subject: profile.subject,
    });
    if (existing) {
      if (existing.userId !== userId) throw Errors.identityInUse();
      return;
    }
    const user = await this.users.findById(userId);
    if (!user) throw Errors.unauthorized('SESSION_REVOKED');
    try {
      await this.transactions.run((manager) =>
        this.insertIdentity(manager, user.id, provider, profile),
      );
    } catch (error) {
      // The account has another identity of this provider, or the identity was linked meanwhile.
      if (uniqueViolation(error)?.includes('provider')) throw Errors.providerAlreadyLinked();
      if (uniqueViolation(error)) throw Errors.identityInUse();
      throw error;
    }
    this.tell(
      user,
      `The ${provider} account ${profile.email ?? profile.subject} was linked to your account`,
    );
  }

  async list(userId: string): Promise<UserIdentity[]> {
    return this.identities.find({ where: { userId }, order: { createdAt: 'ASC' } });
  }

  /** PROVIDER_ALREADY_LINKED when the account already has an identity of `provider`. */
  async assertNotLinked(userId: string, provider: string): Promise<void> {
    if (await this.identities.existsBy({ userId, provider })) throw Errors.providerAlreadyLinked();
  }

  /**
   * Unlinks; LAST_LOGIN_METHOD when the account has no password and no other identity. The
   * user row is locked, so two racing unlinks cannot remove the last two identities.
   */
  async unlink(userId: string, provider: string): Promise<UserIdentity> {
    const { user, identity } = await this.transactions.run(async (manager) => {
      const locked = await this.users.lockRow(userId, manager);
      if (!locked) throw Errors.unauthorized('SESSION_REVOKED');
      const all = await manager.findBy(UserIdentity, { userId });
      const found = all.find((candidate) => candidate.provider === provider);
      if (!found) throw Errors.identityNotFound();
      if (locked.passwordHash === null && all.length === 1) throw Errors.lastLoginMethod();
      await manager.delete(UserIdentity, { id: found.id });
      return { user: locked, identity: found };
    });
    this.tell(
      user,
      `The ${provider} account ${identity.email ?? identity.subject} was unlinked from your account`,
    );
    return identity;
  }

  private async linkedUserOf(profile: ProviderProfile): Promise<User | null> {
    const identity = await this.identities.findOneBy({
      issuer: profile.issuer,
      subject: profile.subject,
    });
    if (!identity) return null;
    await this.identities.update(
      { id: identity.id },
      { lastUsedAt: new Date(), email: profile.email ?? identity.email },
    );
    return this.users.findById(identity.userId);
  }

  /** A new account with its identity, in one transaction; a taken username gets a suffix. */
  private async createAccount(
    provider: string,
    profile: ProviderProfile,
    email: string,
  ): Promise<User> {
    const base = usernameBaseOf(profile, email);
    for (let attempt = 0; attempt < USERNAME_ATTEMPTS; attempt += 1) {
      const username = attempt === 0 ? base : `${base}-${this.crypto.randomToken(3)}`;
      if (!(await this.users.usernameFree(username))) continue;
      try {
        return await this.transactions.run(async (manager) => {
          const user = await this.users.insertWithoutPassword(
            { username, email, verified: profile.emailVerified },
            manager,
          );
          await this.insertIdentity(manager, user.id, provider, profile);
          return user;
        });
      } catch (error) {
        if (error instanceof DomainError && error.code === 'USERNAME_TAKEN') continue;
        if (error instanceof DomainError && error.code === 'EMAIL_TAKEN')
          throw Errors.accountExists();
        // The same identity signed up in a racing request: that one made the account.
        if (uniqueViolation(error)) throw Errors.conflict();
        throw error;
      }
    }
    throw Errors.conflict();
  }

  private async insertIdentity(
    manager: EntityManager,
    userId: string,
    provider: string,
    profile: ProviderProfile,
  ): Promise<void> {
    const now = new Date();
    await manager.insert(UserIdentity, {
      id: this.crypto.uuid(),
      userId,
      provider,
      issuer: profile.issuer,
      subject: profile.subject,
      email:
        profile.email && profile.email.length <= EMAIL_LENGTH ? profile.email.toLowerCase() : null,
      createdAt: now,
      lastUsedAt: now,
    });
  }

  private tell(user: User, event: string): void {
    this.mail.sendInBackground('sign-in-provider', user.email, {
      username: user.username,
      event,
      when: mailTimestamp(new Date()),
    });
  }
}

/** A username from the provider's name or the email's local part: 3-24 allowed characters. */
function usernameBaseOf(profile: ProviderProfile, email: string): string {
  const source = profile.nameHint ?? email.split('@')[0];
  const cleaned = source
    .normalize('NFKC')
    .replace(/\s+/g, '.')
    .replace(/[^A-Za-z0-9_.-]/g, '')
    .slice(0, 24);
  return cleaned.length >= 3 ? cleaned : `user${cleaned}`.padEnd(3, '0');
}
