import { newIdentity } from '../support/factories';
import { checkAccessibility, screenshot, useBrowser } from './support/browser';
import {
  accountShown,
  codeFor,
  failedRequests,
  logIn,
  signOut,
  signUpAndVerify,
  submitLogin,
  screenshotAt,
  turnOnTwoFactor,
} from './support/dashboard';

/**
 * Journeys 2 and 3: turn two-factor login on by "scanning" (the key read from the page), then
 * log out and back in with a code from the app, and again with a recovery code.
 */
describe('the dashboard: two-factor login', () => {
  const browser = useBrowser();

  it('turns two-factor on, then logs in with a code, then with a recovery code', async () => {
    const { harness, page } = browser;
    const identity = newIdentity('journey2');
    await signUpAndVerify(harness, page, identity);
    await logIn(page, identity.email, identity.password);

    const section = page.getByRole('region', { name: 'Two-factor login' });
    await section.getByRole('button', { name: 'Turn on two-factor login' }).click();
    await section.getByLabel('Your password').fill(identity.password);
    await section.getByRole('button', { name: 'Continue' }).click();
    const qr = section.getByRole('img', { name: 'QR code for your authenticator app' });
    await qr.waitFor();
    expect(await qr.getAttribute('src')).toMatch(/^data:image\/svg\+xml/);
    await checkAccessibility(page);
    await screenshot(page, 'two-factor', 'setup');
    const desktop = page.viewportSize();
    await page.setViewportSize({ width: 360, height: 740 });
    await checkAccessibility(page);
    await screenshot(page, 'two-factor', 'setup-360px');
    await screenshotAt(section, 'two-factor', 'setup-360px');
    if (desktop) await page.setViewportSize(desktop);
    await section.getByRole('button', { name: 'Cancel' }).click();

    // Setting up again makes a new key; this one is "scanned" and confirmed.
    const { secret, uri, recoveryCodes } = await turnOnTwoFactor(page, identity.password);
    expect(uri).toContain(`secret=${secret}`);
    expect(recoveryCodes).toHaveLength(10);
    await checkAccessibility(page);
    await screenshot(page, 'two-factor', 'recovery-codes');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      section.getByRole('button', { name: 'Download' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('recovery-codes.txt');
    await section.getByRole('button', { name: 'I have saved them' }).click();
    await section.getByText('Two-factor login is on').waitFor();
    await section.getByText('10 recovery codes left').waitFor();

    // Journey 3: out, then in with a code from the app (the next one: each is accepted once).
    await signOut(page);
    await submitLogin(page, identity.email, identity.password);
    await page.getByLabel('Code from your authenticator app').fill('000000');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('alert').filter({ hasText: 'That code is not right' }).waitFor();
    expect(failedRequests(page)).toEqual([401]);
    await checkAccessibility(page);
    await screenshot(page, 'two-factor', 'login-code');
    await page.getByLabel('Code from your authenticator app').fill(codeFor(secret, 1));
    await page.getByRole('button', { name: 'Continue' }).click();
    await accountShown(page);
    await page
      .getByRole('region', { name: 'This session' })
      .getByText('used for this login')
      .waitFor();

    await signOut(page);
    await submitLogin(page, identity.email, identity.password);
    await page.getByRole('button', { name: 'Use a recovery code instead' }).click();
    await page.getByLabel('Recovery code').fill(recoveryCodes[3]);
    await checkAccessibility(page);
    await screenshot(page, 'two-factor', 'login-recovery-code');
    await page.getByRole('button', { name: 'Continue' }).click();
    await accountShown(page);
    await section.getByText('9 recovery codes left').waitFor();
  });

  it('turns two-factor off with the password and a recovery code', async () => {
    const { harness, page } = browser;
    const identity = newIdentity('journey2');
    await signUpAndVerify(harness, page, identity);
    await logIn(page, identity.email, identity.password);
    const { recoveryCodes } = await turnOnTwoFactor(page, identity.password);
    const section = page.getByRole('region', { name: 'Two-factor login' });
    await section.getByRole('button', { name: 'I have saved them' }).click();

    await section.getByRole('button', { name: 'Turn off two-factor login' }).click();
    await section.getByLabel('Your password').fill(identity.password);
    await section.getByLabel(/^Code from your authenticator app/).fill(recoveryCodes[0]);
    await section.getByRole('button', { name: 'Turn off' }).click();
    await section.getByText('Two-factor login is off').waitFor();

    await signOut(page);
    await logIn(page, identity.email, identity.password);
  });

  it('makes new recovery codes, which replace the old ones, and prints only them', async () => {
    const { harness, page } = browser;
    const identity = newIdentity('journey2');
    await signUpAndVerify(harness, page, identity);
    await logIn(page, identity.email, identity.password);
    const { secret, recoveryCodes: first } = await turnOnTwoFactor(page, identity.password);
    const section = page.getByRole('region', { name: 'Two-factor login' });
    await section.getByRole('button', { name: 'I have saved them' }).click();

    await section.getByRole('button', { name: 'Make new recovery codes' }).click();
    await section.getByLabel('Your password').fill(identity.password);
    await section.getByLabel(/^Code from your authenticator app/).fill(codeFor(secret, 1));
    await section.getByRole('button', { name: 'Make new codes' }).click();
    await section.locator('#recovery-codes').waitFor();
    const second = await section.locator('#recovery-codes code').allTextContents();
    expect(second).toHaveLength(10);
    expect(second.filter((code) => first.includes(code))).toEqual([]);

    // Print asks the browser's print dialog for a page that holds the codes and nothing else.
    await page.evaluate(() => {
      const counted = window as unknown as { printed: number };
      counted.printed = 0;
      window.print = () => void counted.printed++;
    });
    await section.getByRole('button', { name: 'Print' }).click();
    expect(await page.evaluate(() => (window as unknown as { printed: number }).printed)).toBe(1);
    await page.emulateMedia({ media: 'print' });
    for (const code of second) expect(await section.getByText(code).isVisible()).toBe(true);
    for (const hidden of [
      section.getByRole('button', { name: 'Print' }),
      page.getByRole('heading', { name: 'Your account', level: 1 }),
      page.getByRole('region', { name: 'Profile' }),
    ]) {
      expect(await hidden.isVisible()).toBe(false);
    }
    await screenshot(page, 'two-factor', 'recovery-codes-print');
    await page.emulateMedia({ media: 'screen' });
    await section.getByRole('button', { name: 'I have saved them' }).click();

    // An old code no longer logs in; a new one does.
    await signOut(page);
    await submitLogin(page, identity.email, identity.password);
    await page.getByRole('button', { name: 'Use a recovery code instead' }).click();
    await page.getByLabel('Recovery code').fill(first[0]);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('alert').waitFor();
    expect(failedRequests(page)).toEqual([401]);
    await page.getByLabel('Recovery code').fill(second[0]);
    await page.getByRole('button', { name: 'Continue' }).click();
    await accountShown(page);
  });

  it('asks for a code before it deletes an account with two-factor on', async () => {
    const { harness, page } = browser;
    const identity = newIdentity('journey2');
    await signUpAndVerify(harness, page, identity);
    await logIn(page, identity.email, identity.password);
    const { recoveryCodes } = await turnOnTwoFactor(page, identity.password);
    await page
      .getByRole('region', { name: 'Two-factor login' })
      .getByRole('button', { name: 'I have saved them' })
      .click();

    await page.getByRole('button', { name: 'Delete my account…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete your account?' });
    await dialog.getByLabel('Your password').fill(identity.password);
    await dialog.getByLabel(/^Code from your authenticator app/).fill('000000');
    await dialog.getByRole('button', { name: 'Delete it for good' }).click();
    await dialog.getByRole('alert').waitFor();
    expect(failedRequests(page)).toEqual([401]);
    await checkAccessibility(page);

    await dialog.getByLabel(/^Code from your authenticator app/).fill(recoveryCodes[0]);
    await dialog.getByRole('button', { name: 'Delete it for good' }).click();
    await page.getByRole('status').filter({ hasText: 'Your account was deleted.' }).waitFor();
  });
});
