import { Entity, Index, JoinColumn, ManyToOne, Unique } from 'typeorm';
import { OneTimeTokenRecord } from '../one-time-tokens/one-time-token.entity';
import { User } from '../users/user.entity';

@Entity('email_verifications')
@Unique('UQ_email_verifications_token_hash', ['tokenHash'])
@Index('IDX_email_verifications_user_id', ['userId'])
export class EmailVerification extends OneTimeTokenRecord {
  /** Declared for the schema (foreign key, cascade); the service works with userId. */
  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'FK_email_verifications_user' })
  user?: User;
}
