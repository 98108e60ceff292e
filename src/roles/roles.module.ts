import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { RolesService } from './roles.service';
import { UserRole } from './user-role.entity';

/**
 * The roles registry's table. The permission guard is registered as APP_GUARD by the sessions
 * module, right after the session guard, so that it always runs second.
 */
@Module({
  imports: [TypeOrmModule.forFeature([UserRole])],
  providers: [RolesService],
  exports: [RolesService],
})
export class RolesModule {}
