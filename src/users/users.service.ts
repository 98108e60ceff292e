import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, In, Repository, SelectQueryBuilder } from 'typeorm';
import { authConfig } from '../config/auth.config';
import { CryptoService } from '../common/crypto.service';
import { Errors } from '../common/errors';
import { normaliseEmail } from '../common/email';
import { Transactions, uniqueViolation } from '../common/transactions';
import { rolesFromColumn, selectAssignedRoles } from '../roles/roles.service';
import type { RoleName } from '../roles/roles';
import { normaliseUsername, usernameKey } from './identity';
import { passwordProblem } from './password-policy';
import { AccountStatus, User } from './user.entity';

export interface NewUser {
  username: string;
  email: string;
  password: string;
}

/** What the admin listing filters on; `after` continues after a previous page's last account. */
export interface UserSearch {
  /** A prefix of the email or of the username (without regard to case). */
  prefix?: string;
  status?: AccountStatus;
  role?: RoleName;
  limit: number;
  after?: { createdAt: Date; id: string };
}

export type UserWithRoles = User & { roles: RoleName[] };

/** LIKE with `!` as its escape character, which SQLite and MySQL read alike. */
const likePrefix = (value: string) => `${value.replace(/[!%_]/g, (c) => `!${c}`)}%`;

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
    const user = this.newAccount({
      username,
      email,
      passwordHash: await this.crypto.hashPassword(input.password),
      verified: false,
    });
    // In the SQLite queue: a statement run between another transaction's statements would
    // join it, and be undone with it.
    await insertExplained(() => this.transactions.autocommit(() => this.users.insert(user)));
    return user;
  }

  /**
   * Inserts an account made by a sign-in provider: no password (forgot-password sets one),
   * verified only when the provider vouched for the email. In the caller's transaction, with
   * the identity it links; the unique keys answer EMAIL_TAKEN / USERNAME_TAKEN.
   */
  async insertWithoutPassword(
    input: { username: string; email: string; verified: boolean },
    manager: EntityManager,
  ): Promise<User> {
    const user = this.newAccount({ ...input, passwordHash: null });
    await insertExplained(() => manager.insert(User, user));
    return user;
  }

  /** Whether a username is free (without regard to case). */
  async usernameFree(username: string): Promise<boolean> {
    return !(await this.users.existsBy({ usernameKey: usernameKey(username) }));
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

  /** The account, once `password` is proven to be its own; INVALID_CREDENTIALS otherwise. */
  async findByIdWithPassword(
    id: string,
    password: string,
  ): Promise<User & { passwordHash: string }> {
    const user = await this.findById(id);
    if (!user || !(await this.crypto.verifyPassword(user.passwordHash, password)))
      throw Errors.invalidCredentials();
    return user as User & { passwordHash: string };
  }

  findByEmail(email: string): Promise<User | null> {
    return this.users.findOneBy({ email: normaliseEmail(email) });
  }

  /** The account with its roles, in one query. */
  async findWithRoles(id: string): Promise<UserWithRoles | null> {
    const [user] = await this.withRoles(
      this.users.createQueryBuilder('user').where('user.id = :id', { id }),
    );
    return user ?? null;
  }

  /** Accounts newest first (created_at, then id), with their roles, for the admin listing. */
  search(filter: UserSearch): Promise<UserWithRoles[]> {
    const query = this.users.createQueryBuilder('user');
    if (filter.prefix) {
      const prefix = likePrefix(filter.prefix.toLowerCase());
      query.andWhere(
        "(user.email LIKE :prefix ESCAPE '!' OR user.usernameKey LIKE :prefix ESCAPE '!')",
        { prefix },
      );
    }
    if (filter.status) query.andWhere('user.status = :status', { status: filter.status });
    if (filter.role && filter.role !== 'user') {
      query.andWhere(
        'EXISTS (SELECT 1 FROM user_roles held WHERE held.user_id = user.id AND held.role = :role)',
        { role: filter.role },
      );
    }
    if (filter.after) {
      query.andWhere(
        '(user.createdAt < :afterAt OR (user.createdAt = :afterAt AND user.id < :afterId))',
        { afterAt: filter.after.createdAt, afterId: filter.after.id },
      );
    }
    return this.withRoles(
      query.orderBy('user.createdAt', 'DESC').addOrderBy('user.id', 'DESC').limit(filter.limit),
    );
  }

  /** How many of these accounts are active (not disabled). */
  countActive(ids: string[], manager: EntityManager): Promise<number> {
    if (ids.length === 0) return Promise.resolve(0);
    return manager.count(User, { where: { id: In(ids), status: 'active' } });
  }

  async setStatus(userId: string, status: AccountStatus, manager: EntityManager): Promise<boolean> {
    const result = await manager
      .createQueryBuilder()
      .update(User)
      .set({ status, updatedAt: new Date() })
      .where('id = :userId AND status <> :status', { userId, status })
      .execute();
    return result.affected === 1;
  }

  async recordLogin(userId: string, at: Date, manager: EntityManager): Promise<void> {
    await manager.update(User, { id: userId }, { lastLoginAt: at });
  }

  /**
   * Deletes the account; its sessions, tokens and role assignments go with it (foreign keys,
   * ON DELETE CASCADE). Audit rows keep its id: they have no foreign key.
   */
  async delete(userId: string, manager: EntityManager): Promise<void> {
    await manager.delete(User, { id: userId });
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

  private newAccount(input: {
    username: string;
    email: string;
    passwordHash: string | null;
    verified: boolean;
  }): User {
    const now = new Date();
    const username = normaliseUsername(input.username);
    return this.users.create({
      id: this.crypto.uuid(),
      username,
      usernameKey: usernameKey(username),
      email: normaliseEmail(input.email),
      passwordHash: input.passwordHash,
      isVerified: input.verified,
      verifiedAt: input.verified ? now : null,
      status: 'active',
      lastLoginAt: null,
      createdAt: now,
      updatedAt: now,
    });
  }

  private async withRoles(query: SelectQueryBuilder<User>): Promise<UserWithRoles[]> {
    const { entities, raw } = await selectAssignedRoles(
      query,
      'user.id',
      'user_roles_list',
    ).getRawAndEntities<{ user_id: string; user_roles_list: string | null }>();
    const roles = new Map(raw.map((row) => [row.user_id, row.user_roles_list]));
    return entities.map((user) => ({ ...user, roles: rolesFromColumn(roles.get(user.id)) }));
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

/** Runs an insert of a new account; a unique key it ran into is EMAIL_TAKEN or USERNAME_TAKEN. */
async function insertExplained(insert: () => Promise<unknown>): Promise<void> {
  try {
    await insert();
  } catch (error) {
    const key = uniqueViolation(error);
    if (key?.includes('email')) throw Errors.emailTaken();
    if (key?.includes('username')) throw Errors.usernameTaken();
    throw error;
  }
}
