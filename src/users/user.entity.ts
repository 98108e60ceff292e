import { Column, Entity, Index, PrimaryColumn, Unique } from 'typeorm';

export const ACCOUNT_STATUSES = ['active', 'disabled'] as const;
export type AccountStatus = (typeof ACCOUNT_STATUSES)[number];

@Entity('users')
@Unique('UQ_users_email', ['email'])
@Unique('UQ_users_username_key', ['usernameKey'])
@Index('IDX_users_created_at_id', ['createdAt', 'id'])
export class User {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ type: 'varchar', length: 32 })
  username: string;

  @Column({ name: 'username_key', type: 'varchar', length: 32 })
  usernameKey: string;

  @Column({ type: 'varchar', length: 254 })
  email: string;

  /** Null for an account made by a sign-in provider, until forgot-password sets one. */
  @Column({ name: 'password_hash', type: 'varchar', length: 255, nullable: true })
  passwordHash: string | null;

  @Column({ name: 'is_verified', type: 'boolean', default: false })
  isVerified: boolean;

  @Column({ name: 'verified_at', type: 'datetime', precision: 3, nullable: true })
  verifiedAt: Date | null;

  /** A disabled account cannot log in; an admin disables and enables it. */
  @Column({ type: 'varchar', length: 16, default: 'active' })
  status: AccountStatus;

  @Column({ name: 'last_login_at', type: 'datetime', precision: 3, nullable: true })
  lastLoginAt: Date | null;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'datetime', precision: 3 })
  updatedAt: Date;
}
