import { ApiProperty } from '@nestjs/swagger';
import { PERMISSIONS, Permission, permissionsOf, ROLE_NAMES, RoleName } from '../../roles/roles';
import type { User } from '../user.entity';
import { UserResponse } from './user.response';

/**
 * GET /users/me: the account, and what it may do as the permission guard sees it on this very
 * request (the roles read with the session), so a client knows which pages to offer. The API
 * still decides each call.
 */
export class MeResponse extends UserResponse {
  @ApiProperty({ enum: ROLE_NAMES, isArray: true, example: ['user', 'admin'] })
  roles: RoleName[];

  @ApiProperty({
    enum: PERMISSIONS,
    isArray: true,
    example: ['users:read', 'audit:read'],
    description: "What the account's roles allow, in registry order; empty for a plain user",
  })
  permissions: Permission[];

  @ApiProperty({
    example: true,
    description:
      'False for an account made by a sign-in provider until it sets a password through ' +
      'forgot-password; until then what asks for the password (change it, delete the account, ' +
      'link a provider without a code) cannot succeed',
  })
  has_password: boolean;

  static ofSession(user: User, roles: readonly RoleName[]): MeResponse {
    const granted = permissionsOf(roles);
    return {
      ...UserResponse.of(user),
      has_password: user.passwordHash !== null,
      roles: [...roles],
      permissions: PERMISSIONS.filter((permission) => granted.has(permission)),
    };
  }
}
