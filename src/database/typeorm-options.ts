import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { DataSourceOptions } from 'typeorm';
import type { DatabaseConfig } from '../config/database.config';
import { DropTimedOutConnections } from './query-timeouts';

const entities = [join(__dirname, '..', '**', '*.entity.{ts,js}')];
const migrations = [join(__dirname, '..', '..', 'migrations', '*.{ts,js}')];

/**
 * One description of the database for the app, the tests and the migration CLI. queryTimeout:
 * false for the migration runners, where a migration of a big table may rightly take minutes.
 */
export function typeOrmOptions(
  db: DatabaseConfig,
  { queryTimeout = true }: { queryTimeout?: boolean } = {},
): DataSourceOptions {
  const common = {
    entities,
    migrations,
    migrationsRun: db.migrate,
    migrationsTransactionMode: 'each' as const,
    synchronize: false,
    logging: db.logging,
  };
  if (db.type === 'mysql') {
    return {
      ...common,
      type: 'mysql',
      host: db.host,
      port: db.port,
      username: db.user,
      password: db.password,
      database: db.name,
      charset: 'utf8mb4',
      timezone: 'Z',
      supportBigNumbers: true,
      // Bounded waits: a connection that does not complete its handshake, and a query that gets
      // no answer, fail after DB_TIMEOUT_MS (a stopped or frozen server: 503, not a hang).
      connectTimeout: db.timeoutMs,
      maxQueryExecutionTime: db.timeoutMs,
      enableQueryTimeout: queryTimeout,
      subscribers: [DropTimedOutConnections],
      extra: { connectionLimit: 20 },
    };
  }
  if (db.path !== ':memory:') mkdirSync(dirname(db.path), { recursive: true });
  return {
    ...common,
    type: 'better-sqlite3',
    database: db.path,
    prepareDatabase: (connection: { pragma(sql: string): unknown }) => {
      connection.pragma('journal_mode = WAL');
      connection.pragma('synchronous = NORMAL');
      connection.pragma('busy_timeout = 5000');
      connection.pragma('foreign_keys = ON');
    },
  };
}
