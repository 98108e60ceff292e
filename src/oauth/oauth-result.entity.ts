import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { User } from '../users/user.entity';

/** A sign-in's result waiting for POST /auth/oauth/exchange: its `code` as SHA-256, 60 s, once. */
@Entity('oauth_results')
@Index('IDX_oauth_results_expires_at', ['expiresAt'])
export class OAuthResult {
  @PrimaryColumn({ name: 'code_hash', type: 'varchar', length: 64 })
  codeHash: string;

  @Column({ name: 'user_id', type: 'varchar', length: 36 })
  userId: string;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'FK_oauth_results_user' })
  user?: User;

  @Column({ type: 'varchar', length: 32 })
  provider: string;

  /** `force` as the sign-in's start asked: the exchange may replace a live session. */
  @Column({ type: 'boolean', default: false })
  force: boolean;

  @Column({ name: 'used_at', type: 'datetime', precision: 3, nullable: true })
  usedAt: Date | null;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt: Date;

  @Column({ name: 'expires_at', type: 'datetime', precision: 3 })
  expiresAt: Date;
}
