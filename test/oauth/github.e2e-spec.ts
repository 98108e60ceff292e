import { randomInt, randomUUID } from 'node:crypto';
import { bearer, loggedInUser } from '../support/factories';
import { GitHubStandIn, GitHubUser, startGitHubStandIn } from '../support/github-stand-in';
import { expectProblem } from '../support/hostile';
import { OidcProviderHandle, startOidcProvider } from '../support/oidc-provider';
import {
  Browser,
  callback,
  callbackUrlOf,
  claimsOf,
  CLIENT_PAGE,
  exchange,
  expectNoAccount,
  identitiesOf,
  linkThrough,
  ProviderSide,
  resultOf,
  signInThrough,
  startSignIn,
} from '../support/social-login';
import { startTestApp, TestApp } from '../support/test-app';

function gitHubUser(emails?: GitHubUser['emails']): GitHubUser {
  const tag = randomUUID().slice(0, 8);
  return {
    id: randomInt(1, 2 ** 31),
    login: `octo-${tag}`,
    name: `Octo ${tag}`,
    emails: emails ?? [{ email: `octo.${tag}@users.github.test`, primary: true, verified: true }],
  };
}

/**
 * Sign-in with GitHub (plain OAuth 2.0 against the GitHub stand-in), linking it, and the mix-up
 * between two providers: a code or state issued for one never completes at the other's callback.
 */
