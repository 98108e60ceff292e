import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditChainHead } from './audit-chain-head.entity';
import { AuditLog } from './audit-log.entity';
import { AuditPurgeLease } from './audit-purge-lease.entity';
import { AuditRetention } from './audit-retention';
import { AuditController } from './audit.controller';
import { AuditInterceptor } from './audit.interceptor';
import { AuditRecorder } from './audit-recorder';
import { AuditService } from './audit.service';

@Module({
  imports: [TypeOrmModule.forFeature([AuditLog, AuditChainHead, AuditPurgeLease])],
  controllers: [AuditController],
  providers: [AuditService, AuditRetention, AuditRecorder, AuditInterceptor],
  // Modules whose handlers are marked @Audit import this module for the interceptor.
  exports: [AuditService, AuditRecorder, AuditInterceptor],
})
export class AuditModule {}
