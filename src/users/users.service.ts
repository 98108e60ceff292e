import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { authConfig } from '../config/auth.config';
import { CryptoService } from '../common/crypto.service';
import { Errors } from '../common/errors';
import { normaliseEmail } from '../common/email';
import { Transactions, uniqueViolation } from '../common/transactions';
import { normaliseUsername, usernameKey } from './identity';
import { passwordProblem } from './password-policy';
import { User } from './user.entity';

export interface NewUser {
  username: string;
  email: string;
  password: string;
}

@Injectable()
export class UsersService {
  constructor(
    @InjectRepository(User) private readonly users: Repository<User>,
    @Inject(authConfig.KEY) private readonly auth: ConfigType<typeof authConfig>,
    private readonly crypto: CryptoService,
    private readonly transactions: Transactions,
  ) {}

  async create(input: NewUser): Promise<User> {
    const username = normaliseUsername(input.username);
    const email = normaliseEmail(input.email);
    await this.assertAcceptablePassword(input.password, { username, email }, 'password');
    // Clear answers for the common case; the unique keys decide races below.
    await this.assertUnique(email, usernameKey(username));
    const now = new Date();
    const user = this.users.create({
      id: this.crypto.uuid(),
      username,
      usernameKey: usernameKey(username),
      email,
      passwordHash: await this.crypto.hashPassword(input.password),
      isVerified: false,
      verifiedAt: null,
      createdAt: now,
      updatedAt: now,
    });
    try {
      // In the SQLite queue: a statement run between another transaction's statements would
      // join it, and be undone with it.
      await this.transactions.autocommit(() => this.users.insert(user));
    } catch (error) {
      const key = uniqueViolation(error);
      if (key?.includes('email')) throw Errors.emailTaken();
      if (key?.includes('username')) throw Errors.usernameTaken();
      throw error;
    }
    return user;
  }

  /** Throws WEAK_PASSWORD with the reason; runs before any hashing. */
  async assertAcceptablePassword(
    password: string,
    owner: { username: string; email: string },
    field: string,
  ): Promise<void> {
    const problem = await passwordProblem(password, {
      minLength: this.auth.passwordMinLength,
      minScore: this.auth.passwordMinScore,
      ...owner,
    });
    if (problem) throw Errors.weakPassword(field, problem);
  }

  findById(id: string): Promise<User | null> {
    return this.users.findOneBy({ id });
  }

  findByEmail(email: string): Promise<User | null> {
    return this.users.findOneBy({ email: normaliseEmail(email) });
  }

  /**
   * Locks the user's row until the transaction ends: what changes a user's sessions or
   * credentials runs one at a time per user.
   */
  async lockRow(userId: string, manager: EntityManager): Promise<User | null> {
    const query = manager.createQueryBuilder(User, 'user').where('user.id = :userId', { userId });
    return this.transactions.forUpdate(query).getOne();
  }

  async markVerified(userId: string, manager: EntityManager): Promise<void> {
    const now = new Date();
    await manager
      .createQueryBuilder()
      .update(User)
      .set({ isVerified: true, verifiedAt: now, updatedAt: now })
      .where('id = :userId AND is_verified = :no', { userId, no: false })
      .execute();
  }

  async setPasswordHash(
    userId: string,
    passwordHash: string,
    manager: EntityManager,
  ): Promise<void> {
    await manager.update(User, { id: userId }, { passwordHash, updatedAt: new Date() });
  }

  /**
   * Sets a new hash only if the stored one is still `expectedHash`: a password change that
   * checked the old password loses to a reset (or change) that committed in the meantime.
   */
  async replacePasswordHash(
    userId: string,
    expectedHash: string,
    passwordHash: string,
    manager: EntityManager,
  ): Promise<boolean> {
    const result = await manager
      .createQueryBuilder()
      .update(User)
      .set({ passwordHash, updatedAt: new Date() })
      .where('id = :userId AND password_hash = :expectedHash', { userId, expectedHash })
      .execute();
    return result.affected === 1;
  }

  private async assertUnique(email: string, key: string): Promise<void> {
    const clashes = await this.users.find({
      select: { email: true, usernameKey: true },
      where: [{ email }, { usernameKey: key }],
    });
    if (clashes.some((user) => user.email === email)) throw Errors.emailTaken();
    if (clashes.length > 0) throw Errors.usernameTaken();
  }
}
