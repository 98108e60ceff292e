import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  DataSource,
  EntityManager,
  ObjectLiteral,
  QueryFailedError,
  SelectQueryBuilder,
} from 'typeorm';
import type { BetterSqlite3Driver } from 'typeorm/driver/better-sqlite3/BetterSqlite3Driver';
import { Errors } from './errors';

/** What a client is told to wait before writing again while SQLite cannot write. */
const UNAVAILABLE_RETRY_AFTER_SECONDS = 5;

/**
 * Runs work in one database transaction. SQLite has a single connection shared by every
 * request, so two transactions must not interleave on it: there they run one after another.
 * MySQL transactions run READ COMMITTED: correctness rests on row locks and unique keys, not on
 * snapshots, and it avoids InnoDB's gap locks, which deadlock parallel "update none, then
 * insert" transactions.
 */
@Injectable()
export class Transactions {
  private queue: Promise<unknown> = Promise.resolve();
  private readonly serialise: boolean;
  private readonly afterCommitHooks = new WeakMap<EntityManager, Array<() => Promise<void>>>();

  private readonly logger = new Logger('Transactions');
  /** A SQLite write failed for want of storage; cleared by the next one that commits. */
  private writesFailing = false;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    this.serialise = dataSource.options.type !== 'mysql';
  }

  async run<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    const hooks: Array<() => Promise<void>> = [];
    const tracked = (manager: EntityManager) => {
      hooks.length = 0; // a retried attempt starts over
      this.afterCommitHooks.set(manager, hooks);
      return work(manager);
    };
    const result = this.serialise
      ? await this.queued(() => this.durably(() => this.dataSource.transaction(tracked)))
      : await retryingDeadlocks(() => this.dataSource.transaction('READ COMMITTED', tracked));
    for (const hook of hooks) await hook();
    return result;
  }

  /**
   * Runs `hook` once the transaction that `manager` belongs to has committed (never if it
   * rolls back), before `run` returns: e.g. telling other instances that a session ended.
   */
  afterCommit(manager: EntityManager, hook: () => Promise<void>): void {
    const hooks = this.afterCommitHooks.get(manager);
    if (!hooks) throw new Error('afterCommit needs a manager from Transactions.run');
    hooks.push(hook);
  }

  /** Locks the rows `query` reads until the transaction ends (SQLite's run one at a time). */
  forUpdate<T extends ObjectLiteral>(query: SelectQueryBuilder<T>): SelectQueryBuilder<T> {
    return this.serialise ? query : query.setLock('pessimistic_write');
  }

  /**
   * Runs `work` that writes outside a transaction (one statement, autocommit) where it cannot
   * slip into someone's open transaction: on SQLite, in the same queue as the transactions; on
   * MySQL every statement takes its own pooled connection, so at once.
   */
  autocommit<T>(work: () => Promise<T>): Promise<T> {
    return this.serialise ? this.queued(() => this.durably(work)) : work();
  }

  /**
   * Whether the database takes writes: after a SQLite write failed for want of storage, a
   * write that changes nothing (the header's user_version, to itself) tries again.
   */
  async writable(): Promise<boolean> {
    if (!this.writesFailing) return true;
    try {
      await this.run(async (manager) => {
        const [{ user_version: version }] = (await manager.query('PRAGMA user_version')) as Array<{
          user_version: number;
        }>;
        await manager.query(`PRAGMA user_version = ${Number(version)}`);
      });
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Runs SQLite work that writes, and answers for it only if it reached the file. When COMMIT
   * fails for want of space (SQLITE_FULL) or on an I/O error, SQLite has already rolled the
   * transaction back, so TypeORM's ROLLBACK fails too, and its one query runner goes on
   * believing a transaction is open: every later transaction then starts with a SAVEPOINT
   * (inside the one it thinks is open) instead of BEGIN, and once a RELEASE of that savepoint
   * fails and is rolled back to, SQLite really is left in an open transaction that every later
   * "commit" only nests in, and that nothing ever commits. So after each piece of work the
   * connection must be outside any transaction; if it is not, it is put back there and the
   * request is answered 503, as is any failure for want of storage.
   */
  private async durably<T>(work: () => Promise<T>): Promise<T> {
    let result: T;
    try {
      result = await work();
    } catch (error) {
      const clean = this.leaveNoTransactionOpen();
      if (clean && !sqliteStorageFailure(error)) throw error;
      throw this.unavailable(error);
    }
    if (!this.leaveNoTransactionOpen())
      throw this.unavailable(new Error('SQLite was left in a transaction: nothing was committed'));
    this.writesFailing = false;
    return result;
  }

  /**
   * True when neither SQLite nor TypeORM has a transaction open, as between two pieces of work;
   * otherwise rolls SQLite's back, gives TypeORM's driver a fresh query runner (its single one
   * still counts a transaction that SQLite no longer has) and returns false.
   */
  private leaveNoTransactionOpen(): boolean {
    const driver = this.dataSource.driver as BetterSqlite3Driver;
    const connection = driver.databaseConnection as {
      inTransaction: boolean;
      exec(sql: string): void;
    };
    const runnerInTransaction = driver.queryRunner?.isTransactionActive === true;
    const sqliteInTransaction = connection.inTransaction;
    try {
      if (sqliteInTransaction) connection.exec('ROLLBACK');
    } catch (error) {
      // Still in a transaction: the next piece of work finds it again, and is answered 503.
      this.logger.error({ err: error }, 'SQLite could not roll back');
    }
    if (runnerInTransaction) driver.queryRunner = undefined;
    return !sqliteInTransaction && !runnerInTransaction;
  }

  /** The 503 for a write that did not reach the file; the first of a run is logged with its stack. */
  private unavailable(error: unknown): Error {
    if (!this.writesFailing)
      this.logger.error({ err: error }, 'SQLite cannot write; answering 503');
    else this.logger.warn({ code: sqliteCodeOf(error) }, 'SQLite still cannot write');
    this.writesFailing = true;
    return Errors.serviceUnavailable(UNAVAILABLE_RETRY_AFTER_SECONDS);
  }

  private queued<T>(work: () => Promise<T>): Promise<T> {
    const result = this.queue.then(work);
    this.queue = result.catch(() => undefined);
    return result;
  }
}

const MAX_ATTEMPTS = 4;

/** Runs a whole MySQL transaction again when InnoDB chose it as a deadlock victim, as InnoDB expects. */
async function retryingDeadlocks<T>(transaction: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await transaction();
    } catch (error) {
      if (attempt >= MAX_ATTEMPTS || !isDeadlock(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * attempt));
    }
  }
}

