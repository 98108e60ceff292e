/**
 * The one registry of roles and what they may do. A team adds a permission to PERMISSIONS and
 * a role (or a permission of a role) to ROLES; the types, the validators of `PUT
 * /admin/users/{id}/roles` and the permission guard all follow from these two constants.
 */
export const PERMISSIONS = [
  'users:read',
  'users:write',
  'sessions:revoke',
  'roles:write',
  'audit:read',
  'mfa:reset',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

export const ROLES = {
  /** Every account's role; never stored, never removed. */
  user: [],
  admin: [...PERMISSIONS],
} as const satisfies Record<string, readonly Permission[]>;
export type RoleName = keyof typeof ROLES;

export const ROLE_NAMES = Object.keys(ROLES) as RoleName[];
export const IMPLICIT_ROLE = 'user' satisfies RoleName;
export const ADMIN_ROLE = 'admin' satisfies RoleName;

export function isRoleName(value: unknown): value is RoleName {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(ROLES, value);
}

/**
 * An account's roles as the API shows them: `user` first, then the assigned roles the registry
 * knows, in registry order, each once. A role stored but since removed from the registry grants
 * nothing and is not shown.
 */
export function effectiveRoles(assigned: Iterable<string>): RoleName[] {
  const given = new Set(assigned);
  return ROLE_NAMES.filter((role) => role === IMPLICIT_ROLE || given.has(role));
}

export function permissionsOf(roles: readonly RoleName[]): Set<Permission> {
  return new Set(roles.flatMap((role) => ROLES[role] as readonly Permission[]));
}
