import type { Response } from 'supertest';
import { DataSource } from 'typeorm';
import { CryptoService } from '../src/common/crypto.service';
import { Session } from '../src/sessions/session.entity';
import { bearer, Identity, loggedInUser, verifiedUser } from './support/factories';
import { startTestApp, TestApp } from './support/test-app';
import { moveClockBy } from './support/clock';

function claimsOf(accessToken: string): Record<string, unknown> {
  const payload = accessToken.split('.')[1];
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
}

const sidOf = (accessToken: string) => claimsOf(accessToken).sid as string;

const login = (t: TestApp, identity: Identity, extra: Record<string, unknown> = {}) =>
  t.http.post('/auth/login').send({ email: identity.email, password: identity.password, ...extra });

/** GET /session/active with every access token that parallel logins returned (at least one). */
async function checkEveryIssuedToken(t: TestApp, logins: Response[]): Promise<Response[]> {
  const tokens = logins.filter((r) => r.status === 200).map((r) => r.body.access_token as string);
  expect(tokens.length).toBeGreaterThanOrEqual(1);
  return Promise.all(tokens.map((token) => t.http.get('/session/active').set(bearer(token))));
}

describe('one live session per account, SESSION_POLICY=reject (default)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('answers a second login 409 SESSION_ACTIVE and leaves the first session alone', async () => {
    const first = await loggedInUser(t);
    const second = await login(t, first.identity).expect(409);
    expect(second.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(second.body).toMatchObject({
      type: '/problems/session-active',
      title: 'Conflict',
      status: 409,
      detail: 'Session already active',
      code: 'SESSION_ACTIVE',
    });
    const explicit = await login(t, first.identity, { force: false }).expect(409);
    expect(explicit.body.code).toBe('SESSION_ACTIVE');

    const active = await t.http.get('/session/active').set(bearer(first.accessToken)).expect(200);
    expect(active.body.session.id).toBe(sidOf(first.accessToken));
    await t.http.post('/auth/refresh').send({ refresh_token: first.refreshToken }).expect(200);
  });

  it('checks the password before saying a session is active', async () => {
    const first = await loggedInUser(t);
    const response = await t.http
      .post('/auth/login')
      .send({ email: first.identity.email, password: 'Wrong-Password-123' })
      .expect(401);
    expect(response.body.code).toBe('INVALID_CREDENTIALS');
  });

  it('with "force": true ends the old session (SESSION_REPLACED) and starts a new one', async () => {
    const first = await loggedInUser(t);
    const forced = await login(t, first.identity, { force: true }).expect(200);
    expect(forced.body.token_type).toBe('bearer');
    expect(sidOf(forced.body.access_token)).not.toBe(sidOf(first.accessToken));

    const oldAccess = await t.http.get('/users/me').set(bearer(first.accessToken)).expect(401);
    expect(oldAccess.body).toMatchObject({ status: 401, code: 'SESSION_REPLACED' });
    const oldRefresh = await t.http
      .post('/auth/refresh')
      .send({ refresh_token: first.refreshToken })
      .expect(401);
    expect(oldRefresh.body).toMatchObject({ status: 401, code: 'SESSION_REPLACED' });

    // The old token's refusal did not disturb the new session.
    const active = await t.http
      .get('/session/active')
      .set(bearer(forced.body.access_token))
      .expect(200);
    expect(active.body.session.id).toBe(sidOf(forced.body.access_token));
    await t.http
      .post('/auth/refresh')
      .send({ refresh_token: forced.body.refresh_token })
      .expect(200);
  });

  it('is all or nothing: a forced login that fails after ending the old session leaves it live', async () => {
    const first = await loggedInUser(t);
    const oldId = sidOf(first.accessToken);
    // The new session gets the old one's id, so its insert fails after the old session was
    // ended in the same transaction (inside the start_session procedure on MySQL).
    const uuid = jest.spyOn(t.app.get(CryptoService), 'uuid').mockReturnValueOnce(oldId);
    try {
      const failed = await login(t, first.identity, { force: true }).expect(409);
      expect(failed.body.code).toBe('SESSION_ACTIVE');
    } finally {
      uuid.mockRestore();
    }
    if (t.dbType === 'mysql') {
      // Rolled back, not left open on a pooled connection with the account's rows locked.
      const [open] = (await t.app.get(DataSource).query(
        `SELECT COUNT(*) AS n FROM information_schema.INNODB_TRX trx
           JOIN information_schema.PROCESSLIST p ON p.ID = trx.trx_mysql_thread_id
          WHERE p.DB = DATABASE() AND p.ID <> CONNECTION_ID()`,
      )) as Array<{ n: number | string }>;
      expect(Number(open.n)).toBe(0);
    }
    const row = await t.app.get(DataSource).getRepository(Session).findOneByOrFail({ id: oldId });
    expect(row).toMatchObject({ status: 'active', activeUserId: first.userId, endedAt: null });
    const active = await t.http.get('/session/active').set(bearer(first.accessToken)).expect(200);
    expect(active.body.session.id).toBe(oldId);

    const forced = await login(t, first.identity, { force: true }).expect(200);
    expect(sidOf(forced.body.access_token)).not.toBe(oldId);
    const old = await t.http.get('/users/me').set(bearer(first.accessToken)).expect(401);
    expect(old.body.code).toBe('SESSION_REPLACED');
  });

  it('lets exactly one of fifty parallel correct logins through', async () => {
    const { identity } = await verifiedUser(t);
    const results = await Promise.all(Array.from({ length: 50 }, () => login(t, identity)));

    const winners = results.filter((r) => r.status === 200);
    const losers = results.filter((r) => r.status !== 200);
    expect(winners).toHaveLength(1);
    expect(losers.map((r) => [r.status, r.body.code])).toEqual(
      Array.from({ length: 49 }, () => [409, 'SESSION_ACTIVE']),
    );

    const token = winners[0].body.access_token as string;
    const active = await t.http.get('/session/active').set(bearer(token)).expect(200);
    expect(active.body).toMatchObject({ active: true, session: { id: sidOf(token) } });
  });

  it('leaves exactly one live session after twenty parallel forced logins', async () => {
    const first = await loggedInUser(t);
    const results = await Promise.all(
      Array.from({ length: 20 }, () => login(t, first.identity, { force: true })),
    );
    for (const result of results) {
      expect([200, 409]).toContain(result.status);
      if (result.status === 409) expect(result.body.code).toBe('SESSION_ACTIVE');
    }
    const checks = await checkEveryIssuedToken(t, results);
    expect(checks.filter((r) => r.status === 200)).toHaveLength(1);
    for (const check of checks.filter((r) => r.status !== 200)) {
      expect([check.status, check.body.code]).toEqual([401, 'SESSION_REPLACED']);
    }
    const original = await t.http.get('/users/me').set(bearer(first.accessToken)).expect(401);
    expect(original.body.code).toBe('SESSION_REPLACED');
  });
});

