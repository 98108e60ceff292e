import type { Response } from 'supertest';
import { moveClockBy } from './support/clock';
import { bearer, Identity, loggedInUser, turnOnTwoFactor, verifiedUser } from './support/factories';
import { expectNoLeak, expectProblem } from './support/hostile';
import { startTestApp, TestApp } from './support/test-app';
import { totp } from './support/totp';

/** startTestApp's APP_URL, whose origin cookie-mode requests must come from. */
const OWN_ORIGIN = 'http://localhost:3000';
const COOKIE_MODE = { 'X-Token-Delivery': 'cookie', Origin: OWN_ORIGIN };
const SEVEN_DAYS = 7 * 24 * 60 * 60;
const COOKIE_VALUE = /^refresh_token=([^;]*);/;
const CLEARED =
  'refresh_token=; Max-Age=0; Path=/auth; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Strict';

/** The Set-Cookie lines of a response. */
const setCookies = (response: Response): string[] => {
  const header = response.headers['set-cookie'] as string[] | string | undefined;
  return header === undefined ? [] : ([] as string[]).concat(header);
};

/** The refresh token a cookie-mode answer set (it must set exactly one cookie). */
function cookieOf(response: Response): string {
  const lines = setCookies(response);
  expect(lines).toHaveLength(1);
  const value = COOKIE_VALUE.exec(lines[0])?.[1];
  if (!value) throw new Error(`no refresh_token cookie in ${lines[0]}`);
  return value;
}

/** The tokens in cookie mode: the access token's fields and nothing else. */
function expectCookieModeBody(response: Response): void {
  expect(response.status).toBe(200);
  expect(Object.keys(response.body).sort()).toEqual(['access_token', 'expires_in', 'token_type']);
  expect(response.body).toEqual({
    access_token: expect.any(String),
    token_type: 'bearer',
    expires_in: 1800,
  });
}

