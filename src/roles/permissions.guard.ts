import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { AuthenticatedSession } from '../common/current-session';
import { Errors } from '../common/errors';
import { REQUIRED_PERMISSIONS } from './require-permissions.decorator';
import { Permission, permissionsOf } from './roles';

/**
 * The global guard after the session guard: a route marked @RequirePermissions answers 403
 * FORBIDDEN unless the caller's roles, read with the session on this very request, grant every
 * permission it names. A route with no mark needs none.
 */
@Injectable()
export class PermissionsGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const required = this.reflector.getAllAndOverride<Permission[] | undefined>(
      REQUIRED_PERMISSIONS,
      [context.getHandler(), context.getClass()],
    );
    if (!required) return true;
    const caller = context.switchToHttp().getRequest<{ user?: AuthenticatedSession }>().user;
    // Only a route that is also @Public() gets here without a session: a mistake, refused.
    const granted = permissionsOf(caller?.roles ?? []);
    if (required.every((permission) => granted.has(permission))) return true;
    throw Errors.forbidden();
  }
}
