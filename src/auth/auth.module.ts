import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { PassportModule } from '@nestjs/passport';
import { TypeOrmModule } from '@nestjs/typeorm';
import { MfaModule } from '../mfa/mfa.module';
import { SessionsModule } from '../sessions/sessions.module';
import { UsersModule } from '../users/users.module';
import { VerificationModule } from '../verification/verification.module';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { LoginCompletion } from './login-completion';
import { MfaChallenge } from './mfa-challenge.entity';
import { MfaChallenges } from './mfa-challenges';
import { SignupService } from './signup.service';
import { LocalStrategy } from './strategies/local.strategy';
import { TokenDelivery } from './token-delivery';

@Module({
  imports: [
    TypeOrmModule.forFeature([MfaChallenge]),
    UsersModule,
    SessionsModule,
    VerificationModule,
    PassportModule,
    AuditModule,
    MfaModule,
  ],
  controllers: [AuthController],
  providers: [
    AuthService,
    SignupService,
    LocalStrategy,
    LoginCompletion,
    MfaChallenges,
    TokenDelivery,
  ],
  // LoginCompletion: the step every login path (social login next) ends with; TokenDelivery:
  // how every route that answers tokens answers them (@DeliversTokens()).
  exports: [LoginCompletion, TokenDelivery],
})
export class AuthModule {}
