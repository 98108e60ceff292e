import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { User } from '../users/user.entity';

export type FlowPurpose = 'login' | 'link';

/**
 * A sign-in (or link) under way: its `state` kept as SHA-256, bound to the browser that started
 * it (SHA-256 of its cookie), with the PKCE verifier (sealed) and the OIDC nonce. Ten minutes,
 * single use.
 */
@Entity('oauth_flows')
@Index('IDX_oauth_flows_expires_at', ['expiresAt'])
export class OAuthFlow {
  @PrimaryColumn({ name: 'state_hash', type: 'varchar', length: 64 })
  stateHash: string;

  @Column({ name: 'browser_hash', type: 'varchar', length: 64 })
  browserHash: string;

  @Column({ type: 'varchar', length: 32 })
  provider: string;

  @Column({ type: 'varchar', length: 8 })
  purpose: FlowPurpose;

  /** The account a link flow links to; null for a sign-in. */
  @Column({ name: 'user_id', type: 'varchar', length: 36, nullable: true })
  userId: string | null;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'FK_oauth_flows_user' })
  user?: User;

  @Column({ name: 'redirect_uri', type: 'varchar', length: 2048 })
  redirectUri: string;

  @Column({ type: 'boolean', default: false })
  force: boolean;

  @Column({ name: 'code_verifier', type: 'varchar', length: 255 })
  codeVerifier: string;

  @Column({ type: 'varchar', length: 64 })
  nonce: string;

  @Column({ name: 'used_at', type: 'datetime', precision: 3, nullable: true })
  usedAt: Date | null;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt: Date;

  @Column({ name: 'expires_at', type: 'datetime', precision: 3 })
  expiresAt: Date;
}