describe('social login with GitHub, and with two providers', () => {
  let t: TestApp;
  let github: GitHubStandIn;
  let google: OidcProviderHandle;

  /** The browser's part at GitHub: the authorize endpoint redirects straight back. */
  const atGitHub: ProviderSide = {
    async authorize(authorizationUrl) {
      const response = await fetch(authorizationUrl, { redirect: 'manual' });
      const location = response.headers.get('location');
      if (response.status !== 302 || !location)
        throw new Error(`GitHub stand-in answered ${response.status}: ${await response.text()}`);
      return new URL(location);
    },
  };

  beforeAll(async () => {
    github = await startGitHubStandIn({ redirectUris: [callbackUrlOf('github')] });
    google = await startOidcProvider({ redirectUris: [callbackUrlOf('google')] });
    t = await startTestApp({
      OAUTH_PROVIDERS: 'google,github',
      OAUTH_GOOGLE_CLIENT_ID: google.clientId,
      OAUTH_GOOGLE_CLIENT_SECRET: google.clientSecret,
      OAUTH_GOOGLE_ISSUER: google.issuer,
      OAUTH_GITHUB_CLIENT_ID: github.clientId,
      OAUTH_GITHUB_CLIENT_SECRET: github.clientSecret,
      OAUTH_GITHUB_BASE_URL: github.baseUrl,
      OAUTH_GITHUB_API_URL: github.apiUrl,
      OAUTH_REDIRECT_URIS: CLIENT_PAGE,
    });
  });
  afterAll(async () => {
    await t?.close();
    await github?.stop();
    await google?.stop();
  });

  const signInAs = (user: GitHubUser) => {
    github.setNextUser(user);
    return signInThrough(t, 'github', atGitHub);
  };

  it('lists both providers', async () => {
    const response = await t.http.get('/auth/oauth/providers').expect(200);
    expect(response.body).toEqual({ providers: ['google', 'github'] });
  });

  it('signs up with the primary, verified email and the GitHub login as username, then signs in again', async () => {
    const user = gitHubUser();
    const first = await exchange(t, (await signInAs(user)).get('code')).expect(200);
    expect(claimsOf(first.body.access_token).amr).toEqual(['fed']);
    const me = await t.http.get('/users/me').set(bearer(first.body.access_token)).expect(200);
    expect(me.body).toMatchObject({
      username: user.login,
      email: user.emails[0].email,
      is_verified: true,
    });
    await t.http.post('/auth/logout').set(bearer(first.body.access_token)).expect(200);
    const again = await exchange(t, (await signInAs(user)).get('code')).expect(200);
    const meAgain = await t.http.get('/users/me').set(bearer(again.body.access_token)).expect(200);
    expect(meAgain.body.id).toBe(me.body.id);
  });

  it('links GitHub to a password account, signs in with it, and unlinks it', async () => {
    const owner = await loggedInUser(t);
    const user = gitHubUser();
    github.setNextUser(user);
    expect((await linkThrough(t, owner.accessToken, 'github', atGitHub)).get('linked')).toBe(
      'github',
    );
    expect(await identitiesOf(t, owner.accessToken)).toEqual(['github']);
    await t.http.post('/auth/logout').set(bearer(owner.accessToken)).expect(200);

    const tokens = await exchange(t, (await signInAs(user)).get('code')).expect(200);
    const me = await t.http.get('/users/me').set(bearer(tokens.body.access_token)).expect(200);
    expect(me.body.id).toBe(owner.userId);
    await t.http
      .delete('/users/me/identities/github')
      .set(bearer(tokens.body.access_token))
      .expect(200);
    expect(await identitiesOf(t, tokens.body.access_token)).toEqual([]);
    // Unlinked, the GitHub account no longer reaches the owner's account: it signs up its own.
    const own = await exchange(t, (await signInAs(user)).get('code')).expect(200);
    const ownMe = await t.http.get('/users/me').set(bearer(own.body.access_token)).expect(200);
    expect(ownMe.body.id).not.toBe(owner.userId);
  });

  it('refuses a GitHub account whose primary email is unverified, or verified only as a secondary', async () => {
    const tag = randomUUID().slice(0, 8);
    const unverified = `unverified.${tag}@users.github.test`;
    const secondary = `secondary.${tag}@users.github.test`;
    for (const emails of [
      [{ email: unverified, primary: true, verified: false }],
      [
        { email: unverified, primary: true, verified: false },
        { email: secondary, primary: false, verified: true },
      ],
    ]) {
      const result = await signInAs(gitHubUser(emails));
      expect({ error: result.get('error'), code: result.get('code') }).toEqual({
        error: 'EMAIL_UNAVAILABLE',
        code: null,
      });
    }
    await expectNoAccount(t, unverified);
    await expectNoAccount(t, secondary);
  });

  it("refuses a mix-up: GitHub's state and code at Google's callback, and a GitHub code with Google's state", async () => {
    const user = gitHubUser();
    // GitHub's answer (code and state) delivered to Google's callback, in the right browser.
    const browser: Browser = {};
    const start = await startSignIn(t, 'github', browser);
    github.setNextUser(user);
    const back = await atGitHub.authorize(start.headers.location as string);
    const misdelivered = new URL(callbackUrlOf('google'));
    misdelivered.search = back.search;
    expectProblem(await callback(t, misdelivered, browser), 400, 'OAUTH_STATE_INVALID');
    // The state was not spent by the mix-up; delivered where it belongs, it would have worked.
    expect(resultOf(await callback(t, back, browser)).get('code')).toEqual(expect.any(String));

    // A code GitHub issued, with a live Google state: Google's checks refuse it.
    const googleBrowser: Browser = {};
    const googleStart = await startSignIn(t, 'google', googleBrowser);
    const state = new URL(googleStart.headers.location as string).searchParams.get('state');
    const other = gitHubUser();
    const code = github.issueCodeFor(other, { redirectUri: callbackUrlOf('google') });
    const forged = new URL(callbackUrlOf('google'));
    forged.search = new URLSearchParams({
      code,
      state: state as string,
      iss: google.issuer,
    }).toString();
    const result = resultOf(await callback(t, forged, googleBrowser));
    expect({ error: result.get('error'), code: result.get('code') }).toEqual({
      error: 'PROVIDER_RESPONSE_INVALID',
      code: null,
    });
    await expectNoAccount(t, other.emails[0].email);
  });
});
