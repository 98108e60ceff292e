import type { Response } from 'supertest';
import { moveClockBy } from '../support/clock';
import { bearer, GOOD_PASSWORD, loggedInUser, turnOnTwoFactor } from '../support/factories';
import { expectProblem } from '../support/hostile';
import { OidcProviderHandle, startOidcProvider } from '../support/oidc-provider';
import {
  Browser,
  callback,
  callbackUrlOf,
  claimsOf,
  googleAccount,
  googleSettings,
  keepCookie,
  startSignIn,
} from '../support/social-login';
import { startTestApp, TestApp } from '../support/test-app';
import { totp } from '../support/totp';

/** startTestApp's APP_URL: the dashboard's origin and its callback page. */
const OWN_ORIGIN = 'http://localhost:3000';
const DASHBOARD_PAGE = `${OWN_ORIGIN}/app/oauth/callback`;
const COOKIE_MODE = { 'X-Token-Delivery': 'cookie', Origin: OWN_ORIGIN };
const SEVEN_DAYS = 7 * 24 * 60 * 60;

const setCookies = (response: Response): string[] =>
  ([] as string[]).concat((response.headers['set-cookie'] as string[] | string | undefined) ?? []);

/** The refresh_token cookie a response set, with its attributes; undefined when none. */
const refreshCookieOf = (response: Response) =>
  setCookies(response).find((line) => line.startsWith('refresh_token='));

const valueOf = (line: string | undefined) => /^refresh_token=([^;]*);/.exec(line ?? '')?.[1];

/**
 * The social login's exchange as the dashboard uses it: the result comes to the dashboard's own
 * page (allowed without OAUTH_REDIRECT_URIS), and the exchange asks for cookie mode.
 */
