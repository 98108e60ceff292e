import { Entity } from 'typeorm';
import { OneTimeTokenRecord } from '../common/one-time-token.entity';

@Entity('email_verifications')
export class EmailVerification extends OneTimeTokenRecord {}