describe('SESSION_POLICY=replace', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ SESSION_POLICY: 'replace' });
  });
  afterAll(() => t.close());

  it('replaces the active session on every login, without force', async () => {
    const first = await loggedInUser(t);
    const second = await login(t, first.identity).expect(200);
    expect(sidOf(second.body.access_token)).not.toBe(sidOf(first.accessToken));

    const oldAccess = await t.http
      .get('/session/active')
      .set(bearer(first.accessToken))
      .expect(401);
    expect(oldAccess.body.code).toBe('SESSION_REPLACED');
    const oldRefresh = await t.http
      .post('/auth/refresh')
      .send({ refresh_token: first.refreshToken })
      .expect(401);
    expect(oldRefresh.body.code).toBe('SESSION_REPLACED');
    await t.http.get('/session/active').set(bearer(second.body.access_token)).expect(200);
  });

  it('still leaves exactly one live session after parallel logins', async () => {
    const { identity } = await verifiedUser(t);
    const results = await Promise.all(Array.from({ length: 10 }, () => login(t, identity)));
    const checks = await checkEveryIssuedToken(t, results);
    expect(checks.filter((r) => r.status === 200)).toHaveLength(1);
  });
});

/**
 * Sessions last REFRESH_TOKEN_EXPIRE_DAYS (at least a day), so the clock is moved instead of
 * waited on: only `Date` is faked, which the app reads for every expiry decision (JWT iat/exp,
 * session expires_at); timers and I/O stay real.
 */
describe('an expired session', () => {
  const DAY_MS = 24 * 60 * 60 * 1000;
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ REFRESH_TOKEN_EXPIRE_DAYS: '1' });
  });
  afterAll(async () => {
    jest.useRealTimers();
    await t.close();
  });
  afterEach(() => jest.useRealTimers());

  it('never blocks a login, and its tokens answer TOKEN_EXPIRED', async () => {
    const first = await loggedInUser(t);
    moveClockBy(DAY_MS + 60_000);

    const second = await login(t, first.identity).expect(200);
    const active = await t.http
      .get('/session/active')
      .set(bearer(second.body.access_token))
      .expect(200);
    expect(active.body.session.id).toBe(sidOf(second.body.access_token));

    const oldAccess = await t.http.get('/users/me').set(bearer(first.accessToken)).expect(401);
    expect(oldAccess.body.code).toBe('TOKEN_EXPIRED');
    const oldRefresh = await t.http
      .post('/auth/refresh')
      .send({ refresh_token: first.refreshToken })
      .expect(401);
    expect(oldRefresh.body.code).toBe('TOKEN_EXPIRED');
  });

  it('cannot be refreshed past its lifetime, even with a fresh access token', async () => {
    const first = await loggedInUser(t);
    // Just before the end: a refresh still works and yields a new access token...
    moveClockBy(DAY_MS - 60_000);
    const refreshed = await t.http
      .post('/auth/refresh')
      .send({ refresh_token: first.refreshToken })
      .expect(200);
    // ...whose lifetime is cut to what is left of the session.
    expect(refreshed.body.expires_in).toBeGreaterThan(0);
    expect(refreshed.body.expires_in).toBeLessThanOrEqual(60);
    const session = await t.http
      .get('/session/active')
      .set(bearer(refreshed.body.access_token))
      .expect(200);
    const exp = claimsOf(refreshed.body.access_token).exp as number;
    expect(exp * 1000).toBeLessThanOrEqual(Date.parse(session.body.session.expires_at) + 1000);
    jest.useRealTimers();

    // ...but the session ends a day after login, whatever the access token says.
    moveClockBy(DAY_MS + 60_000);
    const access = await t.http
      .get('/session/active')
      .set(bearer(refreshed.body.access_token))
      .expect(401);
    expect(access.body.code).toBe('TOKEN_EXPIRED');
    const refresh = await t.http
      .post('/auth/refresh')
      .send({ refresh_token: refreshed.body.refresh_token })
      .expect(401);
    expect(refresh.body.code).toBe('TOKEN_EXPIRED');
    await login(t, first.identity).expect(200);
  });
});
