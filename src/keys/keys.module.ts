import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { JwksController } from './jwks.controller';
import { KeyRing } from './key-ring';
import { SigningKey } from './signing-key.entity';
import { SigningKeysService } from './signing-keys.service';

/** The keys access tokens are signed and verified with, the JWKS, and their rotation. */
@Module({
  imports: [TypeOrmModule.forFeature([SigningKey]), AuditModule],
  controllers: [JwksController],
  providers: [SigningKeysService, KeyRing],
  exports: [KeyRing],
})
export class KeysModule {}
