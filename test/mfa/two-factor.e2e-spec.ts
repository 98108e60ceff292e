import { DataSource } from 'typeorm';
import { moveClockBy } from '../support/clock';
import { bearer, GOOD_PASSWORD, loggedInUser } from '../support/factories';
import {
  expectFieldRefused,
  expectNoLeak,
  expectProblem,
  INJECTION_STRINGS,
} from '../support/hostile';
import { testCrypto } from '../support/crypto';
import { keysCommand } from '../support/keys';
import { tokenIn } from '../support/smtp-peer';
import { loggedInAdmin } from '../support/admin';
import { startTestApp, TestApp } from '../support/test-app';
import { base32Decode, totp } from '../support/totp';

const NEW_PASSWORD = 'Another-Quiet-Lantern-77';
const RECOVERY_CODE = /^([0-9a-z]{4}-){5}[0-9a-z]{4}$/;

type Enrolled = Awaited<ReturnType<typeof loggedInUser>> & {
  secret: string;
  recoveryCodes: string[];
};

/** How far this test has moved the clock past real time (moveClockBy starts from real time). */
let moved = 0;

function advanceClock(ms: number): void {
  moved += ms;
  moveClockBy(moved);
}

/** Moves the clock into the next 30-second step and returns the code the app shows then. */
function nextCode(secret: string): string {
  advanceClock(30_000);
  return totp(secret);
}

/** Some six digits that are not the code of now, nor of the step either side. */
function wrongCode(secret: string): string {
  const near = [-30_000, 0, 30_000].map((offset) => totp(secret, Date.now() + offset));
  for (let n = 0; ; n += 1) {
    const candidate = String(n).padStart(6, '0');
    if (!near.includes(candidate)) return candidate;
  }
}

const claimsOf = (accessToken: string) =>
  JSON.parse(Buffer.from(accessToken.split('.')[1], 'base64url').toString('utf8')) as Record<
    string,
    unknown
  >;

