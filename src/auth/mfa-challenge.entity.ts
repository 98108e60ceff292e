import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { User } from '../users/user.entity';
import type { FirstFactor } from './login-completion';

/**
 * A login waiting for its second factor: the `mfa_token` (kept as SHA-256) the password step
 * answered, good for five minutes, five codes and one session.
 */
@Entity('mfa_challenges')
@Index('IDX_mfa_challenges_user_id', ['userId'])
export class MfaChallenge {
  @PrimaryColumn({ name: 'token_hash', type: 'varchar', length: 64 })
  tokenHash: string;

  @Column({ name: 'user_id', type: 'varchar', length: 36 })
  userId: string;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'FK_mfa_challenges_user' })
  user?: User;

  /** SHA-256 of the password hash the first step checked: a password change voids the login. */
  @Column({ name: 'password_fingerprint', type: 'varchar', length: 64 })
  passwordFingerprint: string;

  /** How the first step was passed: 'pwd' (a password) or 'fed' (a sign-in provider). */
  @Column({ name: 'first_factor', type: 'varchar', length: 8, default: 'pwd' })
  firstFactor: FirstFactor;

  /** Codes tried; counted before each check, so racing requests cannot exceed the limit. */
  @Column({ type: 'integer', default: 0 })
  attempts: number;

  /** How the second factor was passed ('totp' or 'recovery_code'), once it was. */
  @Column({ name: 'passed_with', type: 'varchar', length: 16, nullable: true })
  passedWith: string | null;

  @Column({ name: 'used_at', type: 'datetime', precision: 3, nullable: true })
  usedAt: Date | null;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt: Date;

  @Column({ name: 'expires_at', type: 'datetime', precision: 3 })
  expiresAt: Date;
}