describe('cookie mode for browser pages (X-Token-Delivery: cookie)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());
  afterEach(() => jest.useRealTimers());

  const login = (identity: Identity, headers: Record<string, string> = COOKIE_MODE) =>
    t.http
      .post('/auth/login')
      .set(headers)
      .send({ email: identity.email, password: identity.password });

  const refresh = (cookie: string | undefined, headers: Record<string, string> = COOKIE_MODE) => {
    const request = t.http.post('/auth/refresh').set(headers);
    if (cookie !== undefined) void request.set('Cookie', `refresh_token=${cookie}`);
    return request;
  };

  /** A verified user logged in in cookie mode: the access token and the cookie's value. */
  async function browserSession() {
    const { identity } = await verifiedUser(t);
    const response = await login(identity);
    expectCookieModeBody(response);
    return {
      identity,
      accessToken: response.body.access_token as string,
      cookie: cookieOf(response),
    };
  }

  describe('login', () => {
    it('sets the refresh token as an HttpOnly, SameSite=Strict cookie on /auth and leaves it out of the body', async () => {
      const { identity } = await verifiedUser(t);
      const response = await login(identity);
      expectCookieModeBody(response);
      const [line] = setCookies(response);
      expect(line).toBe(
        `refresh_token=${cookieOf(response)}; Max-Age=${SEVEN_DAYS}; Path=/auth; HttpOnly; SameSite=Strict`,
      );
      await t.http.get('/users/me').set(bearer(response.body.access_token)).expect(200);
    });

    it('is refused from another origin, or without Origin, and starts no session', async () => {
      const { identity } = await verifiedUser(t);
      for (const origin of ['https://evil.example', 'null', `${OWN_ORIGIN}.evil.example`]) {
        const response = await login(identity, { ...COOKIE_MODE, Origin: origin });
        expectProblem(response, 403, 'ORIGIN_NOT_ALLOWED');
        expect(setCookies(response)).toEqual([]);
      }
      const withoutOrigin = await login(identity, { 'X-Token-Delivery': 'cookie' });
      expectProblem(withoutOrigin, 403, 'ORIGIN_NOT_ALLOWED');
      // No session was started by the refused attempts: a JSON login is not told one is active.
      await login(identity, {}).expect(200);
    });

    it('refuses an unknown X-Token-Delivery value with 400, starting no session', async () => {
      const { identity } = await verifiedUser(t);
      for (const value of ['Cookie', 'cookies', 'cookie, json', ' ', 'x'.repeat(2000)]) {
        const response = await login(identity, { 'X-Token-Delivery': value, Origin: OWN_ORIGIN });
        expectProblem(response, 400, 'VALIDATION_FAILED');
        expect(response.body.detail).toBe('The request header is not valid');
        expect(response.body.errors).toEqual([
          { field: 'X-Token-Delivery', message: 'X-Token-Delivery must be "cookie" or "json"' },
        ]);
        expectNoLeak(response, value.trim() || 'unused-secret');
      }
      await login(identity, {}).expect(200);
    });

    it('answers the two-factor challenge without a cookie, and sets it at the code step', async () => {
      const user = await loggedInUser(t);
      const { secret } = await turnOnTwoFactor(t, user.accessToken);
      await t.http.post('/auth/logout').set(bearer(user.accessToken)).expect(200);

      const challenge = await login(user.identity).expect(200);
      expect(challenge.body).toMatchObject({ mfa_required: true, mfa_token: expect.any(String) });
      expect(setCookies(challenge)).toEqual([]);

      // The next 30-second step, so the code is not the one spent on confirming.
      moveClockBy(30_000);
      const step = { mfa_token: challenge.body.mfa_token, code: totp(secret) };
      const foreign = await t.http
        .post('/auth/login/mfa')
        .set({ ...COOKIE_MODE, Origin: 'https://evil.example' })
        .send(step);
      expectProblem(foreign, 403, 'ORIGIN_NOT_ALLOWED');
      const response = await t.http.post('/auth/login/mfa').set(COOKIE_MODE).send(step);
      expectCookieModeBody(response);
      const cookie = cookieOf(response);
      expect(setCookies(response)[0]).toBe(
        `refresh_token=${cookie}; Max-Age=${SEVEN_DAYS}; Path=/auth; HttpOnly; SameSite=Strict`,
      );
      expectCookieModeBody(await refresh(cookie));
    });
  });

  describe('refresh', () => {
    it('reads the cookie, rotates it, and a reuse of the old value revokes the session', async () => {
      const session = await browserSession();
      const first = await refresh(session.cookie);
      expectCookieModeBody(first);
      const rotated = cookieOf(first);
      expect(rotated).not.toBe(session.cookie);
      expect(setCookies(first)[0]).toBe(
        `refresh_token=${rotated}; Max-Age=${SEVEN_DAYS}; Path=/auth; HttpOnly; SameSite=Strict`,
      );
      await t.http.get('/users/me').set(bearer(first.body.access_token)).expect(200);

      // The rotated cookie refreshes once more; the first value is spent.
      const second = await refresh(rotated);
      expectCookieModeBody(second);
      const reuse = await refresh(session.cookie);
      expectProblem(reuse, 401, 'SESSION_REVOKED');
      expectProblem(await refresh(cookieOf(second)), 401, 'SESSION_REVOKED');
      expectProblem(
        await t.http.get('/users/me').set(bearer(second.body.access_token)),
        401,
        'SESSION_REVOKED',
      );
    });

    it('takes an empty body or {}, and refuses any field', async () => {
      const session = await browserSession();
      const withEmptyObject = await refresh(session.cookie).send({});
      expectCookieModeBody(withEmptyObject);
      const withField = await refresh(cookieOf(withEmptyObject)).send({ refresh_token: 'x' });
      expectProblem(withField, 400, 'VALIDATION_FAILED');
      expect(withField.body.errors).toEqual([
        { field: 'refresh_token', message: 'property refresh_token should not exist' },
      ]);
      const notJson = await refresh(cookieOf(withEmptyObject))
        .set('Content-Type', 'application/json')
        .send('{');
      expectProblem(notJson, 400, 'INVALID_JSON');
      // Neither refusal spent the cookie.
      expectCookieModeBody(await refresh(cookieOf(withEmptyObject)));
    });

    it('is refused with 403 from another origin or without Origin, and rotates nothing', async () => {
      const session = await browserSession();
      const refusals = [
        await refresh(session.cookie, { 'X-Token-Delivery': 'cookie' }),
        await refresh(session.cookie, { ...COOKIE_MODE, Origin: 'https://evil.example' }),
        await refresh(session.cookie, { ...COOKIE_MODE, Origin: 'http://localhost:3001' }),
        await refresh(session.cookie, { ...COOKIE_MODE, Origin: 'null' }),
      ];
      for (const response of refusals) {
        expectProblem(response, 403, 'ORIGIN_NOT_ALLOWED');
        expect(setCookies(response)).toEqual([]);
      }
      // The cookie is still the current one: no rotation happened, and no reuse was seen.
      expectCookieModeBody(await refresh(session.cookie));
    });

    it('answers 401 TOKEN_INVALID without the cookie', async () => {
      const response = await refresh(undefined);
      expectProblem(response, 401, 'TOKEN_INVALID');
      const otherCookie = await refresh(undefined).set('Cookie', 'theme=dark');
      expectProblem(otherCookie, 401, 'TOKEN_INVALID');
    });

    it('answers hostile cookie values with a clear 4xx and leaks nothing', async () => {
      const session = await browserSession();
      const values = [
        '',
        'garbage',
        '%',
        '%E0%A4%A',
        '"quoted"',
        "' OR 1=1 --",
        '\u00e9\u00e8',
        `${session.cookie}x`,
        session.cookie.slice(0, -1),
        'x'.repeat(4000),
      ];
      for (const value of values) {
        const response = await t.http
          .post('/auth/refresh')
          .set(COOKIE_MODE)
          .set('Cookie', `refresh_token=${encodeURIComponent(value).replace(/%25/g, '%')}`);
        expectProblem(response, 401, 'TOKEN_INVALID');
        expectNoLeak(response);
      }
      // A Cookie header larger than Node's header limit is refused before the app sees it.
      const huge = await t.http
        .post('/auth/refresh')
        .set(COOKIE_MODE)
        .set('Cookie', `refresh_token=${'x'.repeat(20_000)}`);
      expect(huge.status).toBe(431);
      // None of them touched the session.
      expectCookieModeBody(await refresh(session.cookie));
    });

    it('lets exactly one of parallel refreshes with one cookie win', async () => {
      const session = await browserSession();
      const results = await Promise.all(Array.from({ length: 8 }, () => refresh(session.cookie)));
      const statuses = results.map((response) => response.status).sort();
      expect(statuses.filter((status) => status === 200)).toHaveLength(1);
      expect(statuses.filter((status) => status === 401)).toHaveLength(7);
      for (const response of results.filter((r) => r.status === 401)) {
        expect(response.body.code).toBe('SESSION_REVOKED');
        expect(setCookies(response)).toEqual([]);
      }
    });
  });

  describe('logout', () => {
    it('clears the cookie, and the old cookie no longer refreshes', async () => {
      const session = await browserSession();
      const response = await t.http
        .post('/auth/logout')
        .set(COOKIE_MODE)
        .set(bearer(session.accessToken))
        .set('Cookie', `refresh_token=${session.cookie}`);
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ status: 'success', message: 'Logged out' });
      expect(setCookies(response)).toEqual([CLEARED]);
      expectProblem(await refresh(session.cookie), 401, 'SESSION_ENDED');
    });

    it('is refused with 403 from another origin and leaves the session alive', async () => {
      const session = await browserSession();
      for (const headers of [
        { ...COOKIE_MODE, Origin: 'https://evil.example' },
        { 'X-Token-Delivery': 'cookie' },
      ]) {
        const response = await t.http
          .post('/auth/logout')
          .set(headers)
          .set(bearer(session.accessToken));
        expectProblem(response, 403, 'ORIGIN_NOT_ALLOWED');
        expect(setCookies(response)).toEqual([]);
      }
      await t.http.get('/users/me').set(bearer(session.accessToken)).expect(200);
      expectCookieModeBody(await refresh(session.cookie));
    });

    it('checks the bearer token first, as without cookie mode', async () => {
      const response = await t.http
        .post('/auth/logout')
        .set({ ...COOKIE_MODE, Origin: 'https://evil.example' });
      expectProblem(response, 401, 'TOKEN_INVALID');
    });
  });

  describe('JSON mode (no header, or X-Token-Delivery: json)', () => {
    it.each([
      ['no header', {}],
      ['X-Token-Delivery: json', { 'X-Token-Delivery': 'json' }],
    ])('with %s, tokens stay in the body and no cookie is set', async (_label, headers) => {
      const { identity } = await verifiedUser(t);
      const logged = await login(identity, headers).expect(200);
      expect(logged.body).toEqual({
        access_token: expect.any(String),
        token_type: 'bearer',
        expires_in: 1800,
        refresh_token: expect.any(String),
      });
      expect(setCookies(logged)).toEqual([]);

      const refreshed = await t.http
        .post('/auth/refresh')
        .set(headers)
        .send({ refresh_token: logged.body.refresh_token })
        .expect(200);
      expect(refreshed.body.refresh_token).toEqual(expect.any(String));
      expect(setCookies(refreshed)).toEqual([]);

      const loggedOut = await t.http
        .post('/auth/logout')
        .set(headers)
        .set(bearer(refreshed.body.access_token))
        .expect(200);
      expect(setCookies(loggedOut)).toEqual([]);
    });

    it('ignores a refresh_token cookie: the body is still required', async () => {
      const session = await browserSession();
      const response = await t.http
        .post('/auth/refresh')
        .set('Cookie', `refresh_token=${session.cookie}`)
        .send({});
      expectProblem(response, 400, 'VALIDATION_FAILED');
      expect(response.body.errors).toEqual(
        expect.arrayContaining([expect.objectContaining({ field: 'refresh_token' })]),
      );
      expectCookieModeBody(await refresh(session.cookie));
    });

    it('does not check Origin', async () => {
      const user = await loggedInUser(t);
      await t.http
        .post('/auth/refresh')
        .set('Origin', 'https://elsewhere.example')
        .send({ refresh_token: user.refreshToken })
        .expect(200);
    });
  });
});

