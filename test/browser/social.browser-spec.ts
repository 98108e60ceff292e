import { newIdentity } from '../support/factories';
import { OidcProviderHandle, startOidcProvider } from '../support/oidc-provider';
import { googleAccount, googleSettings } from '../support/social-login';
import {
  checkAccessibility,
  latestMailTo,
  linkIn,
  screenshot,
  useBrowser,
} from './support/browser';
import {
  accountShown,
  codeFor,
  failedRequests,
  logIn,
  signOut,
  signUpAndVerify,
  turnOnTwoFactor,
} from './support/dashboard';

const JOURNEY = 'social';
const PASSWORD = 'Copper-Lantern-Grove-31';

/**
 * Journey 7: social login against the local OpenID Provider standing in for Google. The browser
 * really goes to the provider and back; the provider logs in the account set with setNextLogin
 * and consents without a page of its own.
 */
describe('the dashboard: sign in with Google, link and unlink', () => {
  let google: OidcProviderHandle;
  const browser = useBrowser(async (origin) => {
    google = await startOidcProvider({ redirectUris: [`${origin}/auth/oauth/google/callback`] });
    // No OAUTH_REDIRECT_URIS: the dashboard's own callback page is allowed by default.
    return googleSettings(google);
  });
  afterAll(() => google?.stop());
  /** Every address the page's main frame was sent to, in order. */
  let visited: string[];

  beforeEach(() => {
    const { page } = browser;
    visited = [];
    // Redirects included: the provider answers only redirects (login and consent are automatic).
    page.on('request', (request) => {
      if (request.isNavigationRequest() && request.frame() === page.mainFrame())
        visited.push(request.url());
    });
  });

  const linkedAccounts = () => browser.page.getByRole('region', { name: 'Linked accounts' });
  const wentThroughGoogle = () =>
    expect(visited.some((url) => url.startsWith(`${google.issuer}/`))).toBe(true);

  it('signs a new person up with Google and lands on their account page', async () => {
    const { page } = browser;
    const account = googleAccount();
    await page.goto('/app/login');
    const signIn = page.getByRole('link', { name: 'Sign in with Google' });
    await signIn.waitFor();
    await checkAccessibility(page);
    await screenshot(page, JOURNEY, 'login-with-google');

    await google.setNextLogin(account);
    await signIn.click();
    await accountShown(page);
    wentThroughGoogle();
    // The exchange code never stays in the address bar.
    expect(new URL(page.url()).search).toBe('');

    const profile = page.getByRole('region', { name: 'Profile' });
    await profile.getByText(account.email).waitFor();
    await profile.getByText('verified', { exact: true }).waitFor();
    await linkedAccounts().getByText('Google', { exact: true }).waitFor();
    await checkAccessibility(page);
    await screenshot(page, JOURNEY, 'signed-up-with-google');

    // Google is this account's only way in: unlinking it is refused, in words.
    await linkedAccounts().getByRole('button', { name: 'Unlink Google' }).click();
    await linkedAccounts()
      .getByRole('alert')
      .filter({ hasText: 'This is the only way you can log in' })
      .waitFor();
    expect(failedRequests(page)).toEqual([409]);
    await checkAccessibility(page);
    await screenshot(page, JOURNEY, 'last-login-method');

    // A reload keeps the session (the refresh cookie set by the exchange).
    await page.reload();
    await accountShown(page);
  });

  it('gives an account made by Google a password through the mailed link', async () => {
    const { harness, page } = browser;
    const account = googleAccount();
    await page.goto('/app/login');
    await google.setNextLogin(account);
    await page.getByRole('link', { name: 'Sign in with Google' }).click();
    await accountShown(page);

    // No password to change, and none to delete the account or turn two-factor on with: the page
    // offers to set one.
    const section = page.getByRole('region', { name: 'Set a password' });
    await section.waitFor();
    const twoFactor = page.getByRole('region', { name: 'Two-factor login' });
    await twoFactor.getByText('set one first').waitFor();
    expect(await twoFactor.getByRole('button').count()).toBe(0);
    expect(await page.getByRole('region', { name: 'Change password' }).count()).toBe(0);
    const deletion = page.getByRole('region', { name: 'Delete my account' });
    await deletion.getByText('set one first').waitFor();
    expect(await deletion.getByRole('button').count()).toBe(0);
    await checkAccessibility(page);
    await screenshot(page, JOURNEY, 'set-a-password');

    await section.getByRole('button', { name: 'Email me a link to set a password' }).click();
    await section
      .getByRole('status')
      .filter({ hasText: `We sent a link to ${account.email}` })
      .waitFor();
    await page.goto(linkIn(harness, await latestMailTo(harness, account.email, /Reset/)));
    await page.getByLabel('New password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Set my new password' }).click();
    await page.getByRole('status').filter({ hasText: 'Your password has been reset' }).waitFor();

    // The password logs in now, and the account page offers to change it.
    await logIn(page, account.email, PASSWORD);
    await page.getByRole('region', { name: 'Change password' }).waitFor();
    expect(await page.getByRole('region', { name: 'Set a password' }).count()).toBe(0);
    await deletion.getByRole('button', { name: 'Delete my account…' }).waitFor();
    await twoFactor.getByRole('button', { name: 'Turn on two-factor login' }).waitFor();
  });

  it('links Google to a password account, then unlinks it', async () => {
    const { harness, page } = browser;
    const identity = newIdentity('journey7');
    await signUpAndVerify(harness, page, identity);
    await logIn(page, identity.email, identity.password);
    const section = linkedAccounts();
    await section.getByText('No provider is linked yet.').waitFor();

    await section.getByRole('button', { name: 'Link Google' }).click();
    await section.getByLabel('Your password').fill('not the password');
    await section.getByRole('button', { name: 'Continue to Google' }).click();
    await section.getByRole('alert').filter({ hasText: 'password is not right' }).waitFor();
    expect(failedRequests(page)).toEqual([401]);
    await checkAccessibility(page);
    await screenshot(page, JOURNEY, 'link-password');

    const account = googleAccount();
    await google.setNextLogin(account);
    await section.getByLabel('Your password').fill(identity.password);
    await section.getByRole('button', { name: 'Continue to Google' }).click();
    await section.getByRole('status').filter({ hasText: 'Google is linked' }).waitFor();
    wentThroughGoogle();
    await section.getByText(account.email).waitFor();
    const activity = page.getByRole('list', { name: /Account activity/ });
    await activity.getByText('Sign-in provider linked').waitFor();
    await checkAccessibility(page);
    await screenshot(page, JOURNEY, 'linked');

    await section.getByRole('button', { name: 'Unlink Google' }).click();
    await section.getByRole('status').filter({ hasText: 'Google was unlinked.' }).waitFor();
    await section.getByText('No provider is linked yet.').waitFor();
    await checkAccessibility(page);
    await screenshot(page, JOURNEY, 'unlinked');
  });

  it('asks for the two-factor code after Google when the account has two-factor login on', async () => {
    const { harness, page } = browser;
    const identity = newIdentity('journey7');
    await signUpAndVerify(harness, page, identity);
    await logIn(page, identity.email, identity.password);
    const { secret, recoveryCodes } = await turnOnTwoFactor(page, identity.password);
    await page.getByRole('button', { name: 'I have saved them' }).click();

    // Linking asks for the password and a code (here a recovery code).
    const section = linkedAccounts();
    const account = googleAccount();
    await section.getByRole('button', { name: 'Link Google' }).click();
    await section.getByLabel('Your password').fill(identity.password);
    await section.getByLabel(/^Code from your authenticator app/).fill(recoveryCodes[0]);
    await google.setNextLogin(account);
    await section.getByRole('button', { name: 'Continue to Google' }).click();
    await section.getByRole('status').filter({ hasText: 'Google is linked' }).waitFor();
    await signOut(page);

    // Google's sign-in is the first factor; the code step follows, as after a password.
    await google.setNextLogin(account);
    await page.getByRole('link', { name: 'Sign in with Google' }).click();
    const code = page.getByLabel('Code from your authenticator app');
    await code.waitFor();
    wentThroughGoogle();
    await checkAccessibility(page);
    await screenshot(page, JOURNEY, 'code-after-google');
    await code.fill(codeFor(secret, 1));
    await page.getByRole('button', { name: 'Continue' }).click();
    await accountShown(page);
    await page
      .getByRole('region', { name: 'This session' })
      .getByText('used for this login')
      .waitFor();
  });

  it('tells a person whose email has a password account to log in and link Google from there', async () => {
    const { harness, page } = browser;
    const identity = newIdentity('journey7');
    await signUpAndVerify(harness, page, identity);

    const other = await browser.newPage();
    await other.goto('/app/login');
    await google.setNextLogin(googleAccount({ email: identity.email }));
    await other.getByRole('link', { name: 'Sign in with Google' }).click();
    await other.getByRole('heading', { name: 'Sign-in did not work', level: 1 }).waitFor();
    await other
      .getByRole('alert')
      .filter({ hasText: 'Log in with your password, then link this provider' })
      .waitFor();
    await checkAccessibility(other);
    await screenshot(other, JOURNEY, 'account-exists');
  });

  it('meets the session-active dialog at the exchange and signs the other browser out', async () => {
    const { page } = browser;
    const account = googleAccount();
    await google.setNextLogin(account);
    await page.goto('/app/login');
    await page.getByRole('link', { name: 'Sign in with Google' }).click();
    await accountShown(page);

    const other = await browser.newPage();
    await other.goto('/app/login');
    await google.setNextLogin(account);
    await other.getByRole('link', { name: 'Sign in with Google' }).click();
    const dialog = other.getByRole('dialog', { name: 'Session already active' });
    await dialog.waitFor();
    expect(failedRequests(other)).toEqual([409]);
    await checkAccessibility(other);
    await screenshot(other, JOURNEY, 'session-active');
    // Google remembers this browser now: the forced sign-in goes through without a login.
    await google.setNextLogin(account);
    await dialog.getByRole('button', { name: 'Sign the other device out and continue' }).click();
    await accountShown(other);

    // The first browser is told on its next action.
    await page.getByRole('button', { name: 'Unlink Google' }).click();
    await page.getByRole('heading', { name: 'Log in', level: 1 }).waitFor();
    await page.getByText('You were signed out because you signed in on another device.').waitFor();
    expect(failedRequests(page)).toEqual([401]);
  });
});
