import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { MailModule } from '../mail/mail.module';
import { UsersModule } from '../users/users.module';
import { MfaController } from './mfa.controller';
import { MfaService } from './mfa.service';
import { RecoveryCode } from './recovery-code.entity';
import { RecoveryCodes } from './recovery-codes';
import { TotpCredential } from './totp-credential.entity';

@Module({
  imports: [
    TypeOrmModule.forFeature([TotpCredential, RecoveryCode]),
    UsersModule,
    MailModule,
    AuditModule,
  ],
  controllers: [MfaController],
  providers: [MfaService, RecoveryCodes],
  exports: [MfaService],
})
export class MfaModule {}
