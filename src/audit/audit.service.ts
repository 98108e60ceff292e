import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { LessThan, MoreThan, Repository } from 'typeorm';
import { CryptoService } from '../common/crypto.service';
import type { AuditOutcome } from '../common/errors';
import { Transactions } from '../common/transactions';
import { chainHash, findBreak, Sha256 } from './audit-chain';
import { AuditChainHead, CHAIN_HEAD_ID } from './audit-chain-head.entity';
import { AuditLog } from './audit-log.entity';

/** One event to append; the service adds the time and the chain hashes. */
export interface AuditEntry {
  userId: string | null;
  /** Who acted on the account, when not its owner (an admin). */
  actorId?: string | null;
  action: string;
  outcome: AuditOutcome;
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
  meta: Record<string, unknown> | null;
}

/** The admin's filters over the whole trail; every one optional. */
export interface AuditSearch {
  userId?: string;
  action?: string;
  outcome?: AuditOutcome;
  from?: Date;
  to?: Date;
  beforeId?: number;
  limit: number;
}

export type ChainVerdict =
  | { ok: true; count: number }
  | { ok: false; count: number; brokenId: number; reason: 'content' | 'link' };

const VERIFY_BATCH = 500;
/** Far below SQLite's limit of 32,766 bound values per statement. */
const INSERT_ROWS_PER_STATEMENT = 200;

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

  constructor(
    @InjectRepository(AuditLog) private readonly logs: Repository<AuditLog>,
    private readonly transactions: Transactions,
    private readonly crypto: CryptoService,
  ) {}

  /**
   * Appends entries to the chain, in order. Entries that arrive while a write is under way go
   * together in the next one (group commit): one transaction for many requests under load.
   * Resolves once the caller's rows are committed; rejects when they were not written.
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
      try {
        await this.link(batch.flatMap((waiting) => waiting.entries));
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

  /**
   * The trail, filtered (GET /audit/me: one user's; the admin's: any), newest first (by id, the
   * order rows were appended in); `beforeId` continues after a previous page.
   */
  search(filter: AuditSearch): Promise<AuditLog[]> {
    const query = this.logs.createQueryBuilder('log');
    if (filter.userId) query.andWhere('log.userId = :userId', { userId: filter.userId });
    if (filter.action) query.andWhere('log.action = :action', { action: filter.action });
    if (filter.outcome) query.andWhere('log.outcome = :outcome', { outcome: filter.outcome });
    if (filter.from) query.andWhere('log.createdAt >= :from', { from: filter.from });
    if (filter.to) query.andWhere('log.createdAt < :to', { to: filter.to });
    if (filter.beforeId !== undefined)
      query.andWhere('log.id < :beforeId', { beforeId: filter.beforeId });
    return query.orderBy('log.id', 'DESC').limit(filter.limit).getMany();
  }

  /**
   * The id of the newest row created before `cutoff`: one dive into IDX_audit_logs_created_at
   * (ordering by the indexed column, not by id, is what lets the database walk it backwards).
   */
  async newestIdBefore(cutoff: Date): Promise<number | null> {
    const newest = await this.logs.findOne({
      select: { id: true },
      where: { createdAt: LessThan(cutoff) },
      order: { createdAt: 'DESC', id: 'DESC' },
    });
    return newest?.id ?? null;
  }

  /**
   * Deletes the oldest rows, at most `batchSize` ids from the oldest row after `afterId`, and
   * none past `upToId`: one short transaction that removes a prefix of the chain, so the rest
   * still verifies from its oldest row. Returns what it deleted and the last id it covered, or
   * null when nothing is left up to `upToId`.
   */
  async purgeBatch(
    afterId: number,
    upToId: number,
    batchSize: number,
  ): Promise<{ deleted: number; lastId: number } | null> {
    const oldest = await this.logs.findOne({
      select: { id: true },
      where: { id: MoreThan(afterId) },
      order: { id: 'ASC' },
    });
    if (!oldest || oldest.id > upToId) return null;
    const lastId = Math.min(upToId, oldest.id + batchSize - 1);
    const result = await this.transactions.autocommit(() =>
      this.logs
        .createQueryBuilder()
        .delete()
        .from(AuditLog)
        .where('id >= :first AND id <= :last', { first: oldest.id, last: lastId })
        .execute(),
    );
    return { deleted: result.affected ?? 0, lastId };
  }

  /**
   * Inserts the entries after the chain's head, in one transaction that holds the head row's
   * lock: writers of every instance queue on it (InnoDB grants it in order), so none loses a
   * race or is starved, and no insert is refused for a race (burning its auto-increment ids).
   * A write that fails otherwise is undone whole and reported to every caller it held.
   */
  private link(entries: AuditEntry[]): Promise<void> {
    const createdAt = new Date();
    return this.transactions.run(async (manager) => {
      const head = await this.transactions
        .forUpdate(
          manager
            .createQueryBuilder(AuditChainHead, 'head')
            .where('head.id = :id', { id: CHAIN_HEAD_ID }),
        )
        .getOneOrFail();
      const rows = this.chained(entries, head.hash, createdAt);
      for (let start = 0; start < rows.length; start += INSERT_ROWS_PER_STATEMENT) {
        await manager
          .createQueryBuilder()
          .insert()
          .into(AuditLog)
          .values(rows.slice(start, start + INSERT_ROWS_PER_STATEMENT))
          .updateEntity(false)
          .execute();
      }
      await manager.update(
        AuditChainHead,
        { id: CHAIN_HEAD_ID },
        { hash: rows[rows.length - 1].hash },
      );
    });
  }

  /** The entries as rows, each hashed onto the one before. */
  private chained(
    entries: AuditEntry[],
    head: string,
    createdAt: Date,
  ): Array<Omit<AuditLog, 'id'>> {
    let prevHash = head;
    return entries.map((entry) => {
      const content = {
        userId: entry.userId,
        actorId: entry.actorId ?? null,
        action: entry.action,
        outcome: entry.outcome,
        ip: entry.ip,
        userAgent: entry.userAgent,
        requestId: entry.requestId,
        meta: entry.meta && Object.keys(entry.meta).length > 0 ? JSON.stringify(entry.meta) : null,
        createdAt,
      };
      const hash = chainHash((value) => this.crypto.sha256(value), prevHash, content);
      const row = { ...content, prevHash, hash };
      prevHash = hash;
      return row;
    });
  }
}
