import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import { TypeOrmModule } from '@nestjs/typeorm';
import { KeysModule } from '../keys/keys.module';
import { PermissionsGuard } from '../roles/permissions.guard';
import { UsersModule } from '../users/users.module';
import { AccessTokens } from './access-tokens';
import { SessionGuard } from './guards/session.guard';
import { Session } from './session.entity';
import { SessionCheck } from './session-check';
import { SessionRotation } from './session-rotation.service';
import { SessionsController } from './sessions.controller';
import { SessionSnapshots } from './session-snapshot';
import { SessionStateCache } from './session-state-cache';
import { SessionsService } from './sessions.service';
import { JwtStrategy } from './strategies/jwt.strategy';

@Module({
  imports: [TypeOrmModule.forFeature([Session]), UsersModule, PassportModule, KeysModule],
  controllers: [SessionsController],
  providers: [
    SessionStateCache,
    SessionSnapshots,
    SessionsService,
    SessionRotation,
    SessionCheck,
    AccessTokens,
    JwtStrategy,
    // In this order: global guards run in the order they are registered, and the permission
    // guard reads the roles the session guard attached.
    { provide: APP_GUARD, useClass: SessionGuard },
    { provide: APP_GUARD, useClass: PermissionsGuard },
  ],
  exports: [SessionsService, SessionRotation, AccessTokens, JwtStrategy],
})
export class SessionsModule {}