describe('social login exchange in cookie mode, to the dashboard page', () => {
  let t: TestApp;
  let google: OidcProviderHandle;

  beforeAll(async () => {
    google = await startOidcProvider({ redirectUris: [callbackUrlOf('google')] });
    // No OAUTH_REDIRECT_URIS: the dashboard's page is always allowed.
    t = await startTestApp(googleSettings(google));
  });
  afterAll(async () => {
    await t?.close();
    await google?.stop();
  });
  afterEach(() => jest.useRealTimers());

  /** A sign-in at Google as `account`, back on the dashboard's page: its parameters. */
  async function signInAs(account: ReturnType<typeof googleAccount>, force = false) {
    const browser: Browser = {};
    const start = await startSignIn(t, 'google', browser, {
      redirect_uri: DASHBOARD_PAGE,
      ...(force ? { force: 'true' } : {}),
    });
    expect(start.status).toBe(302);
    await google.setNextLogin(account);
    const back = await google.authorize(start.headers.location as string);
    const result = await callback(t, back, browser);
    expect(result.status).toBe(302);
    const location = new URL(result.headers.location as string);
    expect(location.origin + location.pathname).toBe(DASHBOARD_PAGE);
    return location.searchParams;
  }

  const exchange = (code: string | null, headers: Record<string, string> = COOKIE_MODE) =>
    t.http.post('/auth/oauth/exchange').set(headers).send({ code });

  it('answers the tokens without refresh_token and sets it as the HttpOnly, SameSite=Strict cookie on /auth', async () => {
    const account = googleAccount();
    const answer = await exchange((await signInAs(account)).get('code')).expect(200);
    expect(answer.body).toEqual({
      access_token: expect.any(String),
      token_type: 'bearer',
      expires_in: 1800,
    });
    expect(claimsOf(answer.body.access_token).amr).toEqual(['fed']);
    const line = refreshCookieOf(answer);
    const cookie = valueOf(line);
    expect(line).toBe(
      `refresh_token=${cookie}; Max-Age=${SEVEN_DAYS}; Path=/auth; HttpOnly; SameSite=Strict`,
    );

    // The cookie carries the session on: a cookie-mode refresh with {} and a logout that clears it.
    const refreshed = await t.http
      .post('/auth/refresh')
      .set(COOKIE_MODE)
      .set('Cookie', `refresh_token=${cookie}`)
      .send({})
      .expect(200);
    expect(refreshed.body.refresh_token).toBeUndefined();
    const rotated = valueOf(refreshCookieOf(refreshed));
    expect(rotated).toEqual(expect.any(String));
    expect(rotated).not.toBe(cookie);
    const me = await t.http.get('/users/me').set(bearer(refreshed.body.access_token)).expect(200);
    expect(me.body.email).toBe(account.email);
    const out = await t.http
      .post('/auth/logout')
      .set(COOKIE_MODE)
      .set(bearer(refreshed.body.access_token))
      .expect(200);
    expect(refreshCookieOf(out)).toMatch(/^refresh_token=; Max-Age=0; Path=\/auth;/);
  });

  it('is refused from another origin or without Origin, before the code is spent', async () => {
    const code = (await signInAs(googleAccount())).get('code');
    for (const headers of [
      { ...COOKIE_MODE, Origin: 'https://evil.example' },
      { ...COOKIE_MODE, Origin: 'null' },
      { 'X-Token-Delivery': 'cookie' },
    ]) {
      const refused = await exchange(code, headers);
      expectProblem(refused, 403, 'ORIGIN_NOT_ALLOWED');
      expect(setCookies(refused)).toEqual([]);
    }
    // The refusals spent nothing: the dashboard's own request still works, once.
    await exchange(code).expect(200);
    expectProblem(await exchange(code), 400, 'OAUTH_CODE_INVALID');
  });

  it('keeps JSON mode for API clients: refresh_token in the body, no cookie', async () => {
    const answer = await exchange((await signInAs(googleAccount())).get('code'), {}).expect(200);
    expect(answer.body.refresh_token).toEqual(expect.any(String));
    expect(refreshCookieOf(answer)).toBeUndefined();
  });

  it('sets no cookie on SESSION_ACTIVE, and one when the sign-in was started with force', async () => {
    const account = googleAccount();
    await exchange((await signInAs(account)).get('code')).expect(200);
    const conflict = await exchange((await signInAs(account)).get('code'));
    expectProblem(conflict, 409, 'SESSION_ACTIVE');
    expect(setCookies(conflict)).toEqual([]);
    const forced = await exchange((await signInAs(account, true)).get('code')).expect(200);
    expect(valueOf(refreshCookieOf(forced))).toEqual(expect.any(String));
  });

  it('answers the two-factor challenge without a cookie; the code step then sets it', async () => {
    const user = await loggedInUser(t);
    const account = googleAccount({ email: `other.${user.identity.email}` });
    // Link Google to the password account from the dashboard's page, then turn two-factor on.
    const browser: Browser = {};
    const started = await t.http
      .post('/users/me/identities/google')
      .set(bearer(user.accessToken))
      .send({ password: GOOD_PASSWORD, redirect_uri: DASHBOARD_PAGE })
      .expect(200);
    keepCookie(browser, started);
    await google.setNextLogin(account);
    const back = await google.authorize(started.body.authorization_url as string);
    const linked = await callback(t, back, browser);
    expect(linked.headers.location).toBe(`${DASHBOARD_PAGE}?linked=google`);
    const { secret } = await turnOnTwoFactor(t, user.accessToken);
    await t.http.post('/auth/logout').set(bearer(user.accessToken)).expect(200);

    const challenge = await exchange((await signInAs(account)).get('code')).expect(200);
    expect(challenge.body).toMatchObject({ mfa_required: true, mfa_token: expect.any(String) });
    expect(setCookies(challenge)).toEqual([]);
    moveClockBy(30_000); // the next time step: the confirming code was spent
    const tokens = await t.http
      .post('/auth/login/mfa')
      .set(COOKIE_MODE)
      .send({ mfa_token: challenge.body.mfa_token, code: totp(secret) })
      .expect(200);
    expect(tokens.body.refresh_token).toBeUndefined();
    expect(valueOf(refreshCookieOf(tokens))).toEqual(expect.any(String));
    expect(claimsOf(tokens.body.access_token).amr).toEqual(['fed', 'otp']);
  });
});
