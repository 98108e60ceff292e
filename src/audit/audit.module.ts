import { Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
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
  providers: [
    AuditService,
    AuditRetention,
    AuditRecorder,
    { provide: APP_INTERCEPTOR, useClass: AuditInterceptor },
  ],
  exports: [AuditService],
})
export class AuditModule {}
