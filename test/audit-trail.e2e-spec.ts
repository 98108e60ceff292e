import { DataSource } from 'typeorm';
import { AuditService } from '../src/audit/audit.service';
import { CryptoService } from '../src/common/crypto.service';
import { bearer, GOOD_PASSWORD, loggedInUser, newIdentity } from './support/factories';
import { tokenIn } from './support/smtp-peer';
import { startTestApp, TestApp } from './support/test-app';

const AGENT = 'audit-e2e/1.0';
const NEW_PASSWORD = 'Brisk-Meadow-Falcon-77';
const CHANGED_PASSWORD = 'Amber-Harbor-Comet-19';

interface Row {
  id: number;
  user_id: string | null;
  action: string;
  outcome: string;
  ip: string | null;
  user_agent: string | null;
  request_id: string | null;
  meta: string | null;
  created_at: unknown;
  prev_hash: string;
  hash: string;
}

interface Item {
  id: number;
  action: string;
  outcome: string;
  ip: string | null;
  user_agent: string | null;
  created_at: string;
  meta: Record<string, unknown>;
}

describe('audit trail', () => {
  let t: TestApp;
  let db: DataSource;

  beforeAll(async () => {
    t = await startTestApp();
    db = t.app.get(DataSource);
  });
  afterAll(() => t.close());

  const rows = (): Promise<Row[]> => db.query('SELECT * FROM audit_logs ORDER BY id');
  const rowsOf = async (requestId: string) =>
    (await rows()).filter((row) => row.request_id === requestId);
  const sha256 = (value: string) => t.app.get(CryptoService).sha256(value);

  /** Every page of the caller's /audit/me, newest first. */
  async function allEvents(accessToken: string): Promise<Item[]> {
    const response = await t.http.get('/audit/me?limit=100').set(bearer(accessToken)).expect(200);
    expect(response.body.next_cursor).toBeNull();
    return response.body.items as Item[];
  }

  it('writes the seed flow as exact events, with nothing secret, on a chain that verifies', async () => {
    const identity = newIdentity('audit');
    const secrets: string[] = [identity.password];
    let step = 0;
    const id = () => `flow-${process.pid}-${(step += 1)}`;
    const post = (path: string, requestId: string) =>
      t.http.post(path).set('User-Agent', AGENT).set('X-Request-Id', requestId);

    const signup = await post('/auth/signup', id()).send(identity).expect(201);
    const userId = signup.body.user.id as string;
    await t.smtp.waitForMail(identity.email, /Confirm/);

    await post('/verify/send', id()).send({ email: identity.email }).expect(202);
    const mails = await t.smtp.waitForMails(identity.email, 2, /Confirm/);
    secrets.push(...mails.map(tokenIn));
    await post('/verify/confirm', id())
      .send({ token: tokenIn(mails[1]) })
      .expect(200);

    const credentials = { email: identity.email, password: identity.password };
    const wrong = await post('/auth/login', id())
      .send({ ...credentials, password: `${identity.password}x` })
      .expect(401);
    expect(wrong.body.code).toBe('INVALID_CREDENTIALS');

    const first = await post('/auth/login', id()).send(credentials).expect(200);
    await post('/auth/login', id()).send(credentials).expect(409);
    const forced = await post('/auth/login', id())
      .send({ ...credentials, force: true })
      .expect(200);
    const refreshed = await post('/auth/refresh', id())
      .send({ refresh_token: forced.body.refresh_token })
      .expect(200);
    const reuseId = id();
    await post('/auth/refresh', reuseId)
      .send({ refresh_token: forced.body.refresh_token })
      .expect(401);
    // The session is revoked now: its token is refused before the handler runs.
    const refusedLogoutId = id();
    await post('/auth/logout', refusedLogoutId)
      .set(bearer(refreshed.body.access_token))
      .expect(401);

    const again = await post('/auth/login', id()).send(credentials).expect(200);
    await post('/auth/logout', id()).set(bearer(again.body.access_token)).expect(200);
    const last = await post('/auth/login', id()).send(credentials).expect(200);
    for (const body of [first.body, forced.body, refreshed.body, again.body, last.body]) {
      secrets.push(body.access_token, body.refresh_token);
    }

    const sid = (token: string) =>
      (JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as { sid: string }).sid;
    const events = await allEvents(last.body.access_token);
    expect(events.map((event) => [event.action, event.outcome, event.meta])).toEqual(
      [
        ['signup', 'success', {}],
        ['email.verify.sent', 'success', { sent: true }],
        ['email.verify', 'success', {}],
        ['login.failed', 'failure', { status: 401, code: 'INVALID_CREDENTIALS' }],
        ['login', 'success', { session_id: sid(first.body.access_token), forced: false }],
        ['login.failed', 'failure', { status: 409, code: 'SESSION_ACTIVE' }],
        ['login', 'success', { session_id: sid(forced.body.access_token), forced: true }],
        ['session.replaced', 'success', { session_id: sid(first.body.access_token) }],
        ['token.refresh', 'success', { session_id: sid(forced.body.access_token) }],
        [
          'token.refresh',
          'failure',
          { session_id: sid(forced.body.access_token), status: 401, code: 'SESSION_REVOKED' },
        ],
        ['token.reuse', 'failure', { session_id: sid(forced.body.access_token) }],
        ['login', 'success', { session_id: sid(again.body.access_token), forced: false }],
        ['logout', 'success', { session_id: sid(again.body.access_token) }],
        ['login', 'success', { session_id: sid(last.body.access_token), forced: false }],
      ].reverse(),
    );
    for (const event of events) {
      expect(event).toEqual({
        id: expect.any(Number),
        action: expect.any(String),
        outcome: expect.any(String),
        ip: expect.stringMatching(/127\.0\.0\.1/),
        user_agent: AGENT,
        created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        meta: expect.any(Object),
      });
    }
    const times = events.map((event) => Date.parse(event.created_at));
    expect(Math.abs(times[0] - Date.now())).toBeLessThan(60_000);

    // In the table: each request's rows carry its request id and the user; the refused logout
    // is written too, without a user (its token was refused).
    const reuseRows = await rowsOf(reuseId);
    expect(reuseRows.map((row) => [row.action, row.user_id])).toEqual([
      ['token.refresh', userId],
      ['token.reuse', userId],
    ]);
    const refused = await rowsOf(refusedLogoutId);
    expect(refused.map((row) => [row.action, row.outcome, row.user_id])).toEqual([
      ['logout', 'failure', null],
    ]);
    expect(JSON.parse(refused[0].meta ?? '{}')).toEqual({ status: 401, code: 'SESSION_REVOKED' });
    expect((await rows()).filter((row) => row.user_id === userId)).toHaveLength(events.length);

    // Nothing secret anywhere in the table: not the password, not a token, not a token's hash.
    const table = JSON.stringify(await rows());
    for (const secret of secrets) {
      expect(secret.length).toBeGreaterThan(8);
      expect(table).not.toContain(secret);
      expect(table).not.toContain(sha256(secret));
      // A refresh token starts with its (not secret) session id; its other parts must not show.
      const parts = secret.split('.').filter((piece) => !/^[0-9a-f-]{36}$/.test(piece));
      for (const part of parts.filter((piece) => piece.length > 20)) {
        expect(table).not.toContain(part);
      }
    }

    const verdict = await t.app.get(AuditService).verifyChain();
    expect(verdict).toEqual({ ok: true, count: (await rows()).length });
  });

  it('writes the password events: forgot, reset (with a failed attempt) and change', async () => {
    const user = await loggedInUser(t);
    const email = user.identity.email;
    await t.http.post('/password/forgot').send({ email }).expect(202);
    const resetToken = tokenIn(await t.smtp.waitForMail(email, /Reset your password/));
    await t.http
      .post('/password/reset')
      .send({ token: `${resetToken}x`, new_password: NEW_PASSWORD })
      .expect(400);
    await t.http
      .post('/password/reset')
      .send({ token: resetToken, new_password: NEW_PASSWORD })
      .expect(200);
    const login = await t.http
      .post('/auth/login')
      .send({ email, password: NEW_PASSWORD })
      .expect(200);
    await t.http
      .post('/password/change')
      .set(bearer(login.body.access_token))
      .send({ current_password: GOOD_PASSWORD, new_password: CHANGED_PASSWORD })
      .expect(401);
    await t.http
      .post('/password/change')
      .set(bearer(login.body.access_token))
      .send({ current_password: NEW_PASSWORD, new_password: CHANGED_PASSWORD })
      .expect(200);

    const events = await allEvents(login.body.access_token);
    expect(events.slice(0, 6).map((event) => [event.action, event.outcome])).toEqual([
      ['password.change', 'success'],
      ['password.change', 'failure'],
      ['login', 'success'],
      ['password.reset', 'success'],
      ['password.forgot', 'success'],
      ['login', 'success'],
    ]);
    expect(events[1].meta).toMatchObject({ code: 'INVALID_CREDENTIALS', status: 401 });
    // The reset attempt with a bad token could not name the account: it is in the table only.
    const failedReset = (await rows()).filter(
      (row) => row.action === 'password.reset' && row.outcome === 'failure',
    );
    expect(failedReset.map((row) => [row.user_id, JSON.parse(row.meta ?? '{}').code])).toEqual([
      [null, 'INVALID_TOKEN'],
    ]);
    const table = JSON.stringify(await rows());
    for (const secret of [NEW_PASSWORD, CHANGED_PASSWORD, resetToken, login.body.refresh_token]) {
      expect(table).not.toContain(secret);
    }
    expect(await t.app.get(AuditService).verifyChain()).toMatchObject({ ok: true });
  });

  it("shows only the caller's own events", async () => {
    const ada = await loggedInUser(t);
    const bob = await loggedInUser(t);
    const adaIds = (await allEvents(ada.accessToken)).map((event) => event.id);
    const bobIds = (await allEvents(bob.accessToken)).map((event) => event.id);
    expect(adaIds).toHaveLength(3);
    expect(bobIds).toHaveLength(3);
    expect(adaIds.filter((eventId) => bobIds.includes(eventId))).toEqual([]);
  });

  it('pages newest first with an opaque cursor, null at the end', async () => {
    const user = await loggedInUser(t);
    for (let i = 0; i < 4; i += 1) {
      await t.http
        .post('/auth/login')
        .send({ email: user.identity.email, password: 'not-the-password' })
        .expect(401);
    }
    const all = await allEvents(user.accessToken);
    expect(all).toHaveLength(7);
    const ids = all.map((event) => event.id);
    expect([...ids].sort((a, b) => b - a)).toEqual(ids);

    const seen: number[] = [];
    const sizes: number[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor === null ? 'limit=3' : `limit=3&cursor=${cursor}`;
      const page = await t.http.get(`/audit/me?${query}`).set(bearer(user.accessToken)).expect(200);
      sizes.push(page.body.items.length);
      seen.push(...page.body.items.map((item: Item) => item.id));
      cursor = page.body.next_cursor;
    } while (cursor !== null);
    expect(sizes).toEqual([3, 3, 1]);
    expect(seen).toEqual(ids);

    const defaults = await t.http.get('/audit/me').set(bearer(user.accessToken)).expect(200);
    expect(defaults.body.items).toHaveLength(7);
  });

  it.each([
    'limit=0',
    'limit=101',
    'limit=abc',
    'limit=2.5',
    'cursor=abc',
    'cursor=0',
    'cursor=-3',
    'other=1',
  ])('refuses %s with a 400 problem', async (query) => {
    const user = await loggedInUser(t);
    const response = await t.http
      .get(`/audit/me?${query}`)
      .set(bearer(user.accessToken))
      .expect(400);
    expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(response.body).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
  });

  it('needs a bearer token', async () => {
    const response = await t.http.get('/audit/me').expect(401);
    expect(response.body.code).toBe('TOKEN_INVALID');
  });

  it('echoes a well-formed X-Request-Id into the answer and the row, and replaces a bad one', async () => {
    const email = newIdentity().email;
    const good = await t.http
      .post('/verify/send')
      .set('X-Request-Id', 'client-req.42:a_b-c')
      .send({ email })
      .expect(202);
    expect(good.headers['x-request-id']).toBe('client-req.42:a_b-c');
    expect((await rowsOf('client-req.42:a_b-c')).map((row) => row.action)).toEqual([
      'email.verify.sent',
    ]);

    for (const bad of ['has spaces in it', 'x'.repeat(65), 'semi;colon']) {
      const response = await t.http
        .post('/verify/send')
        .set('X-Request-Id', bad)
        .send({ email })
        .expect(202);
      const assigned = response.headers['x-request-id'];
      expect(assigned).toMatch(/^[0-9a-f-]{36}$/);
      expect(await rowsOf(bad)).toEqual([]);
      expect((await rowsOf(assigned)).map((row) => row.action)).toEqual(['email.verify.sent']);
    }
  });
});
