import { QueryFailedError } from 'typeorm';
import { databaseUnavailable } from './database-errors';

function driverError(fields: Record<string, unknown>): Error {
  return Object.assign(new Error('driver'), fields);
}

const failedQuery = (fields: Record<string, unknown>) =>
  new QueryFailedError('SELECT 1', [], driverError(fields));

describe('databaseUnavailable', () => {
  it.each([
    ['a refused connection', { code: 'ECONNREFUSED' }],
    ['a lost connection', { code: 'PROTOCOL_CONNECTION_LOST', fatal: true }],
    ['a query timeout', { code: 'PROTOCOL_SEQUENCE_TIMEOUT' }],
    ['a connect timeout', { code: 'ETIMEDOUT' }],
    ['too many connections', { code: 'ER_CON_COUNT_ERROR', errno: 1040 }],
    ['a server shutting down', { code: 'ER_SERVER_SHUTDOWN' }],
    ['a lock wait timeout', { code: 'ER_LOCK_WAIT_TIMEOUT' }],
    ['a busy SQLite file', { code: 'SQLITE_BUSY' }],
    ['a query on a dead connection', { fatal: true }],
  ])('is true for %s, bare or inside a QueryFailedError', (_what, fields) => {
    expect(databaseUnavailable(driverError(fields))).toBe(true);
    expect(databaseUnavailable(failedQuery(fields))).toBe(true);
  });

  it.each([
    ['a duplicate key', { code: 'ER_DUP_ENTRY' }],
    ['a syntax error', { code: 'ER_PARSE_ERROR' }],
    ['a deadlock (retried by the transaction)', { code: 'ER_LOCK_DEADLOCK' }],
    ['a SQLite constraint', { code: 'SQLITE_CONSTRAINT_UNIQUE' }],
    ['a programming error', {}],
  ])('is false for %s', (_what, fields) => {
    expect(databaseUnavailable(failedQuery(fields))).toBe(false);
    expect(databaseUnavailable(new TypeError('x is undefined'))).toBe(false);
  });
});
