import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

@Entity('audit_logs')
@Index('IDX_audit_logs_user_id_id', ['userId', 'id'])
@Index('IDX_audit_logs_created_at', ['createdAt'])
export class AuditLog {
  /** BIGINT on MySQL, which mysql2 gives as a string: read as a number (exact below 2^53). */
  @PrimaryColumn({
    type: 'bigint',
    generated: 'increment',
    transformer: {
      from: (value: unknown) => (value == null ? value : Number(value)),
      to: (v: unknown) => v,
    },
  })
  id: number;

  @Column({ name: 'user_id', type: 'varchar', length: 36, nullable: true })
  userId: string | null;

  /** Who acted, when not the account the row concerns (an admin); null otherwise. */
  @Column({ name: 'actor_id', type: 'varchar', length: 36, nullable: true })
  actorId: string | null;

  @Column({ type: 'varchar', length: 40 })
  action: string;

  @Column({ type: 'varchar', length: 16 })
  outcome: string;

  @Column({ type: 'varchar', length: 64, nullable: true })
  ip: string | null;

  @Column({ name: 'user_agent', type: 'varchar', length: 512, nullable: true })
  userAgent: string | null;

  @Column({ name: 'request_id', type: 'varchar', length: 64, nullable: true })
  requestId: string | null;

  /** Small JSON object; never a password, token or hash. */
  @Column({ type: 'text', nullable: true })
  meta: string | null;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt: Date;

  @Column({ name: 'prev_hash', type: 'varchar', length: 64 })
  prevHash: string;

  @Column({ type: 'varchar', length: 64 })
  hash: string;
}
