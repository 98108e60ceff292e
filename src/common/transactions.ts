import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';

/**
 * Runs work in one database transaction. SQLite has a single connection shared by every
 * request, so two transactions must not interleave on it: there they run one after another.
 */
@Injectable()
export class Transactions {
  private queue: Promise<unknown> = Promise.resolve();
  private readonly serialise: boolean;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    this.serialise = dataSource.options.type !== 'mysql';
  }

  private readonly afterCommitHooks = new WeakMap<EntityManager, Array<() => Promise<void>>>();

  async run<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    const hooks: Array<() => Promise<void>> = [];
    const tracked = (manager: EntityManager) => {
      hooks.length = 0; // a retried attempt starts over
      this.afterCommitHooks.set(manager, hooks);
      return work(manager);
    };
    const result = await this.transaction(tracked);
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

  /**
   * Runs `work` that issues statements on their own (autocommit, `Sql.write`) where it cannot
   * slip into someone's open transaction: on SQLite, in the same queue as the transactions; on
   * MySQL every statement takes its own pooled connection, so at once.
   */
  autocommit<T>(work: () => Promise<T>): Promise<T> {
    return this.serialise ? this.queued(work) : work();
  }

  private queued<T>(work: () => Promise<T>): Promise<T> {
    const result = this.queue.then(work);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    if (!this.serialise) return this.retryingDeadlocks(() => this.mysqlTransaction(work));
    return this.queued(() => this.dataSource.transaction(work));
  }

  /**
   * Runs a whole MySQL transaction (one of ours, or one a stored procedure begins and commits)
   * again when InnoDB chose it as a deadlock victim, as InnoDB expects.
   */
  async retryingDeadlocks<T>(transaction: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await transaction();
      } catch (error) {
        if (attempt >= MAX_ATTEMPTS || !isDeadlock(error)) throw error;
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * attempt));
      }
    }
  }

  /**
   * READ COMMITTED: correctness rests on row locks and unique keys, not on snapshots, and it
   * avoids InnoDB's gap locks, which deadlock parallel "update none, then insert" transactions.
   * This is what `dataSource.transaction('READ COMMITTED', work)` does, minus a round trip: the level
   * is set once per pooled connection (every transaction here asks for the same one) instead of
   * by a SET TRANSACTION before each START TRANSACTION.
   */
  private async mysqlTransaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    const runner = this.dataSource.createQueryRunner();
    try {
      const connection = (await runner.connect()) as object;
      if (!readCommitted.has(connection)) {
        await runner.query('SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED');
        readCommitted.add(connection);
      }
      await runner.startTransaction();
      try {
        const result = await work(runner.manager);
        await runner.commitTransaction();
        return result;
      } catch (error) {
        await runner.rollbackTransaction().catch(() => undefined); // the first error is the one to tell
        throw error;
      }
    } finally {
      await runner.release();
    }
  }
}

/** Pooled MySQL connections whose session level is READ COMMITTED already. */
const readCommitted = new WeakSet<object>();

const MAX_ATTEMPTS = 4;

/** InnoDB gave up on a lock (a deadlock victim, or a wait timed out): the statement was undone. */
export function isDeadlock(error: unknown): boolean {
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
