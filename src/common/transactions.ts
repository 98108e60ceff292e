import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  DataSource,
  EntityManager,
  ObjectLiteral,
  QueryFailedError,
  SelectQueryBuilder,
} from 'typeorm';

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
      ? await this.queued(() => this.dataSource.transaction(tracked))
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
    return this.serialise ? this.queued(work) : work();
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
