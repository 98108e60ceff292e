import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { PassportModule } from '@nestjs/passport';
import { SessionsModule } from '../sessions/sessions.module';
import { UsersModule } from '../users/users.module';
import { VerificationModule } from '../verification/verification.module';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { LoginBackoff } from './login-backoff';
import { SignupService } from './signup.service';
import { LocalStrategy } from './strategies/local.strategy';

@Module({
  imports: [UsersModule, SessionsModule, VerificationModule, PassportModule, AuditModule],
  controllers: [AuthController],
  providers: [AuthService, SignupService, LocalStrategy, LoginBackoff],
  exports: [LoginBackoff],
})
export class AuthModule {}
