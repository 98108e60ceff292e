import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { EntityManager } from 'typeorm';
import type { AuditTrail } from '../audit/audit-trail';
import type { ClientInfo } from '../common/client-info';
import { CryptoService } from '../common/crypto.service';
import { Errors } from '../common/errors';
import { placeholders, readDate, Sql } from '../common/sql';
import { Transactions, uniqueViolation } from '../common/transactions';
import { authConfig } from '../config/auth.config';
import { newRefreshToken, sessionIdOfRefreshToken } from './session-tokens';
import { REFUSAL_FOR_STATUS, refuse } from './session-check';
import { SessionStateCache } from './session-state-cache';
import { Session, SessionStatus } from './session.entity';

export interface StartedSession {
  session: Pick<Session, 'id' | 'userId' | 'expiresAt'>;
  refreshToken: string;
}

/** A session a login ended, and how. */
interface EndedBy {
  session: Pick<Session, 'id' | 'userId' | 'expiresAt'>;
  status: 'replaced' | 'expired';
}

/** What a login does to the user's current session: SESSION_ACTIVE when it may not end it. */
function endingStatus(
  current: Pick<Session, 'expiresAt'>,
  now: Date,
  mayReplace: boolean,
): EndedBy['status'] {
  if (current.expiresAt.getTime() <= now.getTime()) return 'expired';
  if (!mayReplace) throw Errors.sessionActive();
  return 'replaced';
}

const START_SESSION = 'CALL start_session(?, ?, ?, ?, ?, ?, ?, ?)';

/** The procedure's answer: the session it met, for every outcome but `started`. */
type StartSessionRow =
  | { outcome: 'started'; current_id: null; current_expires_at: null }
  | { outcome: 'replaced' | 'expired' | 'active'; current_id: string; current_expires_at: Date };

const FOR_ROTATION =
  'SELECT id, user_id, status, refresh_token_hash, expires_at FROM sessions WHERE id = ?';
/** Swaps the hash only if the presented token is still the current one of an active session. */
const ROTATE =
  "UPDATE sessions SET refresh_token_hash = ?, last_seen_at = ? WHERE id = ? AND refresh_token_hash = ? AND status = 'active'";

interface RotationRow {
  id: string;
  user_id: string;
  status: SessionStatus;
  refresh_token_hash: string;
  expires_at: string | Date;
}

function toRotation(row: RotationRow) {
  return {
    id: row.id,
    userId: row.user_id,
    status: row.status,
    refreshTokenHash: row.refresh_token_hash,
    expiresAt: readDate(row.expires_at),
  };
}

@Injectable()
export class SessionsService {
  private readonly lifetimeMs: number;

  constructor(
    @Inject(authConfig.KEY) private readonly auth: ConfigType<typeof authConfig>,
    private readonly transactions: Transactions,
    private readonly crypto: CryptoService,
    private readonly cache: SessionStateCache,
    private readonly sql: Sql,
  ) {
    this.lifetimeMs = auth.refreshTokenDays * 24 * 60 * 60 * 1000;
  }

  /**
   * Starts the user's one session. Under the `reject` policy an active session answers
   * SESSION_ACTIVE unless `force`; otherwise the old one is ended as replaced (an expired one as
   * expired). On MySQL this is the `start_session` procedure, one round trip (see its migration):
   * it locks the user's row, so racing logins of one account run one after the other. SQLite
   * runs the same steps here, in a transaction (they run one at a time there). A unique key
   * backs both: racing logins cannot make two active sessions.
   */
  async start(
    userId: string,
    client: ClientInfo,
    force: boolean,
    trail: AuditTrail,
  ): Promise<StartedSession> {
    const mayReplace = force || this.auth.sessionPolicy === 'replace';
    const started = this.newSession(userId, client, new Date());
    let ended: EndedBy | undefined;
    try {
      ended = this.sql.isMysql
        ? await this.startInProcedure(started.session, mayReplace)
        : await this.transactions.run((manager) =>
            this.startInTransaction(manager, started.session, mayReplace),
          );
    } catch (error) {
      if (uniqueViolation(error)) throw Errors.sessionActive();
      throw error;
    }
    if (ended?.status === 'replaced') {
      trail.also({
        action: 'session.replaced',
        outcome: 'success',
        userId,
        meta: { session_id: ended.session.id },
      });
    }
    return started;
  }

