import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Statement } from 'better-sqlite3';
import { DataSource } from 'typeorm';
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

/** SQLite keeps TypeORM's UTC "YYYY-MM-DD HH:MM:SS.SSS"; mysql2 (timezone Z) gives Dates. */
function toDate(value: string | Date): Date {
  return value instanceof Date ? value : new Date(`${value.replace(' ', 'T')}Z`);
}

function toSnapshot(row: Row): SessionSnapshot {
  return {
    id: row.id,
    userId: row.user_id,
    status: row.status,
    expiresAt: toDate(row.expires_at),
    createdAt: toDate(row.created_at),
    lastSeenAt: toDate(row.last_seen_at),
    ip: row.ip,
    userAgent: row.user_agent,
  };
}

interface MysqlPool {
  execute(
    sql: string,
    values: unknown[],
    callback: (error: Error | null, rows: Row[]) => void,
  ): void;
}

/**
 * The guard's database read: one prepared primary-key lookup, skipping the query builder
 * (which cost more than the query itself on this path).
 */
@Injectable()
export class SessionSnapshots {
  private readonly read: (id: string) => Promise<Row | undefined>;

  constructor(@InjectDataSource() dataSource: DataSource) {
    if (dataSource.options.type === 'mysql') {
      const pool = (dataSource.driver as unknown as { pool: MysqlPool }).pool;
      this.read = (id) =>
        new Promise((resolve, reject) =>
          pool.execute(BY_ID, [id], (error, rows) => (error ? reject(error) : resolve(rows[0]))),
        );
    } else {
      let statement: Statement<[string], Row> | undefined;
      const connection = () =>
        (
          dataSource.driver as unknown as {
            databaseConnection: { prepare(sql: string): Statement<[string], Row> };
          }
        ).databaseConnection;
      this.read = async (id) => {
        statement ??= connection().prepare(BY_ID);
        return statement.get(id);
      };
    }
  }

  async byId(sessionId: string): Promise<SessionSnapshot | null> {
    const row = await this.read(sessionId);
    return row ? toSnapshot(row) : null;
  }
}

/** A full snapshot (as opposed to a tombstone's bare state). */
export function isSnapshot(state: object): state is SessionSnapshot {
  return 'id' in state && 'createdAt' in state && state.createdAt instanceof Date;
}
