import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { Strategy } from 'passport-local';
import type { User } from '../../users/user.entity';
import { AuthService } from '../auth.service';

/** Email + password, through Passport; the body was validated by LocalAuthGuard first. */
@Injectable()
export class LocalStrategy extends PassportStrategy(Strategy, 'local') {
  constructor(private readonly auth: AuthService) {
    super({ usernameField: 'email', passwordField: 'password', session: false });
  }

  validate(email: string, password: string): Promise<User> {
    return this.auth.checkCredentials(email, password);
  }
}
