import { Injectable } from '@nestjs/common';
import { placeholders, readDate, Sql } from '../common/sql';
import { TurnBatch } from '../common/turn-batch';
import type { SessionStatus } from './session.entity';

/** last_seen_at is written at most this often per session (across every instance with Redis). */
export const LAST_SEEN_RESOLUTION_MS = 60_000;

/** What the guard knows about a session: its state, and what GET /session/active shows. */
export interface SessionSnapshot {
  id: string;
  userId: string;
  status: SessionStatus;
  expiresAt: Date;
  createdAt: Date;
  lastSeenAt: Date;
  ip: string | null;
  userAgent: string | null;
}

const BY_ID =
  'SELECT id, user_id, status, expires_at, created_at, last_seen_at, ip, user_agent FROM sessions WHERE id = ?';

interface Row {
  id: string;
  user_id: string;
  status: SessionStatus;
  expires_at: string | Date;
  created_at: string | Date;
  last_seen_at: string | Date;
  ip: string | null;
  user_agent: string | null;
}

function toSnapshot(row: Row): SessionSnapshot {
  return {
    id: row.id,
    userId: row.user_id,
    status: row.status,
    expiresAt: readDate(row.expires_at),
    createdAt: readDate(row.created_at),
    lastSeenAt: readDate(row.last_seen_at),
    ip: row.ip,
    userAgent: row.user_agent,
  };
}

/** Largest batch of one read; batches are padded up to a power of two (few statement shapes). */
const MAX_BATCH = 64;
const BY_IDS = new Map(
  Array.from({ length: Math.log2(MAX_BATCH) + 1 }, (_, i) => 2 ** i).map((size) => [
    size,
    `${BY_ID.replace('= ?', 'IN')} ${placeholders(size)}`,
  ]),
);

interface Waiting {
  resolve(snapshot: SessionSnapshot | null): void;
  reject(error: unknown): void;
}

/**
 * The guard's database read: a prepared primary-key lookup, skipping the query builder (which
 * cost more than the query itself on this path). The reads that arrive in one turn of the event
 * loop go together, as one `id IN (...)` statement, each still answered from the row as it is
 * now. On MySQL that is one round trip for many requests. On SQLite, whose reads are
 * synchronous, batching still nearly halved the main thread's CPU per session check under the
 * bench's load (0.22 to 0.12 ms): the requests of one turn go through the rest of the pipeline
 * together rather than one by one.
 */
@Injectable()
export class SessionSnapshots {
  private readonly batch = new TurnBatch<Waiting>(MAX_BATCH, (ids, waiters) => {
    void this.readBatch(ids, waiters);
  });

  constructor(private readonly sql: Sql) {}

  byId(sessionId: string): Promise<SessionSnapshot | null> {
    return new Promise((resolve, reject) =>
      this.batch.add(this.keyOf(sessionId), { resolve, reject }),
    );
  }

  /** The id as the column compares it: MySQL's collation ignores case, SQLite's does not. */
  private keyOf(sessionId: string): string {
    return this.sql.isMysql ? sessionId.toLowerCase() : sessionId;
  }

  private async readBatch(ids: string[], batch: Map<string, Waiting[]>): Promise<void> {
    const size = 2 ** Math.ceil(Math.log2(ids.length));
    const padded = ids.concat(Array<string>(size - ids.length).fill(ids[0]));
    try {
      const rows = await this.sql.read<Row>(BY_IDS.get(size) as string, padded);
      const byId = new Map(rows.map((row) => [this.keyOf(row.id), row]));
      for (const id of ids) {
        const row = byId.get(id);
        // Each caller gets its own snapshot: the guard may update lastSeenAt on it.
        for (const waiter of batch.get(id) ?? []) waiter.resolve(row ? toSnapshot(row) : null);
      }
    } catch (error) {
      for (const id of ids) for (const waiter of batch.get(id) ?? []) waiter.reject(error);
    }
  }
}

/** A full snapshot (as opposed to a tombstone's bare state). */
export function isSnapshot(state: object): state is SessionSnapshot {
  return 'id' in state && 'createdAt' in state && state.createdAt instanceof Date;
}
