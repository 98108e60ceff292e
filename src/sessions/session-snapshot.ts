import { Injectable } from '@nestjs/common';
import { readDate, Sql } from '../common/sql';
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

/**
 * The guard's database read: one prepared primary-key lookup, skipping the query builder
 * (which cost more than the query itself on this path).
 */
@Injectable()
export class SessionSnapshots {
  constructor(private readonly sql: Sql) {}

  async byId(sessionId: string): Promise<SessionSnapshot | null> {
    const [row] = await this.sql.read<Row>(BY_ID, [sessionId]);
    return row ? toSnapshot(row) : null;
  }
}

/** A full snapshot (as opposed to a tombstone's bare state). */
export function isSnapshot(state: object): state is SessionSnapshot {
  return 'id' in state && 'createdAt' in state && state.createdAt instanceof Date;
}
