import { SetMetadata } from '@nestjs/common';
import type { Permission } from './roles';

export const REQUIRED_PERMISSIONS = 'requiredPermissions';

/** The permissions a route needs, all of them; checked after the session guard. */
export const RequirePermissions = (...permissions: [Permission, ...Permission[]]) =>
  SetMetadata(REQUIRED_PERMISSIONS, permissions);
