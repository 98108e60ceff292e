import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { LessThan, MoreThan, Repository } from 'typeorm';
import { CryptoService } from '../common/crypto.service';
import type { AuditOutcome } from '../common/errors';
import { isDeadlock, Transactions, uniqueViolation } from '../common/transactions';
import { chainHash, findBreak, GENESIS_HASH, Sha256 } from './audit-chain';
import { AuditLog } from './audit-log.entity';

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
/** Far below SQLite's limit of 32,766 bound values per statement. */
const INSERT_ROWS_PER_STATEMENT = 200;
/** Each lost race means another instance appended meanwhile; this many in a row is not a race. */
const LINK_ATTEMPTS = 20;

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
  /** The hash of the row this instance appended last; re-read whenever a write fails. */
  private head: string | undefined;

  constructor(
    @InjectRepository(AuditLog) private readonly logs: Repository<AuditLog>,
    private readonly transactions: Transactions,
    private readonly crypto: CryptoService,
  ) {}

  /**
   * Appends entries to the chain, in order. Entries that arrive while a write is under way go
   * together in the next one (group commit): one statement for many requests under load. No
   * lock: a row may only follow a hash that no other row follows (a unique key), so a writer
   * that lost a race to another instance is refused and links again from the new head.
   * Resolves once the caller's rows are committed.
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
        for (let start = 0; start < entries.length; start += INSERT_ROWS_PER_STATEMENT) {
          await this.link(entries.slice(start, start + INSERT_ROWS_PER_STATEMENT));
        }
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

  /**
   * Inserts the entries after the chain's head, as one statement (all or none). Loses to a
   * writer that linked to the same head first (another instance): then reads the new head and
   * links again.
   */
  private async link(entries: AuditEntry[]): Promise<void> {
    const createdAt = new Date();
    for (let attempt = 1; ; attempt += 1) {
      try {
        this.head = await this.transactions.autocommit(async () => {
          const head = this.head ?? (await this.readHead());
          const rows = this.chained(entries, head, createdAt);
          await this.logs.createQueryBuilder().insert().values(rows).updateEntity(false).execute();
          return rows[rows.length - 1].hash;
        });
        return;
      } catch (error) {
        this.head = undefined;
        // UQ_audit_logs_prev_hash: someone else linked a row to our head first. When two
        // multi-row inserts meet on that key, InnoDB may instead pick one as a deadlock victim;
        // its insert was undone whole, so it links again like the loser of the race.
        const lostRace = uniqueViolation(error)?.includes('prev_hash') || isDeadlock(error);
        if (!lostRace || attempt >= LINK_ATTEMPTS) throw error;
      }
    }
  }

  private async readHead(): Promise<string> {
    const [head] = await this.logs.find({ select: { hash: true }, order: { id: 'DESC' }, take: 1 });
    return head?.hash ?? GENESIS_HASH;
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
