import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn, Unique } from 'typeorm';
import { User } from '../users/user.entity';

/** An account at a sign-in provider linked to a user: keyed by (issuer, subject), never email. */
@Entity('user_identities')
@Unique('UQ_user_identities_issuer_subject', ['issuer', 'subject'])
@Unique('UQ_user_identities_user_provider', ['userId', 'provider'])
export class UserIdentity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ name: 'user_id', type: 'varchar', length: 36 })
  userId: string;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'FK_user_identities_user' })
  user?: User;

  /** The configured name (google, github, …). */
  @Column({ type: 'varchar', length: 32 })
  provider: string;

  @Column({ type: 'varchar', length: 255 })
  issuer: string;

  @Column({ type: 'varchar', length: 255 })
  subject: string;

  /** The email the provider gave at the last sign-in (shown to the owner; never a key). */
  @Column({ type: 'varchar', length: 254, nullable: true })
  email: string | null;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt: Date;

  @Column({ name: 'last_used_at', type: 'datetime', precision: 3, nullable: true })
  lastUsedAt: Date | null;
}
