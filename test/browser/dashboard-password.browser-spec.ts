import { newIdentity } from '../support/factories';
import {
  checkAccessibility,
  latestMailTo,
  linkIn,
  screenshot,
  useBrowser,
} from './support/browser';
import { failedRequests, logIn, signOut, signUpAndVerify, submitLogin } from './support/dashboard';

const NEW_PASSWORD = 'Amber-Harbor-Cactus-58';

/** Journey 4: change the password from the account page; forgot password from the login page. */
describe('the dashboard: passwords', () => {
  const browser = useBrowser();

  it('changes the password: a wrong current one is refused, then only the new one logs in', async () => {
    const { harness, page } = browser;
    const identity = newIdentity('journey4');
    await signUpAndVerify(harness, page, identity);
    await logIn(page, identity.email, identity.password);
    const section = page.getByRole('region', { name: 'Change password' });

    await section.getByLabel('Current password').fill('not-my-password');
    await section.getByLabel('New password').fill(NEW_PASSWORD);
    await section.getByRole('button', { name: 'Change password' }).click();
    await section
      .getByRole('alert')
      .filter({ hasText: 'The email address or password is not right.' })
      .waitFor();
    expect(failedRequests(page)).toEqual([401]);

    await section.getByLabel('Current password').fill(identity.password);
    await section.getByLabel('New password').fill('password');
    await section.getByRole('button', { name: 'Change password' }).click();
    await section.getByRole('alert').filter({ hasText: 'Choose a stronger password.' }).waitFor();
    expect(failedRequests(page)).toEqual([400]);
    // The service's own words for what is wrong, beside the field it concerns.
    expect(await section.getByLabel('New password').getAttribute('aria-invalid')).toBe('true');
    await checkAccessibility(page);
    await screenshot(page, 'password', 'weak-password');

    await section.getByLabel('New password').fill(NEW_PASSWORD);
    await section.getByRole('button', { name: 'Change password' }).click();
    await section.getByRole('status').filter({ hasText: 'Your password was changed' }).waitFor();
    await screenshot(page, 'password', 'changed');

    await signOut(page);
    await submitLogin(page, identity.email, identity.password);
    await page.getByRole('alert').filter({ hasText: 'is not right' }).waitFor();
    expect(failedRequests(page)).toEqual([401]);
    await logIn(page, identity.email, NEW_PASSWORD);
  });

  it('sends a reset link from "Forgot your password?", and the mailed page sets a new one', async () => {
    const { harness, page } = browser;
    const identity = newIdentity('journey4');
    await signUpAndVerify(harness, page, identity);
    await page.goto('/app/login');
    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    await page.getByLabel('Email').fill(identity.email);
    await page.getByRole('button', { name: 'Send me a link' }).click();
    await page.getByRole('status').filter({ hasText: 'we sent it a link' }).waitFor();
    await checkAccessibility(page);
    await screenshot(page, 'password', 'forgot-sent');

    await page.goto(linkIn(harness, await latestMailTo(harness, identity.email, /Reset/)));
    await page.getByLabel('New password').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Set my new password' }).click();
    await page.getByRole('status').filter({ hasText: 'Your password has been reset' }).waitFor();
    await logIn(page, identity.email, NEW_PASSWORD);
  });
});