describe('cookie mode with an https APP_URL', () => {
  const ORIGIN = 'https://auth.example.com';
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ APP_URL: `${ORIGIN}/` });
  });
  afterAll(() => t.close());

  it('marks the cookie Secure when it is set and when it is cleared', async () => {
    const { identity } = await verifiedUser(t);
    const headers = { 'X-Token-Delivery': 'cookie', Origin: ORIGIN };
    const logged = await t.http
      .post('/auth/login')
      .set(headers)
      .send({ email: identity.email, password: identity.password })
      .expect(200);
    const cookie = cookieOf(logged);
    expect(setCookies(logged)[0]).toBe(
      `refresh_token=${cookie}; Max-Age=${SEVEN_DAYS}; Path=/auth; HttpOnly; Secure; SameSite=Strict`,
    );
    const refreshed = await t.http
      .post('/auth/refresh')
      .set(headers)
      .set('Cookie', `refresh_token=${cookie}`)
      .expect(200);
    expect(setCookies(refreshed)[0]).toMatch(/; HttpOnly; Secure; SameSite=Strict$/);
    // The http origin of the same host is another origin.
    const plain = await t.http
      .post('/auth/refresh')
      .set({ ...headers, Origin: 'http://auth.example.com' })
      .set('Cookie', `refresh_token=${cookieOf(refreshed)}`);
    expectProblem(plain, 403, 'ORIGIN_NOT_ALLOWED');

    const loggedOut = await t.http
      .post('/auth/logout')
      .set(headers)
      .set(bearer(refreshed.body.access_token))
      .expect(200);
    expect(setCookies(loggedOut)).toEqual([CLEARED.replace('; HttpOnly', '; HttpOnly; Secure')]);
  });
});

describe('cookie mode and CORS_ORIGINS', () => {
  const LISTED = 'https://app.example.com';
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ CORS_ORIGINS: LISTED });
  });
  afterAll(() => t.close());

  it('never allows credentials to a listed origin, and refuses it cookie mode', async () => {
    const preflight = await t.http
      .options('/auth/refresh')
      .set('Origin', LISTED)
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'content-type, x-token-delivery');
    expect(preflight.headers['access-control-allow-origin']).toBe(LISTED);
    expect(preflight.headers['access-control-allow-credentials']).toBeUndefined();

    const user = await loggedInUser(t);
    const refused = await t.http
      .post('/auth/login')
      .set({ 'X-Token-Delivery': 'cookie', Origin: LISTED })
      .send({ email: user.identity.email, password: user.identity.password, force: true });
    expectProblem(refused, 403, 'ORIGIN_NOT_ALLOWED');
    expect(refused.headers['access-control-allow-credentials']).toBeUndefined();
    // The listed origin's JSON-mode session is untouched by the refused attempt.
    await t.http.get('/users/me').set(bearer(user.accessToken)).expect(200);
  });
});
