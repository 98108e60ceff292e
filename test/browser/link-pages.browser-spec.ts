import { newIdentity } from '../support/factories';
import {
  checkAccessibility,
  latestMailTo,
  linkIn,
  screenshot,
  takePageErrors,
  useBrowser,
} from './support/browser';

const NEW_PASSWORD = 'Brisk-Meadow-Falcon-77';

/**
 * The pages behind the two mailed links, in Chromium, under their own strict CSP: the proof that
 * the browser harness (and the pages' CSP) works before the dashboard builds on it.
 */
describe('the mailed-link pages in Chromium', () => {
  const browser = useBrowser();

  it('confirms an address from the verification mail, then the account logs in', async () => {
    const { harness, page } = browser;
    const identity = newIdentity('browser');
    await harness.http.post('/auth/signup').send(identity).expect(201);
    const link = linkIn(harness, await latestMailTo(harness, identity.email, /Confirm/));
    expect(link).toMatch(new RegExp(`^${harness.origin}/verify/confirm\\?token=`));

    await page.goto(link);
    expect(await page.title()).toBe('Confirm your email');
    await checkAccessibility(page);
    await screenshot(page, 'link-pages', 'verify-page');

    await page.getByRole('button', { name: 'Confirm my email' }).click();
    const outcome = page.getByRole('status');
    await outcome.filter({ hasText: 'Your email address is verified' }).waitFor();
    expect(await page.locator('form').isHidden()).toBe(true);
    await checkAccessibility(page);
    await screenshot(page, 'link-pages', 'verified');

    await harness.http
      .post('/auth/login')
      .send({ email: identity.email, password: identity.password })
      .expect(200);
  });

  it('sets a new password from the reset mail, and only the new one logs in', async () => {
    const { harness, page } = browser;
    const identity = newIdentity('browser');
    await harness.http.post('/auth/signup').send(identity).expect(201);
    await harness.http.post('/password/forgot').send({ email: identity.email }).expect(202);
    const link = linkIn(harness, await latestMailTo(harness, identity.email, /Reset/));
    expect(link).toMatch(new RegExp(`^${harness.origin}/password/reset\\?token=`));

    await page.goto(link);
    expect(await page.title()).toBe('Choose a new password');
    await checkAccessibility(page);
    await page.getByLabel('New password').fill(NEW_PASSWORD);
    await screenshot(page, 'link-pages', 'reset-page');

    await page.getByRole('button', { name: 'Set my new password' }).click();
    await page.getByRole('status').filter({ hasText: 'Your password has been reset' }).waitFor();
    await checkAccessibility(page);
    await screenshot(page, 'link-pages', 'reset-done');

    await harness.http
      .post('/auth/login')
      .send({ email: identity.email, password: identity.password })
      .expect(401);
    const login = await harness.http
      .post('/auth/login')
      .send({ email: identity.email, password: NEW_PASSWORD })
      .expect(200);
    expect(login.body.access_token).toEqual(expect.any(String));
  });

  it("shows the API's refusal of a spent link as the page's outcome", async () => {
    const { harness, page } = browser;
    const identity = newIdentity('browser');
    await harness.http.post('/auth/signup').send(identity).expect(201);
    const link = linkIn(harness, await latestMailTo(harness, identity.email, /Confirm/));
    await page.goto(link);
    await page.getByRole('button', { name: 'Confirm my email' }).click();
    await page.getByRole('status').filter({ hasText: 'verified' }).waitFor();

    await page.goto(link);
    await page.getByRole('button', { name: 'Confirm my email' }).click();
    const refusal = page.getByRole('status');
    await refusal.and(page.locator('.error')).waitFor();
    // Chromium logs the 4xx answer as a failed resource: expected here, and only here.
    expect(takePageErrors(page)).toEqual([
      expect.stringMatching(/^console error: Failed to load resource: .*status of 4\d\d/),
    ]);
    await checkAccessibility(page);
    await screenshot(page, 'link-pages', 'spent-link');
  });

  it('keeps the CSP of the pages: an inline script injected into the DOM is refused and reported', async () => {
    const { harness, page } = browser;
    const identity = newIdentity('browser');
    await harness.http.post('/auth/signup').send(identity).expect(201);
    await page.goto(linkIn(harness, await latestMailTo(harness, identity.email, /Confirm/)));

    const ran = await page.evaluate(async () => {
      const script = document.createElement('script');
      script.textContent = 'window.inlineRan = true';
      document.body.append(script);
      await new Promise((resolve) => setTimeout(resolve, 100));
      return (window as { inlineRan?: boolean }).inlineRan === true;
    });
    expect(ran).toBe(false);
    // The violation event reaches the test through a binding, asynchronously.
    const reported: string[] = [];
    for (let tries = 0; tries < 50 && !reported.some((e) => e.startsWith('CSP')); tries += 1) {
      reported.push(...takePageErrors(page));
      await page.waitForTimeout(50);
    }
    expect(reported).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^CSP violation: script-src-elem refused inline/),
      ]),
    );
  });
});