describe('two-factor login (TOTP and recovery codes)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());
  afterEach(() => {
    jest.useRealTimers();
    moved = 0;
  });

  /** The two-factor mail to the address that says `words` (waiting for it). */
  async function mailSaying(email: string, words: string) {
    for (let count = 1; ; count += 1) {
      const mails = await t.smtp.waitForMails(email, count, /Two-factor/);
      const found = mails.find((mail) => mail.text.includes(words));
      if (found) return found;
    }
  }

  const setup = (accessToken: string, password = GOOD_PASSWORD) =>
    t.http.post('/mfa/totp/setup').set(bearer(accessToken)).send({ password });
  const confirm = (accessToken: string, code: string) =>
    t.http.post('/mfa/totp/confirm').set(bearer(accessToken)).send({ code });
  const passwordStep = (user: { identity: { email: string } }, extra: object = {}) =>
    t.http
      .post('/auth/login')
      .send({ email: user.identity.email, password: GOOD_PASSWORD, ...extra });
  const mfaStep = (body: object) => t.http.post('/auth/login/mfa').send(body);
  const status = async (accessToken: string) =>
    (await t.http.get('/mfa').set(bearer(accessToken)).expect(200)).body;

  /** A user with TOTP on and no live session (logged out after enrolling). */
  async function enrolled(): Promise<Enrolled> {
    const user = await loggedInUser(t);
    const secret = (await setup(user.accessToken).expect(200)).body.secret as string;
    const confirmed = await confirm(user.accessToken, totp(secret)).expect(200);
    await t.http.post('/auth/logout').set(bearer(user.accessToken)).expect(200);
    return { ...user, secret, recoveryCodes: confirmed.body.recovery_codes as string[] };
  }

  /** The password step of an enrolled user: its mfa_token. */
  async function mfaToken(user: Enrolled): Promise<string> {
    const response = await passwordStep(user).expect(200);
    return response.body.mfa_token as string;
  }

  /** Logs in with both steps; the session's tokens. */
  async function logIn(user: Enrolled, force = false) {
    const token = await mfaToken(user);
    const response = await mfaStep({ mfa_token: token, code: nextCode(user.secret), force });
    expect(response.status).toBe(200);
    return response.body as { access_token: string; refresh_token: string };
  }

  describe('enrolment', () => {
    it('sets up, confirms, shows ten recovery codes once, and mails the user', async () => {
      const user = await loggedInUser(t);
      expect(await status(user.accessToken)).toEqual({
        totp: { enabled: false, enabled_at: null },
        recovery_codes: { remaining: 0 },
      });

      const first = (await setup(user.accessToken).expect(200)).body;
      expect(first.secret).toMatch(/^[A-Z2-7]{32}$/); // 160 bits
      const uri = new URL(first.otpauth_uri);
      expect([uri.protocol, uri.host]).toEqual(['otpauth:', 'totp']);
      expect(decodeURIComponent(uri.pathname)).toBe(`/localhost:${user.identity.email}`);
      expect(uri.searchParams.get('secret')).toBe(first.secret);
      expect(uri.searchParams.get('issuer')).toBe('localhost');
      expect(first.qr_svg).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);

      // A new setup replaces the pending one: the first secret's code no longer confirms.
      const second = (await setup(user.accessToken).expect(200)).body;
      expect(second.secret).not.toBe(first.secret);
      expectProblem(await confirm(user.accessToken, totp(first.secret)), 401, 'MFA_CODE_INVALID');
      expect((await status(user.accessToken)).totp.enabled).toBe(false);

      const confirmed = await confirm(user.accessToken, totp(second.secret)).expect(200);
      const codes = confirmed.body.recovery_codes as string[];
      expect(codes).toHaveLength(10);
      expect(new Set(codes).size).toBe(10);
      for (const code of codes) expect(code).toMatch(RECOVERY_CODE);
      const now = await status(user.accessToken);
      expect(now).toEqual({
        totp: { enabled: true, enabled_at: expect.any(String) },
        recovery_codes: { remaining: 10 },
      });
      await mailSaying(user.identity.email, 'turned on');

      expectProblem(await setup(user.accessToken), 409, 'MFA_ALREADY_ENABLED');
      expectProblem(
        await confirm(user.accessToken, totp(second.secret)),
        409,
        'MFA_ALREADY_ENABLED',
      );
    });

    it('refuses a wrong password, and a confirmation with no setup', async () => {
      const user = await loggedInUser(t);
      expectProblem(
        await setup(user.accessToken, 'Not-The-Password-9'),
        401,
        'INVALID_CREDENTIALS',
      );
      expectProblem(await confirm(user.accessToken, '123456'), 409, 'MFA_NOT_ENABLED');
      expectFieldRefused(await confirm(user.accessToken, '12345a'), 'code');
      await t.http.get('/mfa').expect(401);
    });

    it.each([
      ['/mfa/totp/setup', { password: GOOD_PASSWORD, extra: 1 }, 'extra'],
      ['/mfa/totp/setup', { password: ['x'] }, 'password'],
      ['/mfa/totp/confirm', { code: 123456 }, 'code'],
      ['/mfa/totp/confirm', { code: "' OR 1=1 --" }, 'code'],
      ['/mfa/totp/disable', { password: GOOD_PASSWORD }, 'code'],
      ['/mfa/totp/disable', { password: GOOD_PASSWORD, code: 'x'.repeat(65) }, 'code'],
      ['/mfa/recovery-codes', { code: '123456' }, 'password'],
      ['/mfa/recovery-codes', { password: GOOD_PASSWORD, code: { $gt: '' } }, 'code'],
    ])('POST %s refuses %j with 400', async (path, body, field) => {
      const user = await loggedInUser(t);
      expectFieldRefused(await t.http.post(path).set(bearer(user.accessToken)).send(body), field);
    });

    it('counts the confirming code as used: it cannot log in', async () => {
      const user = await loggedInUser(t);
      const secret = (await setup(user.accessToken).expect(200)).body.secret as string;
      const code = totp(secret);
      await confirm(user.accessToken, code).expect(200);
      const token = (await passwordStep(user).expect(200)).body.mfa_token;
      expectProblem(
        await mfaStep({ mfa_token: token, code, force: true }),
        401,
        'MFA_CODE_INVALID',
      );
    });
  });

  describe('login with TOTP on', () => {
    it('asks for the code after the password, then starts a session marked as two-factor', async () => {
      const user = await enrolled();
      const first = await passwordStep(user).expect(200);
      expect(first.body).toEqual({
        mfa_required: true,
        mfa_token: expect.stringMatching(/^[\w-]{43}$/),
        mfa_methods: ['totp', 'recovery_code'],
        expires_in: 300,
      });
      const second = await mfaStep({
        mfa_token: first.body.mfa_token,
        code: nextCode(user.secret),
      });
      expect(second.status).toBe(200);
      expect(second.body).toEqual({
        access_token: expect.any(String),
        token_type: 'bearer',
        expires_in: 1800,
        refresh_token: expect.any(String),
      });
      const claims = claimsOf(second.body.access_token);
      expect(claims.amr).toEqual(['pwd', 'otp']);
      expect(Math.abs((claims.auth_time as number) - Date.now() / 1000)).toBeLessThan(10);
      const active = await t.http.get('/session/active').set(bearer(second.body.access_token));
      expect(active.body.session.mfa).toBe(true);

      // Refreshed tokens keep how the session was authenticated.
      const refreshed = await t.http
        .post('/auth/refresh')
        .send({ refresh_token: second.body.refresh_token })
        .expect(200);
      expect(claimsOf(refreshed.body.access_token)).toMatchObject({
        amr: ['pwd', 'otp'],
        auth_time: claims.auth_time,
      });

      const audit = await t.http.get('/audit/me').set(bearer(second.body.access_token)).expect(200);
      const actions = (audit.body.items as Array<{ action: string; outcome: string }>).map(
        (item) => `${item.action} ${item.outcome}`,
      );
      expect(actions).toEqual(
        expect.arrayContaining([
          'mfa.setup success',
          'mfa.enabled success',
          'mfa.challenge success',
          'login success',
        ]),
      );
    });

    it('a password-only session says mfa: false and amr ["pwd"]', async () => {
      const user = await loggedInUser(t);
      expect(claimsOf(user.accessToken).amr).toEqual(['pwd']);
      const active = await t.http.get('/session/active').set(bearer(user.accessToken));
      expect(active.body.session.mfa).toBe(false);
    });

    it('takes a recovery code once, however it is typed, and mails the user', async () => {
      const user = await enrolled();
      const [first, second] = user.recoveryCodes;
      const login = await mfaStep({ mfa_token: await mfaToken(user), recovery_code: first });
      expect(login.status).toBe(200);
      expect(claimsOf(login.body.access_token).amr).toEqual(['pwd', 'otp']);
      const mail = await mailSaying(user.identity.email, 'recovery code was used');
      expect(mail.text).toContain('(9 left)');
      expect((await status(login.body.access_token)).recovery_codes.remaining).toBe(9);

      expectProblem(
        await mfaStep({ mfa_token: await mfaToken(user), recovery_code: first, force: true }),
        401,
        'MFA_CODE_INVALID',
      );
      const typed = second.replace(/-/g, ' ').toUpperCase();
      const again = await mfaStep({
        mfa_token: await mfaToken(user),
        recovery_code: typed,
        force: true,
      });
      expect(again.status).toBe(200);
      const audit = await t.http.get('/audit/me').set(bearer(again.body.access_token)).expect(200);
      const used = (audit.body.items as Array<{ action: string }>).filter(
        (item) => item.action === 'mfa.recovery_code.used',
      );
      expect(used).toHaveLength(2);
    });

    it('never accepts a code twice, nor one of an earlier step', async () => {
      const user = await enrolled();
      const code = nextCode(user.secret);
      const earlier = totp(user.secret, Date.now() - 30_000);
      await mfaStep({ mfa_token: await mfaToken(user), code }).expect(200);
      const token = await mfaToken(user);
      expectProblem(
        await mfaStep({ mfa_token: token, code, force: true }),
        401,
        'MFA_CODE_INVALID',
      );
      expectProblem(
        await mfaStep({ mfa_token: token, code: earlier, force: true }),
        401,
        'MFA_CODE_INVALID',
      );
    });

    it('of parallel logins with one code, one succeeds', async () => {
      const user = await enrolled();
      const tokens = await Promise.all([1, 2, 3, 4].map(() => mfaToken(user)));
      const code = nextCode(user.secret);
      const answers = await Promise.all(
        tokens.map((token) => mfaStep({ mfa_token: token, code, force: true })),
      );
      const statuses = answers.map((answer) => answer.status).sort();
      expect(statuses).toEqual([200, 401, 401, 401]);
      for (const answer of answers.filter((one) => one.status === 401))
        expect(answer.body.code).toBe('MFA_CODE_INVALID');
    });

    it('of parallel logins with one recovery code, one succeeds', async () => {
      const user = await enrolled();
      const tokens = await Promise.all([1, 2, 3, 4].map(() => mfaToken(user)));
      const answers = await Promise.all(
        tokens.map((token) =>
          mfaStep({ mfa_token: token, recovery_code: user.recoveryCodes[0], force: true }),
        ),
      );
      expect(answers.map((answer) => answer.status).sort()).toEqual([200, 401, 401, 401]);
    });

    it('voids the mfa_token after five wrong codes', async () => {
      const user = await enrolled();
      const token = await mfaToken(user);
      advanceClock(30_000);
      for (let attempt = 1; attempt <= 5; attempt += 1) {
        const wrong = await mfaStep({ mfa_token: token, code: wrongCode(user.secret) });
        expectProblem(wrong, 401, 'MFA_CODE_INVALID');
      }
      const right = await mfaStep({ mfa_token: token, code: totp(user.secret) });
      expectProblem(right, 401, 'MFA_TOKEN_INVALID');
      // A new login still works with that code: it was never accepted.
      await mfaStep({ mfa_token: await mfaToken(user), code: totp(user.secret) }).expect(200);
    });

    it('refuses an expired mfa_token', async () => {
      const user = await enrolled();
      const token = await mfaToken(user);
      advanceClock(301_000);
      expectProblem(
        await mfaStep({ mfa_token: token, code: totp(user.secret) }),
        401,
        'MFA_TOKEN_INVALID',
      );
    });

    it('answers 409 at the second step while a session is live; the passed token retries with force and no code', async () => {
      const user = await enrolled();
      const old = await logIn(user);
      const token = await mfaToken(user); // the password step answers even while a session is live
      expectProblem(
        await mfaStep({ mfa_token: token, code: nextCode(user.secret) }),
        409,
        'SESSION_ACTIVE',
      );
      expectProblem(await mfaStep({ mfa_token: token }), 409, 'SESSION_ACTIVE');
      const forced = await mfaStep({ mfa_token: token, force: true }).expect(200);
      expect(claimsOf(forced.body.access_token).amr).toEqual(['pwd', 'otp']);
      expectProblem(
        await t.http.get('/users/me').set(bearer(old.access_token)),
        401,
        'SESSION_REPLACED',
      );
      expectProblem(await mfaStep({ mfa_token: token, force: true }), 401, 'MFA_TOKEN_INVALID');
    });

    it('asks for a code when none is sent, and refuses unknown tokens without a leak', async () => {
      const user = await enrolled();
      expectProblem(await mfaStep({ mfa_token: await mfaToken(user) }), 401, 'MFA_CODE_REQUIRED');
      for (const junk of INJECTION_STRINGS) {
        const response = await mfaStep({ mfa_token: junk, code: '123456' });
        expectProblem(response, 401, 'MFA_TOKEN_INVALID');
        expectNoLeak(response);
      }
    });

    it.each([
      ['an unknown field', { mfa_token: 'x', code: '123456', extra: 1 }, 'extra'],
      ['a code that is not six digits', { mfa_token: 'x', code: '12345' }, 'code'],
      ['a numeric code', { mfa_token: 'x', code: 123456 }, 'code'],
      [
        'both kinds of code',
        { mfa_token: 'x', code: '123456', recovery_code: 'abcd' },
        'recovery_code',
      ],
      ['no mfa_token', { code: '123456' }, 'mfa_token'],
      ['an object for mfa_token', { mfa_token: { $gt: '' }, code: '123456' }, 'mfa_token'],
      ['a string for force', { mfa_token: 'x', force: 'yes' }, 'force'],
    ])('refuses %s with 400', async (_why, body, field) => {
      expectFieldRefused(await mfaStep(body), field);
    });
  });

  describe('every way in, every sensitive change', () => {
    it('a password reset leaves two-factor login on: the next login still asks', async () => {
      const user = await enrolled();
      await t.http.post('/password/forgot').send({ email: user.identity.email }).expect(202);
      const token = tokenIn(await t.smtp.waitForMail(user.identity.email, /Reset/));
      await t.http.post('/password/reset').send({ token, new_password: NEW_PASSWORD }).expect(200);
      const login = await t.http
        .post('/auth/login')
        .send({ email: user.identity.email, password: NEW_PASSWORD })
        .expect(200);
      expect(login.body.mfa_required).toBe(true);
      expect(login.body.access_token).toBeUndefined();
    });

    it('a password change voids an mfa_token issued before it', async () => {
      const user = await enrolled();
      const token = await mfaToken(user);
      const session = await logIn(user);
      await t.http
        .post('/password/change')
        .set(bearer(session.access_token))
        .send({
          current_password: GOOD_PASSWORD,
          new_password: NEW_PASSWORD,
          code: nextCode(user.secret),
        })
        .expect(200);
      expectProblem(
        await mfaStep({ mfa_token: token, code: nextCode(user.secret), force: true }),
        401,
        'MFA_TOKEN_INVALID',
      );
    });

    it('POST /password/change needs a code while TOTP is on', async () => {
      const user = await enrolled();
      const session = await logIn(user);
      const change = (extra: object) =>
        t.http
          .post('/password/change')
          .set(bearer(session.access_token))
          .send({ current_password: GOOD_PASSWORD, new_password: NEW_PASSWORD, ...extra });
      expectProblem(await change({}), 401, 'MFA_CODE_REQUIRED');
      expectProblem(await change({ code: wrongCode(user.secret) }), 401, 'MFA_CODE_INVALID');
      expectProblem(
        await change({ code: 'zzzz-zzzz-zzzz-zzzz-zzzz-zzzz' }),
        401,
        'MFA_CODE_INVALID',
      );
      await change({ code: user.recoveryCodes[0] }).expect(200);
    });

    it('DELETE /users/me needs a code while TOTP is on, and spends it', async () => {
      const user = await enrolled();
      const session = await logIn(user);
      const remove = (extra: object) =>
        t.http
          .delete('/users/me')
          .set(bearer(session.access_token))
          .send({ password: GOOD_PASSWORD, ...extra });
      expectProblem(await remove({}), 401, 'MFA_CODE_REQUIRED');
      expectProblem(await remove({ code: wrongCode(user.secret) }), 401, 'MFA_CODE_INVALID');
      await t.http.get('/users/me').set(bearer(session.access_token)).expect(200);
      await remove({ code: user.recoveryCodes[1] }).expect(200);
      expect((await t.http.get('/users/me').set(bearer(session.access_token))).status).toBe(401);
      expectProblem(
        await t.http
          .post('/auth/login')
          .send({ email: user.identity.email, password: GOOD_PASSWORD }),
        401,
        'INVALID_CREDENTIALS',
      );
    });

    it('turns off with the password and a code, and mails the user', async () => {
      const user = await enrolled();
      const session = await logIn(user);
      const disable = (body: object) =>
        t.http.post('/mfa/totp/disable').set(bearer(session.access_token)).send(body);
      expectProblem(
        await disable({ password: 'Not-The-Password-9', code: nextCode(user.secret) }),
        401,
        'INVALID_CREDENTIALS',
      );
      expectProblem(
        await disable({ password: GOOD_PASSWORD, code: wrongCode(user.secret) }),
        401,
        'MFA_CODE_INVALID',
      );
      await disable({ password: GOOD_PASSWORD, code: user.recoveryCodes[3] }).expect(200);
      expect(await status(session.access_token)).toEqual({
        totp: { enabled: false, enabled_at: null },
        recovery_codes: { remaining: 0 },
      });
      await mailSaying(user.identity.email, 'turned off');
      expectProblem(
        await disable({ password: GOOD_PASSWORD, code: '123456' }),
        409,
        'MFA_NOT_ENABLED',
      );
      const login = await passwordStep(user, { force: true }).expect(200);
      expect(login.body.access_token).toEqual(expect.any(String));
    });

    it('makes a new set of recovery codes; the old set is void', async () => {
      const user = await enrolled();
      const session = await logIn(user);
      const regenerated = await t.http
        .post('/mfa/recovery-codes')
        .set(bearer(session.access_token))
        .send({ password: GOOD_PASSWORD, code: nextCode(user.secret) })
        .expect(200);
      const fresh = regenerated.body.recovery_codes as string[];
      expect(fresh).toHaveLength(10);
      expect(fresh.some((code) => user.recoveryCodes.includes(code))).toBe(false);
      expectProblem(
        await mfaStep({
          mfa_token: await mfaToken(user),
          recovery_code: user.recoveryCodes[0],
          force: true,
        }),
        401,
        'MFA_CODE_INVALID',
      );
      await mfaStep({
        mfa_token: await mfaToken(user),
        recovery_code: fresh[0],
        force: true,
      }).expect(200);
      await mailSaying(user.identity.email, 'New recovery codes');
    });

    it('an administrator reset turns it off, voids the codes and mails the user', async () => {
      const user = await enrolled();
      const admin = await loggedInAdmin(t);
      const reset = (token: string, id = user.userId) =>
        t.http
          .post(`/admin/users/${id}/mfa/reset`)
          .set(bearer(token))
          .send({ reason: 'lost phone' });

      // Only with the mfa:reset permission: the user cannot reset their own second factor.
      const session = await logIn(user);
      const own = await reset(session.access_token).expect(403);
      expect(own.body.code).toBe('FORBIDDEN');
      await t.http.post('/auth/logout').set(bearer(session.access_token)).expect(200);
      const detail = await t.http.get(`/admin/users/${user.userId}`).set(bearer(admin.accessToken));
      expect(detail.body.mfa).toEqual({ enabled: true });

      const done = await reset(admin.accessToken).expect(200);
      expect(done.body).toEqual({ status: 'success', message: 'Two-factor login is off' });
      const login = await passwordStep(user).expect(200);
      expect(login.body.access_token).toEqual(expect.any(String));
      expect(await status(login.body.access_token)).toEqual({
        totp: { enabled: false, enabled_at: null },
        recovery_codes: { remaining: 0 },
      });
      await mailSaying(user.identity.email, 'administrator turned two-factor login off');
      const audit = await t.http.get('/audit/me').set(bearer(login.body.access_token));
      expect(audit.body.items).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            action: 'mfa.reset',
            outcome: 'success',
            meta: expect.objectContaining({ reason: 'lost phone' }),
          }),
        ]),
      );

      const again = await reset(admin.accessToken).expect(409);
      expect(again.body.code).toBe('MFA_NOT_ENABLED');
      const unknown = await reset(admin.accessToken, '00000000-0000-4000-8000-000000000000');
      expect([unknown.status, unknown.body.code]).toEqual([404, 'USER_NOT_FOUND']);
    });
  });

  it('a dump of the database holds neither the secret nor a recovery code', async () => {
    const user = await enrolled();
    await logIn(user);
    const db = t.app.get(DataSource);
    const tables = db.entityMetadatas.map((meta) => meta.tableName);
    const dump: unknown[] = [];
    for (const table of tables) dump.push(await db.query(`SELECT * FROM ${table}`));
    const text = JSON.stringify(dump).toLowerCase();
    const raw = base32Decode(user.secret);
    for (const form of [
      user.secret,
      raw.toString('hex'),
      raw.toString('base64'),
      raw.toString('base64url'),
    ])
      expect(text).not.toContain(form.toLowerCase());
    for (const code of user.recoveryCodes) {
      expect(text).not.toContain(code);
      expect(text).not.toContain(code.replace(/-/g, ''));
    }
    // The secret is there, sealed (AES-256-GCM, naming its key-encryption key).
    const [row] = await db.query(`SELECT secret FROM mfa_totp WHERE user_id = '${user.userId}'`);
    expect(row.secret).toMatch(/^v1\.[0-9a-f]{12}\./);
  });

  it('npm run keys:rewrap re-seals the TOTP secrets under a new key-encryption key', async () => {
    const user = await enrolled();
    const db = t.app.get(DataSource);
    const sealed = async () =>
      (
        (await db.query(`SELECT secret FROM mfa_totp WHERE user_id = '${user.userId}'`)) as Array<{
          secret: string;
        }>
      )[0].secret;
    const before = await sealed();
    const previous = process.env.KEY_ENCRYPTION_KEY as string;
    const next = 'a-new-key-encryption-key-of-enough-length-for-the-test';
    const run = await keysCommand(['rewrap'], {
      KEY_ENCRYPTION_KEY: next,
      KEY_ENCRYPTION_KEY_PREVIOUS: previous,
    });
    expect(run).toMatchObject({ code: 0 });
    expect(run.stdout).toMatch(/Re-sealed [1-9]\d* TOTP secret\(s\)/);
    const after = await sealed();
    expect(after.split('.')[1]).not.toBe(before.split('.')[1]);
    const opener = testCrypto(undefined, next);
    expect(opener.open(after, user.userId)).toBe(user.secret);
    expect(() => opener.open(after, 'another-user-id')).toThrow();
  });
});
