import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import type { ClientInfo } from '../common/client-info';
import { CryptoService } from '../common/crypto.service';
import { Errors } from '../common/errors';
import { Transactions, uniqueViolation } from '../common/transactions';
import { authConfig } from '../config/auth.config';
import type { User } from '../users/user.entity';
import { UsersService } from '../users/users.service';
import { newRefreshToken } from './session-tokens';
import { SessionStateCache } from './session-state-cache';
import { Session, SessionStatus } from './session.entity';

export type EndedStatus = Exclude<SessionStatus, 'active'>;

/** A session and its refresh token, as a login or a refresh hands them out. */
export interface IssuedSession {
  session: Pick<Session, 'id' | 'userId' | 'expiresAt' | 'createdAt' | 'amr'>;
  refreshToken: string;
}

/** How a login was authenticated, and work that must commit with the new session or not at all. */
export interface SessionStart {
  force: boolean;
  /** RFC 8176 values: ['pwd'], or ['pwd', 'otp'] after a second factor. */
  amr: readonly string[];
  /** Runs in the session's transaction (e.g. consuming the login's one-time MFA token). */
  within?: (manager: EntityManager) => Promise<void>;
}

/** What a login did: the new session, and the one it ended, if any. */
export interface StartedSession extends IssuedSession {
  ended?: { sessionId: string; status: 'replaced' | 'expired' };
}

/** Which active sessions to end. */
type Which = { id: string } | { userId: string; exceptId?: string };

/** Starts and ends sessions: one active session per user, enforced by the database. */
@Injectable()
export class SessionsService {
  private readonly lifetimeMs: number;

  constructor(
    @Inject(authConfig.KEY) private readonly auth: ConfigType<typeof authConfig>,
    private readonly transactions: Transactions,
    private readonly crypto: CryptoService,
    private readonly users: UsersService,
    private readonly cache: SessionStateCache,
    @InjectRepository(Session) private readonly sessions: Repository<Session>,
  ) {
    this.lifetimeMs = auth.refreshTokenDays * 24 * 60 * 60 * 1000;
  }

  /**
   * Starts the user's one session, in one transaction that locks the user's row, so racing
   * logins of one account run one after the other. Under the `reject` policy an active session
   * answers SESSION_ACTIVE unless `force`; otherwise it is ended as replaced (an expired one as
   * expired). The unique key on active_user_id is the last word: two active sessions of one
   * user cannot be stored, whatever happens.
   *
   * `user` is the account as its credentials were checked. If its password changed since (a
   * reset or change committed in between), the login is refused as INVALID_CREDENTIALS: a
   * session never outlives the password it was started with. If it was disabled since, the login
   * is refused as ACCOUNT_DISABLED: a disable, which locks the same row, either comes first and
   * is seen here, or comes after and ends the session this starts.
   */
  async start(
    user: Pick<User, 'id' | 'passwordHash'>,
    client: ClientInfo,
    { force, amr, within }: SessionStart,
  ): Promise<StartedSession> {
    const userId = user.id;
    const mayReplace = force || this.auth.sessionPolicy === 'replace';
    const now = new Date();
    const { session, refreshToken } = this.newSession(userId, client, now, amr);
    try {
      return await this.transactions.run(async (manager) => {
        const locked = await this.users.lockRow(userId, manager);
        if (locked?.passwordHash !== user.passwordHash)
          throw Errors.invalidCredentials().concerning({ userId });
        if (locked.status !== 'active') throw Errors.accountDisabled().concerning({ userId });
        const current = await manager.findOneBy(Session, { activeUserId: userId });
        let ended: StartedSession['ended'];
        if (current) {
          const expired = current.expiresAt.getTime() <= now.getTime();
          if (!expired && !mayReplace) throw Errors.sessionActive().concerning({ userId });
          ended = { sessionId: current.id, status: expired ? 'expired' : 'replaced' };
          await this.endAll(manager, [current], ended.status, now);
        }
        await within?.(manager);
        await manager.insert(Session, session);
        await this.users.recordLogin(userId, now, manager);
        return { session, refreshToken, ended };
      });
    } catch (error) {
      if (uniqueViolation(error)) throw Errors.sessionActive().concerning({ userId });
      throw error;
    }
  }

  /** Logout: the session ends at once, for every instance. */
  async end(sessionId: string): Promise<void> {
    await this.endSessions({ id: sessionId }, 'ended');
  }

  /** Ends the active sessions that match (`manager`: inside that transaction); returns how many. */
  async endSessions(which: Which, status: EndedStatus, manager?: EntityManager): Promise<number> {
    if (!manager) return this.transactions.run((inner) => this.endSessions(which, status, inner));
    const query = manager.createQueryBuilder(Session, 'session').where("session.status = 'active'");
    if ('id' in which) query.andWhere('session.id = :id', { id: which.id });
    else {
      // active_user_id is set exactly while a session is active: the unique index finds it.
      query.andWhere('session.activeUserId = :userId', { userId: which.userId });
      if (which.exceptId) query.andWhere('session.id <> :exceptId', { exceptId: which.exceptId });
    }
    const ending = await this.transactions.forUpdate(query).getMany();
    await this.endAll(manager, ending, status, new Date());
    return ending.length;
  }

  /** Ends every active session of the user (reset, change), optionally keeping one. */
  revokeAllSessionsOf(
    userId: string,
    manager: EntityManager,
    keepSessionId?: string,
  ): Promise<number> {
    return this.endSessions({ userId, exceptId: keepSessionId }, 'revoked', manager);
  }

  /** The user's active session, if any (for the admin's view of an account). */
  activeSessionOf(userId: string): Promise<Session | null> {
    return this.sessions.findOneBy({ activeUserId: userId });
  }

  /**
   * After what active sessions carry (the account's roles) changed in this transaction: once it
   * commits, every instance's guard reads sessions from the database again before it answers
   * with the old roles (see SessionStateCache.invalidateAll).
   */
  rolesChanged(manager: EntityManager): void {
    this.transactions.afterCommit(manager, () => this.cache.invalidateAll());
  }

  private newSession(userId: string, client: ClientInfo, now: Date, amr: readonly string[]) {
    const id = this.crypto.uuid();
    const refreshToken = newRefreshToken(this.crypto, id);
    const session: Session = {
      id,
      userId,
      activeUserId: userId,
      status: 'active',
      refreshTokenHash: this.crypto.sha256(refreshToken),
      createdAt: now,
      expiresAt: new Date(now.getTime() + this.lifetimeMs),
      lastSeenAt: now,
      endedAt: null,
      ip: client.ip,
      userAgent: client.userAgent,
      amr: amr.join(' '),
    };
    return { session, refreshToken };
  }

  /**
   * Marks the sessions ended. Once the transaction commits, tombstones tell every instance's
   * guard (through Redis, when configured) before the revoking request answers.
   */
  private async endAll(
    manager: EntityManager,
    ending: Session[],
    status: EndedStatus,
    now: Date,
  ): Promise<void> {
    if (ending.length === 0) return;
    await manager
      .createQueryBuilder()
      .update(Session)
      .set({ status, activeUserId: null, endedAt: now })
      .where("status = 'active' AND id IN (:...ids)", { ids: ending.map((session) => session.id) })
      .execute();
    this.transactions.afterCommit(manager, () =>
      this.cache.tombstone(
        ending.map((session) => ({
          sessionId: session.id,
          userId: session.userId,
          status,
          expiresAt: session.expiresAt,
        })),
      ),
    );
  }
}
