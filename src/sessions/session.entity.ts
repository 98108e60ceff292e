import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, Unique } from 'typeorm';
import { User } from '../users/user.entity';

export const SESSION_STATUSES = ['active', 'ended', 'replaced', 'revoked', 'expired'] as const;
export type SessionStatus = (typeof SESSION_STATUSES)[number];

@Entity('sessions')
@Unique('UQ_sessions_active_user_id', ['activeUserId'])
@Index('IDX_sessions_user_id', ['userId'])
export class Session {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ name: 'user_id', type: 'varchar', length: 36 })
  userId: string;

  /** Declared for the schema (foreign key, cascade); the service works with userId. */
  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'FK_sessions_user' })
  user?: User;

  /** user_id while active, NULL once ended: a unique key allows one active session per user. */
  @Column({ name: 'active_user_id', type: 'varchar', length: 36, nullable: true })
  activeUserId: string | null;

  @Column({ type: 'varchar', length: 16 })
  status: SessionStatus;

  @Column({ name: 'refresh_token_hash', type: 'varchar', length: 64 })
  refreshTokenHash: string;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt: Date;

  @Column({ name: 'expires_at', type: 'datetime', precision: 3 })
  expiresAt: Date;

  @Column({ name: 'last_seen_at', type: 'datetime', precision: 3 })
  lastSeenAt: Date;

  @Column({ name: 'ended_at', type: 'datetime', precision: 3, nullable: true })
  endedAt: Date | null;

  /** How the login was authenticated (RFC 8176 values, space-separated): "pwd" or "pwd otp". */
  @Column({ type: 'varchar', length: 32, default: 'pwd' })
  amr: string;

  @Column({ type: 'varchar', length: 64, nullable: true })
  ip: string | null;

  @Column({ name: 'user_agent', type: 'varchar', length: 512, nullable: true })
  userAgent: string | null;
}
