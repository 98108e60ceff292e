import { randomUUID } from 'node:crypto';
import { loggedInAdmin } from '../support/admin';
import { moveClockBy } from '../support/clock';
import { bearer, GOOD_PASSWORD, loggedInUser, turnOnTwoFactor } from '../support/factories';
import { expectProblem } from '../support/hostile';
import { OidcProviderHandle, startOidcProvider } from '../support/oidc-provider';
import { tokenIn } from '../support/smtp-peer';
import {
  Browser,
  callback,
  callbackUrlOf,
  claimsOf,
  CLIENT_PAGE,
  exchange,
  expectNoAccount,
  googleAccount,
  googleSettings,
  identitiesOf,
  linkThrough,
  resultOf,
  signInThrough,
  startSignIn,
} from '../support/social-login';
import { startTestApp, TestApp } from '../support/test-app';
import { totp } from '../support/totp';

describe('social login with an OpenID Connect provider (Google)', () => {
  let t: TestApp;
  let google: OidcProviderHandle;

  beforeAll(async () => {
    google = await startOidcProvider({ redirectUris: [callbackUrlOf('google')] });
    t = await startTestApp({
      ...googleSettings(google),
      OAUTH_REDIRECT_URIS: `${CLIENT_PAGE},https://app.example.com:8443/other`,
    });
  });
  afterAll(async () => {
    await t?.close();
    await google?.stop();
  });
  afterEach(() => jest.useRealTimers());

  /** Signs in as `account` at Google and comes back to the client page. */
  async function signInAs(account: ReturnType<typeof googleAccount>, query = {}) {
    await google.setNextLogin(account);
    return signInThrough(t, 'google', google, query);
  }

  /** A sign-in up to the provider's answer, with the nonce the service asked for. */
  async function startedAs(account: ReturnType<typeof googleAccount>) {
    const browser: Browser = {};
    const start = await startSignIn(t, 'google', browser);
    expect(start.status).toBe(302);
    const authorizationUrl = new URL(start.headers.location as string);
    await google.setNextLogin(account);
    return {
      browser,
      authorizationUrl,
      nonce: authorizationUrl.searchParams.get('nonce') as string,
    };
  }

  it('lists the configured providers', async () => {
    const response = await t.http.get('/auth/oauth/providers').expect(200);
    expect(response.body).toEqual({ providers: ['google'] });
  });

  describe('sign-up and sign-in', () => {
    it('signs up a new, verified account, then signs it in again (amr ["fed"])', async () => {
      const account = googleAccount();
      const first = await signInAs(account);
      expect(first.get('error')).toBeNull();
      const tokens = await exchange(t, first.get('code')).expect(200);
      expect(tokens.body).toMatchObject({
        token_type: 'bearer',
        refresh_token: expect.any(String),
      });
      expect(claimsOf(tokens.body.access_token).amr).toEqual(['fed']);
      const me = await t.http.get('/users/me').set(bearer(tokens.body.access_token)).expect(200);
      expect(me.body).toMatchObject({ email: account.email, is_verified: true });
      expect(await identitiesOf(t, tokens.body.access_token)).toEqual(['google']);
      await t.http.post('/auth/logout').set(bearer(tokens.body.access_token)).expect(200);

      const again = await signInAs(account);
      const second = await exchange(t, again.get('code')).expect(200);
      const meAgain = await t.http
        .get('/users/me')
        .set(bearer(second.body.access_token))
        .expect(200);
      expect(meAgain.body.id).toBe(me.body.id);

      const audit = await t.http.get('/audit/me').set(bearer(second.body.access_token)).expect(200);
      const actions = (audit.body.items as Array<{ action: string }>).map((item) => item.action);
      expect(actions).toEqual(expect.arrayContaining(['oauth.signup', 'oauth.login']));
    });

    it('gives an account made by a provider no password: a password login is refused like any other', async () => {
      const account = googleAccount();
      const tokens = await exchange(t, (await signInAs(account)).get('code')).expect(200);
      const me = await t.http.get('/users/me').set(bearer(tokens.body.access_token)).expect(200);
      expect(me.body.has_password).toBe(false);
      const login = await t.http
        .post('/auth/login')
        .send({ email: account.email, password: GOOD_PASSWORD });
      expectProblem(login, 401, 'INVALID_CREDENTIALS');
    });

    it('lets an account made by a provider set a password through forgot-password, then use it', async () => {
      const account = googleAccount();
      await exchange(t, (await signInAs(account)).get('code')).expect(200);
      await t.http.post('/password/forgot').send({ email: account.email }).expect(202);
      const token = tokenIn(await t.smtp.waitForMail(account.email, /Reset your password/));
      await t.http.post('/password/reset').send({ token, new_password: GOOD_PASSWORD }).expect(200);

      const login = await t.http
        .post('/auth/login')
        .send({ email: account.email, password: GOOD_PASSWORD })
        .expect(200);
      const me = await t.http.get('/users/me').set(bearer(login.body.access_token)).expect(200);
      expect(me.body.has_password).toBe(true);
      // Google still signs the same account in.
      await t.http.post('/auth/logout').set(bearer(login.body.access_token)).expect(200);
      const again = await exchange(t, (await signInAs(account)).get('code')).expect(200);
      const meAgain = await t.http
        .get('/users/me')
        .set(bearer(again.body.access_token))
        .expect(200);
      expect(meAgain.body.id).toBe(me.body.id);
    });

    it('makes the username unique when the derived one is taken', async () => {
      const taken = await loggedInUser(t);
      const account = googleAccount({ name: taken.identity.username });
      const tokens = await exchange(t, (await signInAs(account)).get('code')).expect(200);
      const me = await t.http.get('/users/me').set(bearer(tokens.body.access_token)).expect(200);
      expect(me.body.username).not.toBe(taken.identity.username);
      expect(me.body.username.startsWith(taken.identity.username)).toBe(true);
    });

    it('creates an unverified account when the provider does not vouch for the email: mailed, no login until verified', async () => {
      const account = googleAccount({ email_verified: false });
      const result = await signInAs(account);
      expectProblem(await exchange(t, result.get('code')), 403, 'EMAIL_NOT_VERIFIED');
      const mail = await t.smtp.waitForMail(account.email, /Confirm/);
      await t.http
        .post('/verify/confirm')
        .send({ token: tokenIn(mail) })
        .expect(200);
      await exchange(t, (await signInAs(account)).get('code')).expect(200);
    });

    it('answers 409 SESSION_ACTIVE at the exchange, and replaces the session when started with force', async () => {
      const account = googleAccount();
      const first = await exchange(t, (await signInAs(account)).get('code')).expect(200);
      expectProblem(
        await exchange(t, (await signInAs(account)).get('code')),
        409,
        'SESSION_ACTIVE',
      );
      const forced = await signInAs(account, { force: 'true' });
      await exchange(t, forced.get('code')).expect(200);
      const old = await t.http.get('/users/me').set(bearer(first.body.access_token));
      expectProblem(old, 401, 'SESSION_REPLACED');
    });

    it('refuses a disabled account at the exchange', async () => {
      const admin = await loggedInAdmin(t);
      const account = googleAccount();
      const tokens = await exchange(t, (await signInAs(account)).get('code')).expect(200);
      const me = await t.http.get('/users/me').set(bearer(tokens.body.access_token)).expect(200);
      await t.http
        .post(`/admin/users/${me.body.id}/disable`)
        .set(bearer(admin.accessToken))
        .send({ reason: 'test' })
        .expect(200);
      expectProblem(
        await exchange(t, (await signInAs(account)).get('code')),
        403,
        'ACCOUNT_DISABLED',
      );
    });

    it('asks for the second factor at the exchange; the tokens then carry amr ["fed", "otp"]', async () => {
      const user = await loggedInUser(t);
      const account = googleAccount({ email: `other.${user.identity.email}` });
      await google.setNextLogin(account);
      expect((await linkThrough(t, user.accessToken, 'google', google)).get('linked')).toBe(
        'google',
      );
      const { secret } = await turnOnTwoFactor(t, user.accessToken);
      await t.http.post('/auth/logout').set(bearer(user.accessToken)).expect(200);

      const challenge = await exchange(t, (await signInAs(account)).get('code')).expect(200);
      expect(challenge.body).toMatchObject({ mfa_required: true, mfa_token: expect.any(String) });
      moveClockBy(30_000); // the next time step: the confirming code was spent
      const tokens = await t.http
        .post('/auth/login/mfa')
        .send({ mfa_token: challenge.body.mfa_token, code: totp(secret) })
        .expect(200);
      expect(claimsOf(tokens.body.access_token).amr).toEqual(['fed', 'otp']);
    });
  });

  describe('linking', () => {
    it('links to a password account, lists it, unlinks it; the owner is mailed each time', async () => {
      const user = await loggedInUser(t);
      await google.setNextLogin(googleAccount());
      expect((await linkThrough(t, user.accessToken, 'google', google)).get('linked')).toBe(
        'google',
      );
      expect(await identitiesOf(t, user.accessToken)).toEqual(['google']);
      await t.smtp.waitForMail(user.identity.email, /sign-in provider/);
      await t.http.delete('/users/me/identities/google').set(bearer(user.accessToken)).expect(200);
      expect(await identitiesOf(t, user.accessToken)).toEqual([]);
      await t.smtp.waitForMails(user.identity.email, 2, /sign-in provider/);
    });

    it('refuses to unlink the last way to log in', async () => {
      const tokens = await exchange(t, (await signInAs(googleAccount())).get('code')).expect(200);
      const refused = await t.http
        .delete('/users/me/identities/google')
        .set(bearer(tokens.body.access_token));
      expectProblem(refused, 409, 'LAST_LOGIN_METHOD');
      expect(await identitiesOf(t, tokens.body.access_token)).toEqual(['google']);
    });

    it('refuses an identity linked to another account (IDENTITY_IN_USE) and a wrong password', async () => {
      const account = googleAccount();
      await exchange(t, (await signInAs(account)).get('code')).expect(200);
      const user = await loggedInUser(t);
      await google.setNextLogin(account);
      expect((await linkThrough(t, user.accessToken, 'google', google)).get('error')).toBe(
        'IDENTITY_IN_USE',
      );
      expect(await identitiesOf(t, user.accessToken)).toEqual([]);
      const wrong = await t.http
        .post('/users/me/identities/google')
        .set(bearer(user.accessToken))
        .send({ password: 'not-the-password', redirect_uri: CLIENT_PAGE });
      expectProblem(wrong, 401, 'INVALID_CREDENTIALS');
    });
  });

  describe('attacks: refused, and nothing is created', () => {
    it('never links on email: a local account with the email gets ACCOUNT_EXISTS, verified or not', async () => {
      const user = await loggedInUser(t);
      for (const email_verified of [true, false]) {
        const result = await signInAs(
          googleAccount({ email: user.identity.email, email_verified }),
        );
        expect(result.get('error')).toBe('ACCOUNT_EXISTS');
        expect(result.get('code')).toBeNull();
      }
      expect(await identitiesOf(t, user.accessToken)).toEqual([]);
    });

    it('refuses a callback without state, with another browser, reused, or expired', async () => {
      const account = googleAccount();
      const { browser, authorizationUrl } = await startedAs(account);
      const back = await google.authorize(authorizationUrl.href);

      const withoutState = new URL(back);
      withoutState.searchParams.delete('state');
      expectProblem(await callback(t, withoutState, browser), 400, 'OAUTH_STATE_INVALID');
      expectProblem(await callback(t, back, {}), 400, 'OAUTH_STATE_INVALID');
      const otherBrowser: Browser = {};
      await startSignIn(t, 'google', otherBrowser);
      expectProblem(await callback(t, back, otherBrowser), 400, 'OAUTH_STATE_INVALID');

      // The right browser still can (the refusals did not spend the state), once.
      const result = resultOf(await callback(t, back, browser));
      expect(result.get('code')).toEqual(expect.any(String));
      expectProblem(await callback(t, back, browser), 400, 'OAUTH_STATE_INVALID');

      const late = await startedAs(googleAccount());
      const lateBack = await google.authorize(late.authorizationUrl.href);
      moveClockBy(10 * 60 * 1000 + 1000);
      expectProblem(await callback(t, lateBack, late.browser), 400, 'OAUTH_STATE_INVALID');
    });

    it('refuses ID tokens with a wrong nonce, another issuer or audience, expired, or signed by an unknown key', async () => {
      const now = Math.floor(Date.now() / 1000);
      const cases: Array<[string, (nonce: string, sub: string, email: string) => Promise<string>]> =
        [
          [
            'wrong nonce',
            (_n, sub, email) =>
              google.forgeIdToken({ sub, email, email_verified: true, nonce: 'not-the-nonce' }),
          ],
          [
            'other issuer',
            (nonce, sub, email) =>
              google.forgeIdToken({
                sub,
                email,
                email_verified: true,
                nonce,
                iss: 'https://accounts.evil.test',
              }),
          ],
          [
            'other audience',
            (nonce, sub, email) =>
              google.forgeIdToken({
                sub,
                email,
                email_verified: true,
                nonce,
                aud: 'another-client',
              }),
          ],
          [
            'expired',
            (nonce, sub, email) =>
              google.forgeIdToken({
                sub,
                email,
                email_verified: true,
                nonce,
                iat: now - 7200,
                exp: now - 3600,
              }),
          ],
          [
            'unknown key',
            (nonce, sub, email) =>
              google.forgeIdToken({ sub, email, email_verified: true, nonce }, { key: 'unknown' }),
          ],
        ];
      for (const [name, forge] of cases) {
        const account = googleAccount();
        const { browser, authorizationUrl, nonce } = await startedAs(account);
        await google.replaceNextIdToken(
          await forge(nonce, `forged-${randomUUID()}`, account.email),
        );
        const back = await google.authorize(authorizationUrl.href);
        const result = resultOf(await callback(t, back, browser));
        expect({ name, error: result.get('error'), code: result.get('code') }).toEqual({
          name,
          error: 'PROVIDER_RESPONSE_INVALID',
          code: null,
        });
        await expectNoAccount(t, account.email);
      }
    });

    it('refuses a redirect_uri that is not on the list, with 400 and no redirect', async () => {
      for (const redirect of [
        'https://evil.example/auth/done',
        'https://app.example.com/auth/other',
        'https://app.example.com:444/auth/done',
        'https://app.example.com/auth/done/',
        'https://app.example.com:8443/other/',
      ]) {
        const response = await startSignIn(t, 'google', {}, { redirect_uri: redirect });
        expectProblem(response, 400, 'REDIRECT_URI_NOT_ALLOWED');
        expect(response.headers.location).toBeUndefined();
      }
      expectProblem(await t.http.get('/auth/oauth/google/start'), 400, 'VALIDATION_FAILED');
      expectProblem(await startSignIn(t, 'nowhere'), 404, 'PROVIDER_UNKNOWN');
    });

    it('takes an exchange code once, also when requests race', async () => {
      const result = await signInAs(googleAccount());
      const code = result.get('code');
      const answers = await Promise.all([1, 2, 3, 4].map(() => exchange(t, code)));
      expect(answers.map((answer) => answer.status).sort()).toEqual([200, 400, 400, 400]);
      for (const refused of answers.filter((answer) => answer.status === 400))
        expectProblem(refused, 400, 'OAUTH_CODE_INVALID');
      expectProblem(await exchange(t, code), 400, 'OAUTH_CODE_INVALID');
    });

    it('refuses an exchange code after its 60 seconds', async () => {
      const result = await signInAs(googleAccount());
      moveClockBy(61_000);
      expectProblem(await exchange(t, result.get('code')), 400, 'OAUTH_CODE_INVALID');
    });

    it('sends the provider refusal back to the client page', async () => {
      const browser: Browser = {};
      const start = await startSignIn(t, 'google', browser);
      const state = new URL(start.headers.location as string).searchParams.get('state') as string;
      const denied = new URL(callbackUrlOf('google'));
      denied.search = new URLSearchParams({
        error: 'access_denied',
        state,
        iss: google.issuer,
      }).toString();
      expect(resultOf(await callback(t, denied, browser)).get('error')).toBe('PROVIDER_DENIED');
    });
  });
});
