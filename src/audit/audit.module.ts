import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditLog } from './audit-log.entity';
import { AuditRetention } from './audit-retention';
import { AuditController } from './audit.controller';
import { AuditInterceptor } from './audit.interceptor';
import { AuditRecorder } from './audit-recorder';
import { AuditService } from './audit.service';

@Module({
  imports: [TypeOrmModule.forFeature([AuditLog])],
  controllers: [AuditController],
  providers: [AuditService, AuditRetention, AuditRecorder, AuditInterceptor],
  // Modules whose handlers are marked @Audit import this module for the interceptor.
  exports: [AuditService, AuditRecorder, AuditInterceptor],
})
export class AuditModule {}
