import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { AuditModule } from '../audit/audit.module';
import { MfaModule } from '../mfa/mfa.module';
import { PasswordModule } from '../password/password.module';
import { SessionsModule } from '../sessions/sessions.module';
import { UsersModule } from '../users/users.module';
import { VerificationModule } from '../verification/verification.module';
import { AdminAuditController } from './admin-audit.controller';
import { AdminUsersController } from './admin-users.controller';
import { AdminUsersService } from './admin-users.service';

/** The admin API under /admin: every route permission-checked and audited (AdminRoute). */
@Module({
  imports: [
    AccountsModule,
    UsersModule,
    SessionsModule,
    VerificationModule,
    PasswordModule,
    AuditModule,
    MfaModule,
  ],
  controllers: [AdminUsersController, AdminAuditController],
  providers: [AdminUsersService],
})
export class AdminModule {}
