import { newIdentity, verifiedUser } from '../support/factories';
import { expectProblem, sameAnswerPart, sleep } from '../support/hostile';
import { tokenIn } from '../support/smtp-peer';
import { startTestApp, TestApp } from '../support/test-app';

const WRONG = 'Wrong-Password-Entirely-1';

/** Rate limits on but generous, so that only the back-off answers 429 here. */
const LOOSE_LIMITS = {
  THROTTLE_ENABLED: 'true',
  THROTTLE_LOGIN_PER_IP: '10000/60',
  THROTTLE_LOGIN_PER_ACCOUNT: '10000/60',
  THROTTLE_SIGNUP_PER_IP: '10000/60',
  THROTTLE_SIGNUP_PER_ACCOUNT: '10000/60',
  THROTTLE_VERIFY_CONFIRM_PER_IP: '10000/60',
  THROTTLE_FORGOT_PER_IP: '10000/60',
  THROTTLE_FORGOT_PER_ACCOUNT: '10000/60',
  THROTTLE_RESET_PER_IP: '10000/60',
};

/** Back-off after 5 failures in 15 minutes, starting at `baseSeconds`, capped at `maxSeconds`. */
const backoff = (baseSeconds: number, maxSeconds: number) => ({
  ...LOOSE_LIMITS,
  LOGIN_BACKOFF_THRESHOLD: '5',
  LOGIN_BACKOFF_WINDOW_SECONDS: '900',
  LOGIN_BACKOFF_BASE_SECONDS: String(baseSeconds),
  LOGIN_BACKOFF_MAX_SECONDS: String(maxSeconds),
});

describe('Failed-login back-off (5 failures, then 429 for a growing time)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp(backoff(30, 900));
  });
  afterAll(() => t.close());

  const login = (email: string, password: string) =>
    t.http.post('/auth/login').send({ email, password });

  /** Five failures, through case and whitespace variants of one address. */
  async function failFiveTimes(email: string) {
    const variants = [email, email.toUpperCase(), ` ${email} `, `\t${email.toUpperCase()}`, email];
    for (const variant of variants) {
      expectProblem(await login(variant, WRONG), 401, 'INVALID_CREDENTIALS');
    }
  }

  it('after 5 failures the correct password gets the same 429 as a wrong one, with Retry-After', async () => {
    const { identity } = await verifiedUser(t);
    await failFiveTimes(identity.email);

    const right = await login(identity.email, identity.password);
    const wrong = await login(identity.email, WRONG);
    for (const response of [right, wrong]) {
      expectProblem(response, 429, 'TOO_MANY_REQUESTS');
      const retryAfter = Number(response.headers['retry-after']);
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(900);
      expect(response.text).not.toContain(identity.password);
    }
    expect(sameAnswerPart(right)).toEqual(sameAnswerPart(wrong));
    expect(right.body).not.toHaveProperty('access_token');
  });

  it('counts case and whitespace variants of the email as one account', async () => {
    const { identity } = await verifiedUser(t);
    await failFiveTimes(identity.email);
    const response = await login(`  ${identity.email.toUpperCase()}  `, identity.password);
    expectProblem(response, 429, 'TOO_MANY_REQUESTS');
    // Another account is not affected.
    const other = await verifiedUser(t);
    expect((await login(other.identity.email, other.identity.password)).status).toBe(200);
  });

  it('treats an unknown email the same way: 401 five times, then the same 429', async () => {
    const { identity } = await verifiedUser(t);
    await failFiveTimes(identity.email);
    const known = await login(identity.email, WRONG);

    const ghost = newIdentity('ghost').email;
    await failFiveTimes(ghost);
    const unknown = await login(ghost, WRONG);
    expectProblem(unknown, 429, 'TOO_MANY_REQUESTS');
    expect(sameAnswerPart(unknown)).toEqual(sameAnswerPart(known));
  });

  it('a password reset through the mailed link lifts the block at once', async () => {
    const { identity } = await verifiedUser(t);
    await failFiveTimes(identity.email);
    expectProblem(await login(identity.email, identity.password), 429, 'TOO_MANY_REQUESTS');

    await t.http.post('/password/forgot').send({ email: identity.email }).expect(202);
    const token = tokenIn(await t.smtp.waitForMail(identity.email, /Reset your password/));
    const newPassword = 'Another-Quiet-Lantern-7';
    await t.http.post('/password/reset').send({ token, new_password: newPassword }).expect(200);

    const response = await login(identity.email, newPassword);
    expect(response.status).toBe(200);
    expect(response.body.access_token).toEqual(expect.any(String));
  });
});

describe('Failed-login back-off over time (base 1 s, cap 2 s)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp(backoff(1, 2));
  });
  afterAll(() => t.close());

  const login = (email: string, password: string) =>
    t.http.post('/auth/login').send({ email, password });

  it('ends by itself, and a further failure blocks for longer, up to the cap', async () => {
    const { identity } = await verifiedUser(t);
    for (let i = 0; i < 5; i += 1) expect((await login(identity.email, WRONG)).status).toBe(401);
    const first = await login(identity.email, WRONG);
    expectProblem(first, 429, 'TOO_MANY_REQUESTS');
    expect(first.headers['retry-after']).toBe('1');

    await sleep(1100);
    // The block is over: a failure is checked again (401) and blocks for longer (2 s).
    expect((await login(identity.email, WRONG)).status).toBe(401);
    const second = await login(identity.email, identity.password);
    expectProblem(second, 429, 'TOO_MANY_REQUESTS');
    expect(Number(second.headers['retry-after'])).toBe(2);

    await sleep(2100);
    expect((await login(identity.email, WRONG)).status).toBe(401);
    const third = await login(identity.email, WRONG);
    expect(Number(third.headers['retry-after'])).toBe(2); // capped

    await sleep(2100);
    expect((await login(identity.email, identity.password)).status).toBe(200);
  });
});
