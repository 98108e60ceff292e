import { QueryFailedError } from 'typeorm';

/**
 * Driver errors that mean "the database is away or not answering in time", not "this request
 * is wrong": the network (refused, reset, timed out), a lost or timed-out mysql2 connection,
 * a server that is full or shutting down, a lock or statement that timed out, a busy SQLite
 * file. Constraint violations, syntax errors and the like are deliberately not here.
 */
const UNAVAILABLE_CODES = new Set([
  // Node's sockets and DNS
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  // mysql2: the connection died, or a query saw no answer within its timeout
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  // MySQL/MariaDB server: too many connections, shutting down, killed, timed out
  'ER_CON_COUNT_ERROR',
  'ER_TOO_MANY_USER_CONNECTIONS',
  'ER_SERVER_SHUTDOWN',
  'ER_CONNECTION_KILLED',
  'ER_LOCK_WAIT_TIMEOUT',
  'ER_STATEMENT_TIMEOUT',
  'ER_QUERY_TIMEOUT',
]);

/** The database could not serve the request now; the same request may succeed later. */
export function databaseUnavailable(error: unknown): boolean {
  const driverError = error instanceof QueryFailedError ? (error.driverError as unknown) : error;
  if (typeof driverError !== 'object' || driverError === null) return false;
  const { code, fatal } = driverError as { code?: unknown; fatal?: unknown };
  if (typeof code === 'string') {
    return UNAVAILABLE_CODES.has(code) || code.startsWith('SQLITE_BUSY');
  }
  // mysql2 refuses a query on a connection that already died with an uncoded fatal error.
  return fatal === true;
}
