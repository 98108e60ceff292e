import { effectiveRoles, isRoleName, PERMISSIONS, permissionsOf, ROLE_NAMES } from './roles';

describe('the roles registry', () => {
  it('ships user and admin', () => {
    expect(ROLE_NAMES).toEqual(['user', 'admin']);
  });

  it('gives admin every permission and user none', () => {
    expect([...permissionsOf(['admin'])].sort()).toEqual([...PERMISSIONS].sort());
    expect(permissionsOf(['user']).size).toBe(0);
  });

  it('always shows user first, then the known assigned roles, once each', () => {
    expect(effectiveRoles([])).toEqual(['user']);
    expect(effectiveRoles(['admin', 'admin', 'user'])).toEqual(['user', 'admin']);
    expect(effectiveRoles(['retired-role', 'admin'])).toEqual(['user', 'admin']);
  });

  it.each(['admin', 'user'])('knows %s', (name) => expect(isRoleName(name)).toBe(true));

  it.each(['root', 'Admin', '__proto__', 'constructor', '', 42, null])(
    'does not take %p for a role',
    (name) => expect(isRoleName(name)).toBe(false),
  );
});
