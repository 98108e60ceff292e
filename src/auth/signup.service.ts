import { Injectable } from '@nestjs/common';
import type { User } from '../users/user.entity';
import { NewUser, UsersService } from '../users/users.service';
import { VerificationService } from '../verification/verification.service';

@Injectable()
export class SignupService {
  constructor(
    private readonly users: UsersService,
    private readonly verification: VerificationService,
  ) {}

  /** Creates the account and mails its verification link; a mail failure never fails signup. */
  async signup(input: NewUser): Promise<User> {
    const user = await this.users.create(input);
    await this.verification.sendVerification(user);
    return user;
  }
}
