import { AccountsService } from '../../src/accounts/accounts.service';
import { loggedInUser, newIdentity } from './factories';
import type { TestApp } from './test-app';

/**
 * A logged-in admin. Made admin the way `npm run admin:grant` does it (the same service, in the
 * app under test); the CLI itself is tested in admin-cli.e2e-spec.ts. The roles apply from the
 * next request: the token from before the grant is an admin's token.
 */
export async function loggedInAdmin(t: TestApp, identity = newIdentity('admin')) {
  const user = await loggedInUser(t, identity);
  await t.app.get(AccountsService).setAdminByEmail(identity.email, true);
  return user;
}
