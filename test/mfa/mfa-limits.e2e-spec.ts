import { bearer, GOOD_PASSWORD, loggedInUser, turnOnTwoFactor } from '../support/factories';
import { expectProblem } from '../support/hostile';
import { startTestApp, TestApp } from '../support/test-app';
import { totp } from '../support/totp';

/** Rate limits on but loose, except the second login step's; back-off after three failures. */
const LIMITS = {
  THROTTLE_ENABLED: 'true',
  THROTTLE_LOGIN_PER_IP: '10000/60',
  THROTTLE_LOGIN_PER_ACCOUNT: '10000/60',
  THROTTLE_SIGNUP_PER_IP: '10000/60',
  THROTTLE_SIGNUP_PER_ACCOUNT: '10000/60',
  THROTTLE_VERIFY_CONFIRM_PER_IP: '10000/60',
  THROTTLE_LOGIN_MFA_PER_IP: '8/60',
  LOGIN_BACKOFF_THRESHOLD: '3',
  LOGIN_BACKOFF_BASE_SECONDS: '60',
};

describe('two-factor login under rate limits and login back-off', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp(LIMITS);
  });
  afterAll(() => t.close());

  /** A logged-in user who has just turned two-factor login on, and its TOTP secret. */
  async function withTwoFactor() {
    const user = await loggedInUser(t);
    const { secret } = await turnOnTwoFactor(t, user.accessToken);
    return { user, secret };
  }

  it('wrong codes count toward the account back-off, and a right password does not clear them; the second step is limited per IP', async () => {
    const { user, secret } = await withTwoFactor();
    const credentials = { email: user.identity.email, password: GOOD_PASSWORD };
    const token = (await t.http.post('/auth/login').send(credentials).expect(200)).body.mfa_token;
    const near = [-30_000, 0, 30_000].map((offset) => totp(secret, Date.now() + offset));
    const wrong = ['000000', '111111', '222222', '333333', '444444'].filter(
      (code) => !near.includes(code),
    );

    const tryCode = async (mfaToken: string, code: string) =>
      expectProblem(
        await t.http.post('/auth/login/mfa').send({ mfa_token: mfaToken, code }),
        401,
        'MFA_CODE_INVALID',
      );
    await tryCode(token, wrong[0]);
    await tryCode(token, wrong[1]);
    // The right password again does not wipe out the wrong codes before it.
    const next = (await t.http.post('/auth/login').send(credentials).expect(200)).body.mfa_token;
    await tryCode(next, wrong[2]);
    // Three failures: the account is in back-off, at both steps, even with the right password.
    const blocked = await t.http.post('/auth/login').send(credentials);
    expectProblem(blocked, 429, 'TOO_MANY_REQUESTS');
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    expectProblem(
      await t.http.post('/auth/login/mfa').send({ mfa_token: token, code: totp(secret) }),
      429,
      'TOO_MANY_REQUESTS',
    );

    const statuses: number[] = [];
    for (let n = 0; n < 6; n += 1)
      statuses.push(
        (await t.http.post('/auth/login/mfa').send({ mfa_token: 'x', code: '123456' })).status,
      );
    expect(statuses).toContain(429);
  });

  it('wrong codes at a sensitive change count toward the same back-off: a stolen session plus the password cannot try codes without end', async () => {
    const { user, secret } = await withTwoFactor();
    const near = [-30_000, 0, 30_000, 60_000].map((offset) => totp(secret, Date.now() + offset));
    const wrong = ['000000', '111111', '222222', '333333', '444444'].filter(
      (code) => !near.includes(code),
    );
    const change = (code: string) =>
      t.http
        .post('/password/change')
        .set(bearer(user.accessToken))
        .send({ current_password: GOOD_PASSWORD, new_password: 'Fresh-Horse-Staple-42', code });
    const disable = (code: string) =>
      t.http
        .post('/mfa/totp/disable')
        .set(bearer(user.accessToken))
        .send({ password: GOOD_PASSWORD, code });

    expectProblem(await change(wrong[0]), 401, 'MFA_CODE_INVALID');
    expectProblem(await disable(wrong[1]), 401, 'MFA_CODE_INVALID');
    expectProblem(await change(wrong[2]), 401, 'MFA_CODE_INVALID');
    // Three wrong codes: even the right code is refused now, at every code check and at login.
    const blocked = await change(totp(secret, Date.now() + 30_000));
    expectProblem(blocked, 429, 'TOO_MANY_REQUESTS');
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    expectProblem(await disable(totp(secret, Date.now() + 30_000)), 429, 'TOO_MANY_REQUESTS');
    expectProblem(
      await t.http
        .post('/auth/login')
        .send({ email: user.identity.email, password: GOOD_PASSWORD }),
      429,
      'TOO_MANY_REQUESTS',
    );
    // Nothing changed: the password and two-factor login are as they were.
    const status = await t.http.get('/mfa').set(bearer(user.accessToken)).expect(200);
    expect(status.body.totp.enabled).toBe(true);
  });
});
