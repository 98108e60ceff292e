import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { User } from '../users/user.entity';

/**
 * A user's TOTP secret, sealed under KEY_ENCRYPTION_KEY with the user id as associated data.
 * Pending (enabled_at NULL) from setup until a code confirms it.
 */
@Entity('mfa_totp')
export class TotpCredential {
  @PrimaryColumn({ name: 'user_id', type: 'varchar', length: 36 })
  userId: string;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'FK_mfa_totp_user' })
  user?: User;

  @Column({ type: 'varchar', length: 255 })
  secret: string;

  @Column({ name: 'enabled_at', type: 'datetime', precision: 3, nullable: true })
  enabledAt: Date | null;

  /** The last accepted time step: a code of it or an earlier step is never accepted again. */
  @Column({ name: 'last_step', type: 'integer', nullable: true })
  lastStep: number | null;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt: Date;
}