  private newSession(
    userId: string,
    client: ClientInfo,
    now: Date,
  ): StartedSession & { session: Session } {
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
    };
    return { session, refreshToken };
  }

  /** SQLite: the steps of `start_session`, in a transaction (they run one at a time there). */
  private async startInTransaction(
    manager: EntityManager,
    session: Session,
    mayReplace: boolean,
  ): Promise<EndedBy | undefined> {
    const [current] = await this.activeSessions(manager, { userId: session.userId });
    let ended: EndedBy | undefined;
    if (current) {
      const status = endingStatus(current, session.createdAt, mayReplace);
      await this.endSessions(manager, [current], status, session.createdAt);
      ended = { session: current, status };
    }
    await this.insert(manager, session);
    return ended;
  }

  /** MySQL: the whole transaction in one call; the tombstone follows its commit. */
  private async startInProcedure(
    session: Session,
    mayReplace: boolean,
  ): Promise<EndedBy | undefined> {
    const [row] = await this.transactions.retryingDeadlocks(() =>
      this.sql.call<StartSessionRow>(START_SESSION, [
        session.id,
        session.userId,
        session.refreshTokenHash,
        session.createdAt,
        session.expiresAt,
        session.ip,
        session.userAgent,
        mayReplace ? 1 : 0,
      ]),
    );
    if (row.outcome === 'active') throw Errors.sessionActive();
    if (row.outcome === 'started') return undefined;
    const ended: EndedBy = {
      session: { id: row.current_id, userId: session.userId, expiresAt: row.current_expires_at },
      status: row.outcome,
    };
    await this.tombstone([ended.session], ended.status);
    return ended;
  }

  /**
   * Rotates a refresh token. A token of ours that is no longer the current one (already used,
   * or used by a racing request a moment ago) is reuse: the whole session is revoked.
   */
  async rotate(refreshToken: string, trail: AuditTrail): Promise<StartedSession> {
    const sessionId = sessionIdOfRefreshToken(this.crypto, refreshToken);
    if (!sessionId) throw refuse('TOKEN_INVALID');
    const [row] = await this.sql.read<RotationRow>(FOR_ROTATION, [sessionId]);
    if (!row) throw refuse('TOKEN_INVALID');
    const session = toRotation(row);
    trail.concerns(session.userId);
    trail.meta.session_id = session.id;
    if (session.status !== 'active') throw refuse(REFUSAL_FOR_STATUS[session.status]);
    const now = new Date();
    if (session.expiresAt.getTime() <= now.getTime()) {
      await this.transactions.run((manager) =>
        this.close(manager, { id: session.id }, 'expired', now),
      );
      throw refuse('TOKEN_EXPIRED');
    }
    const presentedHash = this.crypto.sha256(refreshToken);
    const next = newRefreshToken(this.crypto, session.id);
    const rotated =
      this.crypto.safeEqual(presentedHash, session.refreshTokenHash) &&
      (await this.transactions.run(
        async (manager) =>
          (await this.sql.change(manager, ROTATE, [
            this.crypto.sha256(next),
            this.sql.date(now),
            session.id,
            presentedHash,
          ])) === 1,
      ));
    if (!rotated) {
      await this.transactions.run((manager) =>
        this.close(manager, { id: session.id }, 'revoked', now),
      );
      trail.also({
        action: 'token.reuse',
        outcome: 'failure',
        userId: session.userId,
        meta: { session_id: session.id },
      });
      throw refuse('SESSION_REVOKED');
    }
    return { session, refreshToken: next };
  }

  /** Logout: the session ends at once, for every instance. */
  async end(sessionId: string): Promise<void> {
    await this.transactions.run((manager) =>
      this.close(manager, { id: sessionId }, 'ended', new Date()),
    );
  }

  /** Ends every active session of the user (reset, change), optionally keeping one. */
  revokeAllSessionsOf(
    userId: string,
    manager: EntityManager,
    keepSessionId?: string,
  ): Promise<number> {
    return this.close(manager, { userId, exceptId: keepSessionId }, 'revoked', new Date());
  }

  /**
   * Ends the matching active sessions with a terminal status. Once the transaction commits,
   * tombstones tell every instance's guard (through Redis, when configured) before the
   * revoking request answers.
   */
  private async close(
    manager: EntityManager,
    which: { id?: string; userId?: string; exceptId?: string },
    status: Exclude<SessionStatus, 'active'>,
    now: Date,
  ): Promise<number> {
    return this.endSessions(manager, await this.activeSessions(manager, which), status, now);
  }

  /** Active sessions, locked for this transaction on MySQL (SQLite transactions run one at a time). */
  private async activeSessions(
    manager: EntityManager,
    which: { id?: string; userId?: string; exceptId?: string },
  ): Promise<Array<Pick<Session, 'id' | 'userId' | 'expiresAt'>>> {
    let sql = "SELECT id, user_id, expires_at FROM sessions WHERE status = 'active'";
    const values: string[] = [];
    if (which.id) {
      sql += ' AND id = ?';
      values.push(which.id);
    }
    // active_user_id is set exactly while a session is active: the unique index finds it.
    if (which.userId) {
      sql += ' AND active_user_id = ?';
      values.push(which.userId);
    }
    if (which.exceptId) {
      sql += ' AND id <> ?';
      values.push(which.exceptId);
    }
    const rows = await this.sql.query<{ id: string; user_id: string; expires_at: string | Date }>(
      manager,
      sql + this.sql.forUpdate,
      values,
    );
    return rows.map((row) => ({
      id: row.id,
      userId: row.user_id,
      expiresAt: readDate(row.expires_at),
    }));
  }

  private async insert(manager: EntityManager, session: Session): Promise<void> {
    await this.sql.change(
      manager,
      `INSERT INTO sessions (id, user_id, active_user_id, status, refresh_token_hash, created_at, expires_at, last_seen_at, ended_at, ip, user_agent) VALUES ${placeholders(11)}`,
      [
        session.id,
        session.userId,
        session.activeUserId,
        session.status,
        session.refreshTokenHash,
        this.sql.date(session.createdAt),
        this.sql.date(session.expiresAt),
        this.sql.date(session.lastSeenAt),
        null,
        session.ip,
        session.userAgent,
      ],
    );
  }

  private async endSessions(
    manager: EntityManager,
    ending: Array<Pick<Session, 'id' | 'userId' | 'expiresAt'>>,
    status: Exclude<SessionStatus, 'active'>,
    now: Date,
  ): Promise<number> {
    if (ending.length === 0) return 0;
    await this.sql.change(
      manager,
      `UPDATE sessions SET status = ?, active_user_id = NULL, ended_at = ? WHERE status = 'active' AND id IN ${placeholders(ending.length)}`,
      [status, this.sql.date(now), ...ending.map((session) => session.id)],
    );
    this.transactions.afterCommit(manager, () => this.tombstone(ending, status));
    return ending.length;
  }

  /** Tells every instance's guard that these sessions ended (once that has committed). */
  private tombstone(
    ended: Array<Pick<Session, 'id' | 'userId' | 'expiresAt'>>,
    status: Exclude<SessionStatus, 'active'>,
  ): Promise<void> {
    return this.cache.tombstone(
      ended.map((session) => ({
        sessionId: session.id,
        userId: session.userId,
        status,
        expiresAt: session.expiresAt,
      })),
    );
  }
}
