import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import DataLoader from 'dataloader';
import { In, Repository } from 'typeorm';
import { Session, SessionStatus } from './session.entity';

/** last_seen_at is written at most this often per session (across every instance with Redis). */
export const LAST_SEEN_RESOLUTION_MS = 60_000;

/** What the guard knows about a session: its state, and what GET /session/active shows. */
export type SessionSnapshot = Pick<
  Session,
  'id' | 'userId' | 'status' | 'expiresAt' | 'createdAt' | 'lastSeenAt' | 'ip' | 'userAgent' | 'amr'
>;

/** An ended session as the Redis copy remembers it: enough to refuse its tokens. */
export interface Tombstone {
  userId: string;
  status: Exclude<SessionStatus, 'active'>;
  expiresAt: Date;
}

/**
 * The guard's database read. The reads that arrive in one turn of the event loop go together
 * as one `id IN (...)` query (a DataLoader without a cache: each is answered from the row as it
 * is now). Under load that is one query for many requests. The batch waits for the turn to end
 * (setImmediate), not only for the current tick: requests arrive each in an I/O callback of
 * its own, so a tick holds one of them.
 */
@Injectable()
export class SessionSnapshots {
  private readonly loader: DataLoader<string, SessionSnapshot | null>;

  constructor(@InjectRepository(Session) sessions: Repository<Session>) {
    this.loader = new DataLoader(
      async (ids) => {
        const rows = await sessions.findBy({ id: In([...ids]) });
        return ids.map((id) => rows.find((row) => row.id === id) ?? null);
      },
      { cache: false, maxBatchSize: 64, batchScheduleFn: (load) => setImmediate(load) },
    );
  }

  byId(sessionId: string): Promise<SessionSnapshot | null> {
    return this.loader.load(sessionId);
  }
}
