import { moveClockBy } from '../support/clock';
import { newIdentity } from '../support/factories';
import {
  checkAccessibility,
  openPage,
  requestsSettled,
  screenshot,
  useBrowser,
} from './support/browser';
import {
  accountShown,
  codeFor,
  failedRequests,
  logIn,
  signUpAndVerify,
  submitLogin,
  turnOnTwoFactor,
} from './support/dashboard';

/**
 * Journey 5: one session per person. A second browser logs in, meets "Session already active"
 * and signs the first out; the first is told so on its next action, and lands on the login page.
 */
describe('the dashboard: one session at a time', () => {
  const browser = useBrowser();
  const newPage = () => browser.newPage();

  it('lets a second browser take over, and tells the first why it was signed out', async () => {
    const identity = newIdentity('journey5');
    const first = await newPage();
    await signUpAndVerify(browser.harness, first, identity);
    await logIn(first, identity.email, identity.password);

    const second = await newPage();
    await submitLogin(second, identity.email, identity.password);
    const dialog = second.getByRole('dialog', { name: 'Session already active' });
    await dialog.waitFor();
    expect(failedRequests(second)).toEqual([409]);
    await checkAccessibility(second);
    await screenshot(second, 'sessions', 'session-active-dialog');

    // Cancel keeps the other session; the person can think again.
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await second.getByRole('button', { name: 'Log in' }).click();
    await dialog.getByRole('button', { name: 'Sign the other device out and continue' }).click();
    expect(failedRequests(second)).toEqual([409]);
    await accountShown(second);

    // The first browser's next action: the service refuses its token, the page says why.
    const section = first.getByRole('region', { name: 'Two-factor login' });
    await section.getByRole('button', { name: 'Turn on two-factor login' }).click();
    await section.getByLabel('Your password').fill(identity.password);
    await section.getByRole('button', { name: 'Continue' }).click();
    await first.getByRole('heading', { name: 'Log in', level: 1 }).waitFor();
    await first
      .getByRole('status')
      .filter({ hasText: 'You were signed out because you signed in on another device.' })
      .waitFor();
    expect(failedRequests(first)).toEqual([401]);
    expect(new URL(first.url()).pathname).toBe('/app/login');
    await checkAccessibility(first);
    await screenshot(first, 'sessions', 'session-replaced');
    await first.setViewportSize({ width: 360, height: 640 });
    await screenshot(first, 'sessions', 'session-replaced-360px');
  });

  it('keeps the session when two tabs open the account at the same moment', async () => {
    const identity = newIdentity('journey5');
    const first = await newPage();
    await signUpAndVerify(browser.harness, first, identity);
    await logIn(first, identity.email, identity.password);
    // Each new tab refreshes with the one cookie: two refreshes at once would revoke the session.
    // A slow network makes them overlap unless the tabs take turns.
    const tabs = await Promise.all([openPage(first.context()), openPage(first.context())]);
    for (const tab of tabs) {
      const devtools = await first.context().newCDPSession(tab);
      await devtools.send('Network.emulateNetworkConditions', {
        offline: false,
        latency: 400,
        downloadThroughput: -1,
        uploadThroughput: -1,
      });
    }
    await Promise.all(tabs.map((tab) => tab.goto('/app/account')));
    await Promise.all(tabs.map((tab) => accountShown(tab)));
    await Promise.all(
      tabs.map((tab) =>
        tab.getByRole('region', { name: 'Profile' }).getByText(identity.username).waitFor(),
      ),
    );
    await first.reload();
    await accountShown(first);
  });

  it('renews an expired access token on the way, and says so when the session itself expired', async () => {
    const identity = newIdentity('journey5');
    const page = await newPage();
    await signUpAndVerify(browser.harness, page, identity);
    await logIn(page, identity.email, identity.password);
    const section = page.getByRole('region', { name: 'Two-factor login' });
    // The account's sections load after the heading shows: let them finish on the real clock.
    await requestsSettled(page);
    try {
      // Past the access token's 30 minutes: the request is refused, refreshed and sent again.
      moveClockBy(31 * 60_000);
      await section.getByRole('button', { name: 'Turn on two-factor login' }).click();
      await section.getByLabel('Your password').fill(identity.password);
      await section.getByRole('button', { name: 'Continue' }).click();
      await section.getByRole('img', { name: 'QR code for your authenticator app' }).waitFor();
      expect(failedRequests(page)).toEqual([401]);
      await section.getByRole('button', { name: 'Cancel' }).click();
      await requestsSettled(page);

      // Past the refresh token's days too: the page says the session expired.
      moveClockBy(40 * 24 * 60 * 60_000);
      await section.getByRole('button', { name: 'Turn on two-factor login' }).click();
      await section.getByLabel('Your password').fill(identity.password);
      await section.getByRole('button', { name: 'Continue' }).click();
      await page.getByRole('status').filter({ hasText: 'Your session expired.' }).waitFor();
      expect(failedRequests(page)).toEqual([401, 401]);
    } finally {
      jest.useRealTimers();
    }
  });

  it('with two-factor on, forces at the code step without asking for another code', async () => {
    const identity = newIdentity('journey5');
    const first = await newPage();
    await signUpAndVerify(browser.harness, first, identity);
    await logIn(first, identity.email, identity.password);
    const { secret } = await turnOnTwoFactor(first, identity.password);

    const second = await newPage();
    await submitLogin(second, identity.email, identity.password);
    await second.getByLabel('Code from your authenticator app').fill(codeFor(secret, 1));
    await second.getByRole('button', { name: 'Continue' }).click();
    const dialog = second.getByRole('dialog', { name: 'Session already active' });
    await dialog.getByRole('button', { name: 'Sign the other device out and continue' }).click();
    await accountShown(second);
    expect(failedRequests(second)).toEqual([409]);
  });
});
