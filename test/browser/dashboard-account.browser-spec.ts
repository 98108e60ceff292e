import { newIdentity } from '../support/factories';
import { checkAccessibility, screenshot, useBrowser } from './support/browser';
import {
  accountShown,
  failedRequests,
  logIn,
  screenshotAt,
  signUpAndVerify,
  submitLogin,
} from './support/dashboard';

/** Journey 1: sign up, follow the mailed link, log in, see this session and the activity. */
describe('the dashboard: sign up, verify, log in, see the account', () => {
  const browser = useBrowser();

  it('takes a new person from the sign-up form to their account page', async () => {
    const { harness, page } = browser;
    const identity = newIdentity('journey1');
    await page.goto('/app/signup');
    await checkAccessibility(page);
    await screenshot(page, 'account', 'signup');

    await signUpAndVerify(harness, page, identity);

    await page.goto('/app/login');
    await checkAccessibility(page);
    await screenshot(page, 'account', 'login');
    // Keyboard only: the email field has focus, Tab moves to the password, Enter sends.
    await page.keyboard.type(identity.email);
    await page.keyboard.press('Tab');
    await page.keyboard.type(identity.password);
    await page.keyboard.press('Enter');
    await accountShown(page);

    const profile = page.getByRole('region', { name: 'Profile' });
    await profile.getByText(identity.username).waitFor();
    await profile.getByText('verified', { exact: true }).waitFor();

    const session = page.getByRole('region', { name: 'This session' });
    await session.getByText('Headless Chrome').waitFor();
    await session.getByText('127.0.0.1').waitFor();

    const activity = page.getByRole('list', { name: /Account activity/ });
    await activity.getByText('Logged in').waitFor();
    const rows = await activity.getByRole('listitem').allTextContents();
    expect(rows[0]).toContain('Logged in');
    expect(rows.some((row) => row.includes('Email address verified'))).toBe(true);
    expect(rows[rows.length - 1]).toContain('Account created');
    await checkAccessibility(page);
    await screenshot(page, 'account', 'account');

    await page.setViewportSize({ width: 360, height: 780 });
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow).toBe(0);
    await checkAccessibility(page);
    await screenshot(page, 'account', 'account-360px');
    await screenshotAt(page.locator('header'), 'account', '360px');
  });

  it('stays signed in across a reload through the HttpOnly cookie; signing out ends that', async () => {
    const { harness, context, page } = browser;
    const identity = newIdentity('journey1');
    await signUpAndVerify(harness, page, identity);
    await logIn(page, identity.email, identity.password);
    const [cookie] = (await context.cookies()).filter((c) => c.name === 'refresh_token');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/auth' });
    expect(await page.evaluate(() => document.cookie)).not.toContain('refresh_token');

    await page.reload();
    await accountShown(page);
    await page.getByRole('region', { name: 'Profile' }).getByText(identity.username).waitFor();

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('status').filter({ hasText: 'You signed out.' }).waitFor();
    expect((await context.cookies()).filter((c) => c.name === 'refresh_token')).toEqual([]);
    await page.goto('/app/account');
    await page.getByRole('heading', { name: 'Log in', level: 1 }).waitFor();
  });

  it('deletes the account after asking for the password; it cannot log in again', async () => {
    const { harness, page } = browser;
    const identity = newIdentity('journey1');
    await signUpAndVerify(harness, page, identity);
    await logIn(page, identity.email, identity.password);
    await page.getByRole('button', { name: 'Delete my account…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete your account?' });
    await dialog.getByLabel('Your password').fill('not-my-password');
    await dialog.getByRole('button', { name: 'Delete it for good' }).click();
    await dialog.getByRole('alert').filter({ hasText: 'is not right' }).waitFor();
    expect(failedRequests(page)).toEqual([401]);
    await checkAccessibility(page);
    await screenshot(page, 'account', 'delete-dialog');

    await dialog.getByLabel('Your password').fill(identity.password);
    await dialog.getByRole('button', { name: 'Delete it for good' }).click();
    await page.getByRole('status').filter({ hasText: 'Your account was deleted.' }).waitFor();
    await submitLogin(page, identity.email, identity.password);
    await page.getByRole('alert').filter({ hasText: 'is not right' }).waitFor();
    expect(failedRequests(page)).toEqual([401]);
  });

  it('pages through the activity, ten at a time', async () => {
    const { harness, page } = browser;
    const identity = newIdentity('journey1');
    await signUpAndVerify(harness, page, identity);
    // Five logins through the API, each ending the last: with the signup's rows, more than ten.
    for (let i = 0; i < 5; i += 1) {
      await harness.http
        .post('/auth/login')
        .send({ email: identity.email, password: identity.password, force: true })
        .expect(200);
    }
    await submitLogin(page, identity.email, identity.password);
    const dialog = page.getByRole('dialog', { name: 'Session already active' });
    await dialog.getByRole('button', { name: 'Sign the other device out and continue' }).click();
    expect(failedRequests(page)).toEqual([409]);
    await accountShown(page);
    const items = page.getByRole('list', { name: /Account activity/ }).getByRole('listitem');
    await items.nth(9).waitFor();
    expect(await items.count()).toBe(10);
    await page.getByRole('button', { name: 'Show older activity' }).click();
    await items.nth(10).waitFor();
    expect(await items.last().textContent()).toContain('Account created');
  });

  it('answers a wrong password, and a person who is not verified yet, in plain words', async () => {
    const { harness, page } = browser;
    const identity = newIdentity('journey1');
    await harness.http.post('/auth/signup').send(identity).expect(201);
    await submitLogin(page, identity.email, 'not-the-password');
    await page
      .getByRole('alert')
      .filter({ hasText: 'The email address or password is not right.' })
      .waitFor();
    expect(failedRequests(page)).toEqual([401]);
    await submitLogin(page, identity.email, identity.password);
    await page.getByRole('alert').filter({ hasText: 'Verify your email address first' }).waitFor();
    expect(failedRequests(page)).toEqual([403]);
    await page.getByRole('button', { name: 'Send the verification link again' }).click();
    await page.getByRole('alert').filter({ hasText: 'We sent a new verification link' }).waitFor();
    await checkAccessibility(page);
    await screenshot(page, 'account', 'not-verified');
  });
});
