import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, EntityManager, LessThan, MoreThan, Repository } from 'typeorm';
import { CryptoService } from '../common/crypto.service';
import { Sql, SqlValue } from '../common/sql';
import { Transactions } from '../common/transactions';
import { chainHash, findBreak, GENESIS_HASH, Sha256 } from './audit-chain';
import { AuditLog } from './audit-log.entity';
import type { AuditOutcome } from './audit-trail';

/** One event to append; the service adds the time and the chain hashes. */
export interface AuditEntry {
  userId: string | null;
  action: string;
  outcome: AuditOutcome;
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
  meta: Record<string, unknown> | null;
}

export type ChainVerdict =
  | { ok: true; count: number }
  | { ok: false; count: number; brokenId: number; reason: 'content' | 'link' };

const VERIFY_BATCH = 500;
const CHAIN_HEAD = 'SELECT hash FROM audit_logs ORDER BY id DESC LIMIT 1';
const INSERT =
  'INSERT INTO audit_logs (user_id, action, outcome, ip, user_agent, request_id, meta, created_at, prev_hash, hash) VALUES';
/** Far below SQLite's limit of 32,766 bound values per statement. */
const INSERT_ROWS_PER_STATEMENT = 200;
const CHAIN_LOCK_TIMEOUT_SECONDS = 10;

/**
 * Walks the chain from the oldest remaining row, in batches; `count` is the rows found intact.
 * Shared by the service and `npm run audit:verify`.
 */
export async function verifyAuditChain(
  logs: Repository<AuditLog>,
  sha256: Sha256,
): Promise<ChainVerdict> {
  let count = 0;
  let previous: AuditLog | null = null;
  for (;;) {
    const rows = await logs.find({
      where: previous ? { id: MoreThan(previous.id) } : {},
      order: { id: 'ASC' },
      take: VERIFY_BATCH,
    });
    if (rows.length === 0) return { ok: true, count };
    const broken = findBreak(sha256, rows, previous?.hash ?? null);
    if (broken) {
      const intact = rows.findIndex((row) => row.id === broken.id);
      return { ok: false, count: count + intact, brokenId: broken.id, reason: broken.reason };
    }
    count += rows.length;
    previous = rows[rows.length - 1];
  }
}

@Injectable()
export class AuditService {
  /** Entries waiting for the next write, with the callers to tell once it has committed. */
  private pending: Array<{ entries: AuditEntry[]; done: (error?: unknown) => void }> = [];
  private writing = false;
  private readonly chainLock: string;

  constructor(
    @InjectRepository(AuditLog) private readonly logs: Repository<AuditLog>,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly transactions: Transactions,
    private readonly crypto: CryptoService,
    private readonly sql: Sql,
  ) {
    // GET_LOCK names are server-wide: scope ours to this database.
    this.chainLock = `audit_chain:${String(dataSource.options.database)}`.slice(0, 64);
  }

  /**
   * Appends entries to the chain, in order, as one writer at a time: SQLite through the
   * serialised transactions; MySQL under a named lock held until the insert has committed, so
   * two instances can never link two rows to the same predecessor. Entries that arrive while a
   * write is under way go together in the next one (group commit): one lock, one transaction
   * and one insert for many requests under load. Resolves once the caller's rows are committed.
   */
  append(entries: AuditEntry[]): Promise<void> {
    if (entries.length === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.pending.push({ entries, done: (error) => (error ? reject(error) : resolve()) });
      if (!this.writing) void this.writePending();
    });
  }

  private async writePending(): Promise<void> {
    this.writing = true;
    for (let batch = this.pending.splice(0); batch.length > 0; batch = this.pending.splice(0)) {
      const entries = batch.flatMap((waiting) => waiting.entries);
      try {
        if (this.sql.isMysql) await this.appendUnderLock(entries);
        else await this.transactions.run((manager) => this.link(manager, entries));
        batch.forEach((waiting) => waiting.done());
      } catch (error) {
        batch.forEach((waiting) => waiting.done(error));
      }
    }
    this.writing = false;
  }

  verifyChain(): Promise<ChainVerdict> {
    return verifyAuditChain(this.logs, (value) => this.crypto.sha256(value));
  }

  /** The user's events, newest first; `beforeId` continues after a previous page. */
  listForUser(userId: string, limit: number, beforeId?: number): Promise<AuditLog[]> {
    return this.logs.find({
      where: beforeId === undefined ? { userId } : { userId, id: LessThan(beforeId) },
      order: { id: 'DESC' },
      take: limit,
    });
  }

  /**
   * Deletes the rows older than `cutoff`. Always a prefix of the chain (every row up to the
   * newest expired one), so the rest still verifies from its oldest row.
   */
  purgeOlderThan(cutoff: Date): Promise<number> {
    return this.transactions.run(async (manager) => {
      const newestExpired = await manager.findOne(AuditLog, {
        select: { id: true },
        where: { createdAt: LessThan(cutoff) },
        order: { id: 'DESC' },
      });
      if (!newestExpired) return 0;
      const result = await manager
        .createQueryBuilder()
        .delete()
        .from(AuditLog)
        .where('id <= :id', { id: newestExpired.id })
        .execute();
      return result.affected ?? 0;
    });
  }

  private async appendUnderLock(entries: AuditEntry[]): Promise<void> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      const [{ acquired }] = (await runner.query('SELECT GET_LOCK(?, ?) AS acquired', [
        this.chainLock,
        CHAIN_LOCK_TIMEOUT_SECONDS,
      ])) as Array<{ acquired: number | string | null }>;
      if (Number(acquired) !== 1) throw new Error('Timed out waiting for the audit chain lock');
      try {
        await runner.startTransaction();
        try {
          await this.link(runner.manager, entries);
          await runner.commitTransaction();
        } catch (error) {
          await runner.rollbackTransaction();
          throw error;
        }
      } finally {
        await runner.query('SELECT RELEASE_LOCK(?)', [this.chainLock]);
      }
    } finally {
      await runner.release();
    }
  }

  /** Reads the chain's head and inserts the entries after it; the caller holds the chain. */
  private async link(manager: EntityManager, entries: AuditEntry[]): Promise<void> {
    const [head] = await this.sql.query<{ hash: string }>(manager, CHAIN_HEAD, []);
    let prevHash = head?.hash ?? GENESIS_HASH;
    const createdAt = new Date();
    const rows: SqlValue[][] = [];
    for (const entry of entries) {
      const content = {
        userId: entry.userId,
        action: entry.action,
        outcome: entry.outcome,
        ip: entry.ip,
        userAgent: entry.userAgent,
        requestId: entry.requestId,
        meta: entry.meta && Object.keys(entry.meta).length > 0 ? JSON.stringify(entry.meta) : null,
        createdAt,
      };
      const hash = chainHash((value) => this.crypto.sha256(value), prevHash, content);
      rows.push([
        content.userId,
        content.action,
        content.outcome,
        content.ip,
        content.userAgent,
        content.requestId,
        content.meta,
        this.sql.date(createdAt),
        prevHash,
        hash,
      ]);
      prevHash = hash;
    }
    for (let start = 0; start < rows.length; start += INSERT_ROWS_PER_STATEMENT) {
      const chunk = rows.slice(start, start + INSERT_ROWS_PER_STATEMENT);
      const placeholders = chunk.map((row) => this.sql.placeholders(row.length)).join(', ');
      await this.sql.change(manager, `${INSERT} ${placeholders}`, chunk.flat());
    }
  }
}
