import { Entity, Index, JoinColumn, ManyToOne, Unique } from 'typeorm';
import { OneTimeTokenRecord } from '../one-time-tokens/one-time-token.entity';
import { User } from '../users/user.entity';

@Entity('password_resets')
@Unique('UQ_password_resets_token_hash', ['tokenHash'])
@Index('IDX_password_resets_user_id', ['userId'])
export class PasswordReset extends OneTimeTokenRecord {
  /** Declared for the schema (foreign key, cascade); the service works with userId. */
  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'FK_password_resets_user' })
  user?: User;
}
