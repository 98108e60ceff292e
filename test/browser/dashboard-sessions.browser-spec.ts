import type { BrowserContext, Page } from 'playwright-core';
import { newIdentity } from '../support/factories';
import {
  BrowserHarness,
  checkAccessibility,
  openPage,
  screenshot,
  startBrowserHarness,
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
  let harness: BrowserHarness;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    harness = await startBrowserHarness();
  });
  afterAll(() => harness?.close());
  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((context) => context.close()));
  });

  async function newPage(): Promise<Page> {
    const context = await harness.newContext();
    contexts.push(context);
    return openPage(context);
  }

  it('lets a second browser take over, and tells the first why it was signed out', async () => {
    const identity = newIdentity('journey5');
    const first = await newPage();
    await signUpAndVerify(harness, first, identity);
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

  it('with two-factor on, forces at the code step without asking for another code', async () => {
    const identity = newIdentity('journey5');
    const first = await newPage();
    await signUpAndVerify(harness, first, identity);
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
