import type { Page } from 'playwright-core';
import { AccountsService } from '../../src/accounts/accounts.service';
import { newIdentity, signUp } from '../support/factories';
import { checkAccessibility, latestMailTo, screenshot, useBrowser } from './support/browser';
import {
  accountShown,
  failedRequests,
  logIn,
  signUpAndVerify,
  signOut,
  submitLogin,
  turnOnTwoFactor,
} from './support/dashboard';

const REVOKED =
  'You were signed out because your session was ended: your password was reset or changed, or an administrator ended it.';
const DISABLED = 'This account has been disabled. Contact the administrator.';

/**
 * Journey 6: an administrator finds a person in the console and disables the account; the
 * person's open page is told so on its next action and returns to the login page; enabled
 * again, the person logs in. The console is offered only to those whose permissions allow it,
 * and the service still refuses anyone else.
 */
describe('the dashboard: the admin console', () => {
  const browser = useBrowser();
  const newPage = () => browser.newPage();

  /** Signs up an account in its own browser and makes it an admin as `npm run admin:grant` does. */
  async function adminPage(): Promise<Page> {
    const identity = newIdentity('admin6');
    const page = await newPage();
    await signUpAndVerify(browser.harness, page, identity);
    await browser.harness.app.get(AccountsService).setAdminByEmail(identity.email, true);
    await logIn(page, identity.email, identity.password);
    return page;
  }

  it('disables a person, whose page signs out, and enables them again', async () => {
    const person = newIdentity('journey6');
    const user = await newPage();
    await signUpAndVerify(browser.harness, user, person);
    await logIn(user, person.email, person.password);
    // A plain user is not offered the console.
    await user.getByRole('region', { name: 'Profile' }).getByText(person.username).waitFor();
    expect(await user.getByRole('link', { name: 'Admin console' }).count()).toBe(0);

    const admin = await adminPage();
    await admin.getByRole('link', { name: 'Admin console' }).click();
    await admin.getByRole('heading', { name: 'Accounts', level: 1 }).waitFor();
    // Keyboard only: type the prefix in the search field and press Enter.
    await admin.getByLabel('Email or username starts with').focus();
    await admin.keyboard.type('JOURNEY6.');
    await admin.keyboard.press('Enter');
    const found = admin.getByRole('list', { name: /Accounts, newest first/ });
    await found.getByRole('link', { name: person.username }).waitFor();
    expect(await found.getByRole('listitem').count()).toBe(1);
    expect(new URL(admin.url()).search).toBe('?query=JOURNEY6.');
    await checkAccessibility(admin);
    await screenshot(admin, 'admin', 'accounts');

    await found.getByRole('link', { name: person.username }).click();
    await admin.getByRole('heading', { name: person.username, level: 1 }).waitFor();
    const session = admin.getByRole('region', { name: 'Active session' });
    await session.getByText('HeadlessChrome').waitFor();
    await admin.getByRole('region', { name: 'Standing' }).getByText('active').waitFor();
    await checkAccessibility(admin);
    await screenshot(admin, 'admin', 'account');

    // Disabling asks first, with a reason for the audit trail; an empty reason is refused.
    await admin.getByRole('button', { name: 'Disable the account…' }).click();
    const dialog = admin.getByRole('dialog', { name: `Disable ${person.username}?` });
    await dialog.getByRole('button', { name: 'Disable the account' }).click();
    await dialog.getByRole('alert').filter({ hasText: 'not filled in correctly' }).waitFor();
    expect(failedRequests(admin)).toEqual([400]);
    await checkAccessibility(admin);
    await screenshot(admin, 'admin', 'disable-dialog');
    await dialog.getByLabel('Reason').fill('Journey 6: reported abuse');
    await dialog.getByRole('button', { name: 'Disable the account' }).click();
    await admin.getByRole('status').filter({ hasText: 'Account disabled.' }).waitFor();
    await dialog.waitFor({ state: 'hidden' });
    await admin.getByRole('region', { name: 'Standing' }).getByText('disabled').waitFor();
    await session.getByText('No active session.').waitFor();

    // The person's next action: the service refuses the token, the page says why.
    await nextAction(user, person.password);
    await user.getByRole('heading', { name: 'Log in', level: 1 }).waitFor();
    await user.getByRole('status').filter({ hasText: REVOKED }).waitFor();
    expect(failedRequests(user)).toEqual([401]);
    expect(new URL(user.url()).pathname).toBe('/app/login');
    await submitLogin(user, person.email, person.password);
    await user.getByRole('alert').filter({ hasText: DISABLED }).waitFor();
    expect(failedRequests(user)).toEqual([403]);
    await checkAccessibility(user);
    await screenshot(user, 'admin', 'person-disabled');

    // Enabled again, the person logs in.
    await admin.getByRole('button', { name: 'Enable the account' }).click();
    await admin.getByRole('status').filter({ hasText: 'Account enabled.' }).waitFor();
    await admin.getByRole('region', { name: 'Standing' }).getByText('active').waitFor();
    await user.getByRole('button', { name: 'Log in' }).click();
    await accountShown(user);

    // A reset link, mailed to the person (the admin never sees the password).
    await admin.getByRole('button', { name: 'Send a password reset link' }).click();
    await admin.getByRole('status').filter({ hasText: 'Password reset email sent.' }).waitFor();
    await latestMailTo(browser.harness, person.email, /reset/i);

    // The account's audit trail shows what the admin did, and who.
    await admin.getByRole('link', { name: 'This account’s audit trail' }).click();
    await admin.getByRole('heading', { name: 'Audit trail', level: 1 }).waitFor();
    const events = admin.getByRole('list', { name: /Audit events/ });
    // The refused attempt (no reason) and the disabling itself.
    await events.getByText('admin.user.disable').nth(1).waitFor();
    await events.getByText('reason: Journey 6: reported abuse', { exact: false }).waitFor();
    await events.getByText('admin.user.enable').waitFor();
    await checkAccessibility(admin);
    await screenshot(admin, 'admin', 'audit');
    // Only what failed: the attempt without a reason, and the login refused while disabled.
    await admin.getByLabel('Outcome').selectOption('failure');
    await admin.getByRole('button', { name: 'Show events' }).click();
    await events.getByText('login.failed').waitFor();
    await events.getByText('admin.user.enable').waitFor({ state: 'detached' });
    expect(new URL(admin.url()).searchParams.get('outcome')).toBe('failure');
    // The console's own link to the whole trail, from this filtered view: the page starts afresh.
    await admin
      .getByRole('navigation', { name: 'Admin console' })
      .getByRole('link', { name: 'Audit trail' })
      .click();
    await events.getByText('admin.user.enable').waitFor();
    expect(await admin.getByLabel('Account id').inputValue()).toBe('');
    expect(await admin.getByLabel('Outcome').inputValue()).toBe('');
    expect(new URL(admin.url()).search).toBe('');
    // Back returns to the filtered view, drawn from its address.
    await admin.goBack();
    await events.getByText('login.failed').waitFor();
    expect(await admin.getByLabel('Outcome').inputValue()).toBe('failure');

    // The console at 360 px: no sideways scrolling, and still accessible.
    await admin.setViewportSize({ width: 360, height: 780 });
    await admin
      .getByRole('navigation', { name: 'Admin console' })
      .getByRole('link', { name: 'Accounts' })
      .click();
    await findAccounts(admin, 'journey6.');
    await expectNoSidewaysScroll(admin);
    await checkAccessibility(admin);
    await screenshot(admin, 'admin', 'accounts-360px');
    await admin
      .getByRole('navigation', { name: 'Admin console' })
      .getByRole('link', { name: 'Audit trail' })
      .click();
    await admin
      .getByRole('list', { name: /Audit events/ })
      .getByRole('listitem')
      .first()
      .waitFor();
    await expectNoSidewaysScroll(admin);
    await checkAccessibility(admin);
    await screenshot(admin, 'admin', 'audit-360px');
    await admin
      .getByRole('main')
      .getByRole('link', { name: /^Account / })
      .first()
      .click();
    await admin.getByRole('region', { name: 'Standing' }).waitFor();
    await expectNoSidewaysScroll(admin);
    await checkAccessibility(admin);
    await screenshot(admin, 'admin', 'account-360px');
  });

  it('ends a session and resets two-factor after asking, and gives and takes a role', async () => {
    const person = newIdentity('journey6');
    const user = await newPage();
    await signUpAndVerify(browser.harness, user, person);
    await logIn(user, person.email, person.password);
    const admin = await adminPage();
    const openAccount = async () => {
      await admin.getByRole('link', { name: 'Admin console' }).click();
      await findAccounts(admin, person.username);
      await admin.getByRole('link', { name: person.username }).click();
      await admin.getByRole('heading', { name: person.username, level: 1 }).waitFor();
    };
    await openAccount();
    const standing = admin.getByRole('region', { name: 'Standing' });

    // Ending the session asks first; Cancel leaves it.
    await admin.getByRole('button', { name: 'End the session…' }).click();
    const endIt = admin.getByRole('dialog', { name: `End ${person.username}’s session?` });
    // Focus starts on the safe choice; Escape closes the dialog.
    await endIt.getByRole('button', { name: 'Cancel' }).and(admin.locator(':focus')).waitFor();
    await admin.keyboard.press('Escape');
    await endIt.waitFor({ state: 'hidden' });
    await admin
      .getByRole('region', { name: 'Active session' })
      .getByText('HeadlessChrome')
      .waitFor();
    await admin.getByRole('button', { name: 'End the session…' }).click();
    await endIt.getByRole('button', { name: 'End the session' }).click();
    await admin.getByRole('status').filter({ hasText: 'Session revoked.' }).waitFor();
    await admin.getByText('No active session.').waitFor();

    await nextAction(user, person.password);
    await user.getByRole('status').filter({ hasText: REVOKED }).waitFor();
    expect(failedRequests(user)).toEqual([401]);
    await logIn(user, person.email, person.password);
    await turnOnTwoFactor(user, person.password);
    await openAccount();
    await standing.getByText('on', { exact: true }).waitFor();

    // Two-factor reset, for a person who lost the authenticator: a reason, then a login without.
    await admin.getByRole('button', { name: 'Reset two-factor login…' }).click();
    const reset = admin.getByRole('dialog', {
      name: `Reset ${person.username}’s two-factor login?`,
    });
    await reset.getByLabel('Reason').fill('Lost phone, identity checked by support');
    await reset.getByRole('button', { name: 'Turn two-factor login off' }).click();
    await admin.getByRole('status').filter({ hasText: 'Two-factor login is off.' }).waitFor();
    await standing.getByText('off', { exact: true }).waitFor();
    await signOut(user);
    await logIn(user, person.email, person.password);

    // Twenty accounts a page: the next page follows the same search.
    const tag = `pages6${Date.now().toString(36)}`;
    for (let i = 0; i < 21; i += 1) await signUp(browser.harness, newIdentity(`${tag}n${i}`));
    await admin.getByRole('link', { name: 'Admin console' }).click();
    await findAccounts(admin, tag);
    const found = admin.getByRole('list', { name: /Accounts, newest first/ }).getByRole('listitem');
    expect(await found.count()).toBe(20);
    await admin.getByLabel('Email or username starts with').fill('something else');
    await admin.getByRole('button', { name: 'Show more accounts' }).click();
    await found.nth(20).waitFor();
    expect(await found.count()).toBe(21);
    expect(await found.last().textContent()).toContain(`${tag}n0`);
    await admin.getByRole('button', { name: 'Show more accounts' }).waitFor({ state: 'detached' });
    await openAccount();

    // A role given applies from the person's next request: the console is offered, then taken.
    await admin.getByLabel('Administrator (every admin permission)').check();
    await admin.getByRole('button', { name: 'Save the roles' }).click();
    await admin.getByRole('status').filter({ hasText: 'Roles saved: user, admin.' }).waitFor();
    await standing.getByText('user, admin').waitFor();
    await user.getByRole('link', { name: 'Account', exact: true }).click();
    await user.getByRole('link', { name: 'Admin console' }).waitFor();
    await admin.getByLabel('Administrator (every admin permission)').uncheck();
    await admin.getByRole('button', { name: 'Save the roles' }).click();
    await admin.getByRole('status').filter({ hasText: 'Roles saved: user.' }).waitFor();

    // The link was read before the role was taken; the service refuses, the page says so in words,
    // and the link is gone from the next page on.
    await user.getByRole('link', { name: 'Admin console' }).click();
    await user.getByRole('alert').filter({ hasText: 'You are not allowed to do this.' }).waitFor();
    expect(failedRequests(user)).toEqual([403]);
    await user.getByRole('link', { name: 'Admin console' }).waitFor({ state: 'detached' });
    await checkAccessibility(user);
  });
});

/** An action that needs the session (starting two-factor setup), from the account page. */
async function nextAction(page: Page, password: string) {
  const section = page.getByRole('region', { name: 'Two-factor login' });
  await section.getByRole('button', { name: 'Turn on two-factor login' }).click();
  await section.getByLabel('Your password').fill(password);
  await section.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('heading', { name: 'Log in', level: 1 }).waitFor();
}

/** Searches the console's accounts by a prefix; waits for the first result. */
async function findAccounts(page: Page, prefix: string) {
  await page.getByRole('heading', { name: 'Accounts', level: 1 }).waitFor();
  await page.getByLabel('Email or username starts with').fill(prefix);
  await page.getByRole('button', { name: 'Search' }).click();
  await page
    .getByRole('list', { name: /Accounts, newest first/ })
    .getByRole('link', { name: new RegExp(`^${prefix.replace('.', '')}`, 'i') })
    .first()
    .waitFor();
}

async function expectNoSidewaysScroll(page: Page) {
  const overflow = await page.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
  );
  expect(overflow).toBe(0);
}
