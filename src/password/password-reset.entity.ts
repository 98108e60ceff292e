import { Entity } from 'typeorm';
import { OneTimeTokenRecord } from '../common/one-time-token.entity';

@Entity('password_resets')
export class PasswordReset extends OneTimeTokenRecord {}
