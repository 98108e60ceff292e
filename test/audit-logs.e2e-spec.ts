import { DataSource } from 'typeorm';
import { bearer, newIdentity } from './support/factories';
import { tokenIn } from './support/smtp-peer';
import { captureStdout } from './support/log-capture';
import { startTestApp, TestApp } from './support/test-app';

const NEW_PASSWORD = 'Brisk-Meadow-Falcon-77';

/**
 * The real app logging at `trace`, its JSON lines captured from stdout. Every secret the flow
 * handles is collected and must not appear anywhere in what was logged.
 */
describe('request logs', () => {
  let t: TestApp;
  let db: DataSource;
  let logs: ReturnType<typeof captureStdout>;

  beforeAll(async () => {
    logs = captureStdout();
    t = await startTestApp({ LOG_LEVEL: 'trace' });
    // Nest buffers its Logger's lines until listen(), which the tests never call (supertest).
    t.app.flushLogs();
    db = t.app.get(DataSource);
  });
  afterAll(async () => {
    await t.close();
    logs.restore();
  });
  beforeEach(() => logs.reset());
  const lines = () => logs.lines();

  it('logs JSON lines per request with its id and path, and no password or token anywhere', async () => {
    const identity = newIdentity('logs');
    const secrets: string[] = [identity.password, NEW_PASSWORD];
    const id = (name: string) => `logs-${name}-${process.pid}`;

    await t.http.post('/auth/signup').set('X-Request-Id', id('signup')).send(identity).expect(201);
    const verificationToken = tokenIn(await t.smtp.waitForMail(identity.email, /Confirm/));
    secrets.push(verificationToken);
    await t.http
      .get(`/verify/confirm?token=${encodeURIComponent(verificationToken)}`)
      .set('X-Request-Id', id('page'))
      .expect(200);
    await t.http.post('/verify/confirm').send({ token: verificationToken }).expect(200);
    await t.http
      .post('/auth/login')
      .send({ email: identity.email, password: `${identity.password}!` })
      .expect(401);
    const login = await t.http
      .post('/auth/login')
      .set('X-Request-Id', id('login'))
      .send({ email: identity.email, password: identity.password })
      .expect(200);
    const refreshed = await t.http
      .post('/auth/refresh')
      .send({ refresh_token: login.body.refresh_token })
      .expect(200);
    // Reuse: revokes the session; then a fresh login for the rest.
    await t.http
      .post('/auth/refresh')
      .send({ refresh_token: login.body.refresh_token })
      .expect(401);
    await t.http.get('/users/me').set(bearer(refreshed.body.access_token)).expect(401);
    const again = await t.http
      .post('/auth/login')
      .send({ email: identity.email, password: identity.password })
      .expect(200);
    await t.http.get('/users/me').set(bearer(again.body.access_token)).expect(200);
    await t.http
      .post('/password/change')
      .set(bearer(again.body.access_token))
      .send({ current_password: identity.password, new_password: NEW_PASSWORD })
      .expect(200);
    await t.http.post('/auth/logout').set(bearer(again.body.access_token)).expect(200);
    await t.http.post('/password/forgot').send({ email: identity.email }).expect(202);
    const resetToken = tokenIn(await t.smtp.waitForMail(identity.email, /Reset your password/));
    secrets.push(resetToken);
    await t.http
      .get(`/password/reset?token=${encodeURIComponent(resetToken)}`)
      .set('Cookie', `session=${resetToken}`)
      .expect(200);
    for (const body of [login.body, refreshed.body, again.body]) {
      secrets.push(body.access_token, body.refresh_token);
    }

    const logged = lines();
    expect(logged.length).toBeGreaterThan(12);
    const completed = logged.filter((line) => line.req && line.res);
    expect(completed.find((line) => line.req?.id === id('login'))).toMatchObject({
      req: { method: 'POST', path: '/auth/login' },
      res: { statusCode: 200 },
    });
    expect(completed.find((line) => line.req?.id === id('page'))).toMatchObject({
      req: { method: 'GET', path: '/verify/confirm' },
    });
    const text = logs.text();
    for (const secret of secrets) expect(text).not.toContain(secret);
    expect(text).not.toMatch(/Bearer|\$argon2|token=/i);
  });

  it('answers 503 when the audit row of a success cannot be written, and logs why', async () => {
    const email = newIdentity().email;
    await t.http.post('/verify/send').send({ email }).expect(202);
    await db.query('ALTER TABLE audit_logs RENAME TO audit_logs_away');
    try {
      const answer = await t.http
        .post('/verify/send')
        .set('X-Request-Id', 'audit-write-fails')
        .send({ email })
        .expect(503);
      expect(answer.headers['retry-after']).toBe('5');
      expect(answer.body).toMatchObject({ status: 503, code: 'SERVICE_UNAVAILABLE' });
      const signup = await t.http.post('/auth/signup').send(newIdentity()).expect(503);
      expect(signup.body.code).toBe('SERVICE_UNAVAILABLE');
      // A refusal keeps its answer: it acknowledges nothing.
      await t.http.post('/auth/login').send({ email, password: 'Wrong-Password-123' }).expect(401);
    } finally {
      await db.query('ALTER TABLE audit_logs_away RENAME TO audit_logs');
    }
    const failures = lines().filter((line) => line.msg === 'Could not write the audit trail');
    expect(failures[0]).toMatchObject({ level: 50, requestId: 'audit-write-fails' });
    expect(failures[0].actions).toEqual(['email.verify.sent']);
    await t.http.post('/verify/send').send({ email }).expect(202);
  });

  it("keeps a failed query's values (a password hash) out of the log", async () => {
    const trigger =
      t.dbType === 'mysql'
        ? `CREATE TRIGGER refuse_users BEFORE INSERT ON users FOR EACH ROW
           SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'refused by test trigger'`
        : `CREATE TRIGGER refuse_users BEFORE INSERT ON users
           BEGIN SELECT RAISE(ABORT, 'refused by test trigger'); END`;
    await db.query(trigger);
    const identity = newIdentity();
    try {
      const answer = await t.http.post('/auth/signup').send(identity).expect(500);
      expect(answer.body.code).toBe('INTERNAL_ERROR');
    } finally {
      await db.query('DROP TRIGGER refuse_users');
    }
    const unhandled = lines().find((line) => line.msg === 'Unhandled error');
    expect(unhandled).toBeDefined();
    expect(JSON.stringify(unhandled)).toContain('refused by test trigger');
    const text = logs.text();
    expect(text).not.toContain(identity.password);
    expect(text).not.toContain('$argon2');
  });
});
