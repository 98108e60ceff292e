import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { CryptoService } from '../common/crypto.service';
import { Transactions } from '../common/transactions';
import { auditConfig } from '../config/audit.config';
import { AuditPurgeLease, PURGE_LEASE_ID } from './audit-purge-lease.entity';
import { AuditService } from './audit.service';

const DAY_MS = 24 * 60 * 60 * 1000;
/** The first purge waits a little, so a start is not slowed by it. */
const FIRST_PURGE_DELAY_MS = 60 * 1000;
/** Rows per purge transaction: each holds its locks and undo for a fraction of a second. */
export const PURGE_BATCH_ROWS = 5000;
/**
 * After each batch the purge rests nine times as long as the batch took (at least 50 ms): its own
 * transactions take at most a tenth of the database's time (InnoDB's background cleanup of the
 * deleted rows comes on top; `npm run audit:scale` measures logins and appends during a purge).
 * A day's expired rows take seconds; a backlog of millions, hours.
 */
const REST_FACTOR = 9;
const MIN_PAUSE_MS = 50;
/** Renewed before every batch; if the purging instance dies, another may take over after this. */
const LEASE_MS = 60 * 1000;

/**
 * Deletes audit rows older than AUDIT_RETENTION_DAYS once a day: in small batches with a pause
 * between them, oldest first, by one instance at a time (a lease row in the database). A purge
 * cut short is simply continued by the next one.
 */
@Injectable()
export class AuditRetention implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('AuditRetention');
  private readonly timers: NodeJS.Timeout[] = [];
  /** Who this instance is in the lease row. */
  private readonly holder: string;
  private stopping = false;

  constructor(
    private readonly audit: AuditService,
    @InjectRepository(AuditPurgeLease) private readonly lease: Repository<AuditPurgeLease>,
    private readonly transactions: Transactions,
    crypto: CryptoService,
    @Inject(auditConfig.KEY) private readonly config: ConfigType<typeof auditConfig>,
  ) {
    this.holder = crypto.uuid();
  }

  onApplicationBootstrap(): void {
    // unref: a pending purge never keeps the process alive.
    this.timers.push(setTimeout(() => void this.purge(), FIRST_PURGE_DELAY_MS).unref());
    this.timers.push(setInterval(() => void this.purge(), DAY_MS).unref());
  }

  onApplicationShutdown(): void {
    this.stopping = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.length = 0;
  }

  /**
   * Purges now; returns the number of rows deleted: 0 when another instance holds the lease,
   * or when the purge failed (logged; what it deleted stays deleted).
   */
  async purge(now = new Date()): Promise<number> {
    const cutoff = new Date(now.getTime() - this.config.retentionDays * DAY_MS);
    let deleted = 0;
    try {
      if (!(await this.takeLease())) return 0;
      const upToId = await this.audit.newestIdBefore(cutoff);
      for (let afterId = 0; upToId !== null && !this.stopping;) {
        const started = Date.now();
        const batch = await this.audit.purgeBatch(afterId, upToId, PURGE_BATCH_ROWS);
        if (!batch) break;
        deleted += batch.deleted;
        afterId = batch.lastId;
        await sleep(Math.max(MIN_PAUSE_MS, REST_FACTOR * (Date.now() - started)));
        if (!(await this.takeLease())) break;
      }
      if (deleted > 0) this.logger.log({ deleted, cutoff }, 'Purged expired audit rows');
    } catch (error) {
      this.logger.error({ err: error, deleted }, 'Could not purge expired audit rows');
    } finally {
      await this.releaseLease().catch(() => undefined);
    }
    return deleted;
  }

  /** Takes the lease, or renews it if this instance holds it; false when another holds it. */
  private async takeLease(): Promise<boolean> {
    const now = new Date();
    const result = await this.transactions.autocommit(() =>
      this.lease
        .createQueryBuilder()
        .update()
        .set({ holder: this.holder, expiresAt: new Date(now.getTime() + LEASE_MS) })
        .where('id = :id', { id: PURGE_LEASE_ID })
        .andWhere('(expires_at < :now OR holder = :holder)', { now, holder: this.holder })
        .execute(),
    );
    return result.affected === 1;
  }

  private releaseLease(): Promise<unknown> {
    return this.transactions.autocommit(() =>
      this.lease.update(
        { id: PURGE_LEASE_ID, holder: this.holder },
        { holder: null, expiresAt: new Date(0) },
      ),
    );
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
