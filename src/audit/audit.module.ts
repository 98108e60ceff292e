import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditLog } from './audit-log.entity';
import { AuditRetention } from './audit-retention';
import { AuditController } from './audit.controller';
import { AuditRecorder } from './audit-recorder';
import { AuditService } from './audit.service';

@Module({
  imports: [TypeOrmModule.forFeature([AuditLog])],
  controllers: [AuditController],
  providers: [
    AuditService,
    AuditRetention,
    // The one recorder behind every module's @Audit interceptor (and its onSend hook).
    AuditRecorder,
  ],
  exports: [AuditService, AuditRecorder],
})
export class AuditModule {}
