import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { auditConfig } from '../config/audit.config';
import { AuditService } from './audit.service';

const DAY_MS = 24 * 60 * 60 * 1000;
/** The first purge waits a little, so a start is not slowed by it. */
const FIRST_PURGE_DELAY_MS = 60 * 1000;

/** Deletes audit rows older than AUDIT_RETENTION_DAYS once a day. */
@Injectable()
export class AuditRetention implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('AuditRetention');
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly audit: AuditService,
    @Inject(auditConfig.KEY) private readonly config: ConfigType<typeof auditConfig>,
  ) {}

  onApplicationBootstrap(): void {
    // unref: a pending purge never keeps the process alive.
    this.timers.push(setTimeout(() => void this.purge(), FIRST_PURGE_DELAY_MS).unref());
    this.timers.push(setInterval(() => void this.purge(), DAY_MS).unref());
  }

  onApplicationShutdown(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.length = 0;
  }

  /** Purges now; returns the number of rows deleted (0 when the purge failed, which is logged). */
  async purge(now = new Date()): Promise<number> {
    const cutoff = new Date(now.getTime() - this.config.retentionDays * DAY_MS);
    try {
      const deleted = await this.audit.purgeOlderThan(cutoff);
      if (deleted > 0) this.logger.log({ deleted, cutoff }, 'Purged expired audit rows');
      return deleted;
    } catch (error) {
      this.logger.error({ err: error }, 'Could not purge expired audit rows');
      return 0;
    }
  }
}
