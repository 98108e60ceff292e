import { bearer, GOOD_PASSWORD, Identity, loggedInUser } from './support/factories';
import { tokenIn } from './support/smtp-peer';
import { startTestApp, TestApp } from './support/test-app';

const NEW_PASSWORD = 'Brisk-Meadow-Falcon-77';
const CHANGED_SUBJECT = /Your password was changed/;

describe('POST /password/change', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  function change(accessToken: string, body: object) {
    return t.http.post('/password/change').set(bearer(accessToken)).send(body);
  }

  function login(identity: Identity, password: string) {
    return t.http.post('/auth/login').send({ email: identity.email, password });
  }

  it('changes the password and keeps the current session', async () => {
    const user = await loggedInUser(t);
    const response = await change(user.accessToken, {
      current_password: GOOD_PASSWORD,
      new_password: NEW_PASSWORD,
    }).expect(200);
    expect(response.body).toEqual({ status: 'success', message: 'Password has been changed' });

    await t.http.get('/users/me').set(bearer(user.accessToken)).expect(200);
    const refreshed = await t.http
      .post('/auth/refresh')
      .send({ refresh_token: user.refreshToken })
      .expect(200);
    await t.http
      .post('/auth/logout')
      .set(bearer(refreshed.body.access_token as string))
      .expect(200);

    expect((await login(user.identity, GOOD_PASSWORD)).body.code).toBe('INVALID_CREDENTIALS');
    await login(user.identity, NEW_PASSWORD).expect(200);
  });

  it('tells the owner by mail that the password was changed', async () => {
    const user = await loggedInUser(t);
    await change(user.accessToken, {
      current_password: GOOD_PASSWORD,
      new_password: NEW_PASSWORD,
    }).expect(200);
    const mail = await t.smtp.waitForMail(user.identity.email, CHANGED_SUBJECT);
    expect(mail.to).toBe(user.identity.email);
    expect(mail.text).toContain(user.identity.username);
    expect(mail.text).toMatch(/was changed on \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} \(UTC\)/);
    expect(mail.text + mail.html).not.toContain(NEW_PASSWORD);
  });

  it('answers 401 INVALID_CREDENTIALS to a wrong current password; the session and password stay', async () => {
    const user = await loggedInUser(t);
    const response = await change(user.accessToken, {
      current_password: 'Not-The-Right-One-123',
      new_password: NEW_PASSWORD,
    }).expect(401);
    expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(response.body).toMatchObject({ status: 401, code: 'INVALID_CREDENTIALS' });

    await t.http.get('/users/me').set(bearer(user.accessToken)).expect(200);
    await t.http.post('/auth/logout').set(bearer(user.accessToken)).expect(200);
    await login(user.identity, GOOD_PASSWORD).expect(200);
  });

  it('refuses a weak new password with 400 WEAK_PASSWORD and keeps the old one', async () => {
    const user = await loggedInUser(t);
    for (const new_password of ['short', 'iloveyou', `my-${user.identity.username}`]) {
      const response = await change(user.accessToken, {
        current_password: GOOD_PASSWORD,
        new_password,
      }).expect(400);
      expect(response.body).toMatchObject({
        code: 'WEAK_PASSWORD',
        errors: [{ field: 'new_password', message: expect.any(String) }],
      });
    }
    await t.http.post('/auth/logout').set(bearer(user.accessToken)).expect(200);
    await login(user.identity, GOOD_PASSWORD).expect(200);
  });

  it('voids a pending reset link', async () => {
    const user = await loggedInUser(t);
    await t.http.post('/password/forgot').send({ email: user.identity.email }).expect(202);
    const token = tokenIn(await t.smtp.waitForMail(user.identity.email, /Reset your password/));
    await change(user.accessToken, {
      current_password: GOOD_PASSWORD,
      new_password: NEW_PASSWORD,
    }).expect(200);
    const reset = await t.http
      .post('/password/reset')
      .send({ token, new_password: 'Another-Sturdy-Phrase-9' })
      .expect(400);
    expect(reset.body.code).toBe('INVALID_TOKEN');
  });

  it('answers 401 without a bearer token, and for a session that has ended', async () => {
    const body = { current_password: GOOD_PASSWORD, new_password: NEW_PASSWORD };
    const anonymous = await t.http.post('/password/change').send(body).expect(401);
    expect(anonymous.body.code).toBe('TOKEN_INVALID');

    const user = await loggedInUser(t);
    await t.http.post('/auth/logout').set(bearer(user.accessToken)).expect(200);
    const ended = await change(user.accessToken, body).expect(401);
    expect(ended.body.code).toBe('SESSION_ENDED');
    await login(user.identity, GOOD_PASSWORD).expect(200);
  });

  it('lets the old password work for at most one of two racing changes', async () => {
    const user = await loggedInUser(t);
    const candidates = ['Racing-Copper-Kettle-1', 'Racing-Copper-Kettle-2'];
    const results = await Promise.all(
      candidates.map((new_password) =>
        change(user.accessToken, { current_password: GOOD_PASSWORD, new_password }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 401]);
    const winner = candidates[results.findIndex((r) => r.status === 200)];
    await t.http.post('/auth/logout').set(bearer(user.accessToken)).expect(200);
    await login(
      user.identity,
      candidates.find((c) => c !== winner)!,
    ).expect(401);
    await login(user.identity, winner).expect(200);
  });

  describe('hostile input', () => {
    const cases: Array<[string, unknown]> = [
      ['an unknown field', { current_password: GOOD_PASSWORD, new_password: NEW_PASSWORD, x: 1 }],
      ['a number for the current password', { current_password: 1, new_password: NEW_PASSWORD }],
      ['an array for the new password', { current_password: GOOD_PASSWORD, new_password: ['a'] }],
      ['a missing new password', { current_password: GOOD_PASSWORD }],
      ['an empty current password', { current_password: '', new_password: NEW_PASSWORD }],
      [
        'an over-long current password',
        { current_password: 'p'.repeat(257), new_password: NEW_PASSWORD },
      ],
      [
        'an over-long new password',
        { current_password: GOOD_PASSWORD, new_password: 'p'.repeat(257) },
      ],
    ];

    it.each(cases)('%s answers 400 VALIDATION_FAILED', async (_why, body) => {
      const user = await loggedInUser(t);
      const response = await change(user.accessToken, body as object).expect(400);
      expect(response.body).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
      expect(response.body.errors.length).toBeGreaterThan(0);
      await t.http.get('/users/me').set(bearer(user.accessToken)).expect(200);
    });
  });
});