/** InnoDB gave up on a lock (a deadlock victim, or a wait timed out): the statement was undone. */
function isDeadlock(error: unknown): boolean {
  if (!(error instanceof QueryFailedError)) return false;
  const code = (error.driverError as { code?: string }).code;
  return code === 'ER_LOCK_DEADLOCK' || code === 'ER_LOCK_WAIT_TIMEOUT';
}

/** The name of the unique key or column a failed insert/update collided with, if that was why. */
export function uniqueViolation(error: unknown): string | undefined {
  if (!(error instanceof QueryFailedError)) return undefined;
  const driverError = error.driverError as { code?: string; message?: string; sqlMessage?: string };
  const message = driverError.sqlMessage ?? driverError.message ?? '';
  if (driverError.code === 'ER_DUP_ENTRY') {
    return /for key '(?:[^'.]*\.)?([^']+)'/.exec(message)?.[1] ?? 'unknown';
  }
  if (
    driverError.code?.startsWith('SQLITE_CONSTRAINT_UNIQUE') ||
    driverError.code === 'SQLITE_CONSTRAINT_PRIMARYKEY'
  ) {
    return /constraint failed: ([\w.,\s]+)/.exec(message)?.[1]?.trim() ?? 'unknown';
  }
  return undefined;
}

/** The SQLite result code of a failed statement (from better-sqlite3), if it was one. */
function sqliteCodeOf(error: unknown): string | undefined {
  const driverError = error instanceof QueryFailedError ? (error.driverError as unknown) : error;
  const code = (driverError as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_') ? code : undefined;
}

/**
 * SQLite could not read or write its files (full, I/O error, read-only, locked by another
 * process): nothing is wrong with the request, and the same request may succeed later.
 */
function sqliteStorageFailure(error: unknown): boolean {
  return /^SQLITE_(FULL|IOERR|READONLY|CANTOPEN|BUSY|LOCKED|NOMEM|PROTOCOL)/.test(
    sqliteCodeOf(error) ?? '',
  );
}
