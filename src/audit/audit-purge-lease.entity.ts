import { Column, Entity, PrimaryColumn } from 'typeorm';

/** The id of the one row of `audit_purge_lease`. */
export const PURGE_LEASE_ID = 1;

/**
 * Who runs the retention purge, until when. An instance purges only while it holds an
 * unexpired lease and renews it before each batch, so several instances never purge at once,
 * and a purge cut short (a crash) is taken over by the next run once the lease has expired.
 */
@Entity('audit_purge_lease')
export class AuditPurgeLease {
  @PrimaryColumn({ type: 'integer' })
  id: number;

  @Column({ type: 'varchar', length: 64, nullable: true })
  holder: string | null;

  @Column({ name: 'expires_at', type: 'datetime', precision: 3 })
  expiresAt: Date;
}
