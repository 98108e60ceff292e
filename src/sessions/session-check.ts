import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { databaseUnavailable } from '../common/database-errors';
import { Errors, TokenRefusal } from '../common/errors';
import {
  LAST_SEEN_RESOLUTION_MS,
  SessionSnapshot,
  SessionSnapshots,
  Tombstone,
} from './session-snapshot';
import { SessionStateCache } from './session-state-cache';
import { Session, SessionStatus } from './session.entity';

/** How a token is refused (401 with a code that says why), for each way its session ended. */
export const REFUSAL_FOR_STATUS: Record<Exclude<SessionStatus, 'active'>, TokenRefusal> = {
  ended: 'SESSION_ENDED',
  replaced: 'SESSION_REPLACED',
  revoked: 'SESSION_REVOKED',
  expired: 'TOKEN_EXPIRED',
};

export function refuse(code: TokenRefusal) {
  return Errors.unauthorized(code);
}

/** The session guard's read: the session as it is now, from Redis when set, else the database. */
@Injectable()
export class SessionCheck {
  private readonly logger = new Logger(SessionCheck.name);

  constructor(
    @InjectRepository(Session) private readonly sessions: Repository<Session>,
    private readonly cache: SessionStateCache,
    private readonly snapshots: SessionSnapshots,
  ) {}

  /**
   * With REDIS_URL: one Redis round trip, and on a miss one database read whose result fills
   * the cache (never over a tombstone). Without: that read. last_seen_at is written at most once
   * a minute, off the request's path.
   */
  async read(sessionId: string): Promise<SessionSnapshot | Tombstone | null> {
    const now = new Date();
    const cached = await this.cache.read(sessionId);
    if (cached?.state) {
      if (cached.seenDue) this.recordSeen(sessionId, now);
      return cached.state;
    }
    let snapshot = await this.snapshots.byId(sessionId);
    if (!snapshot) return null;
    const seenDue =
      snapshot.status === 'active' &&
      now.getTime() - snapshot.lastSeenAt.getTime() >= LAST_SEEN_RESOLUTION_MS;
    if (seenDue) snapshot = { ...snapshot, lastSeenAt: now };
    if (cached) await this.cache.fill(cached.epoch, snapshot);
    if (seenDue) this.recordSeen(sessionId, now);
    return snapshot;
  }

  private recordSeen(sessionId: string, now: Date): void {
    this.sessions
      .createQueryBuilder()
      .update(Session)
      .set({ lastSeenAt: now })
      .where("id = :sessionId AND status = 'active'", { sessionId })
      .execute()
      .catch((error: unknown) => {
        // While the database is away the outage is logged once, by the error filter.
        if (!databaseUnavailable(error))
          this.logger.warn({ err: error }, 'Could not record last_seen_at');
      });
  }
}
