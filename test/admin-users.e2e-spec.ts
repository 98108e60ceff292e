import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { MailService } from '../src/mail/mail.service';
import { loggedInAdmin } from './support/admin';
import { bearer, loggedInUser, newIdentity, signUp, verifiedUser } from './support/factories';
import {
  expectFieldRefused,
  expectNoLeak,
  expectProblem,
  INJECTION_STRINGS,
} from './support/hostile';
import { tokenIn } from './support/smtp-peer';
import { startTestApp, TestApp } from './support/test-app';

const RESET_SUBJECT = /reset/i;

describe('the admin API: accounts', () => {
  let t: TestApp;
  let admin: Awaited<ReturnType<typeof loggedInAdmin>>;
  const asAdmin = () => bearer(admin.accessToken);

  beforeAll(async () => {
    t = await startTestApp();
    admin = await loggedInAdmin(t);
  });
  afterAll(() => t.close());

  describe('GET /admin/users', () => {
    it('finds accounts by email or username prefix, newest first, page by page', async () => {
      const tag = `srch${Date.now().toString(36)}`;
      const made = [];
      for (let i = 0; i < 3; i += 1) made.push(await verifiedUser(t, newIdentity(`${tag}${i}`)));
      const byEmail = await t.http
        .get('/admin/users')
        .query({ query: `${tag.toUpperCase()}`, limit: 2 })
        .set(asAdmin())
        .expect(200);
      expect(byEmail.body.items.map((item: { id: string }) => item.id)).toEqual([
        made[2].userId,
        made[1].userId,
      ]);
      expect(byEmail.body.items[0]).toEqual({
        id: made[2].userId,
        username: made[2].identity.username,
        email: made[2].identity.email,
        is_verified: true,
        status: 'active',
        roles: ['user'],
        created_at: expect.any(String),
        last_login_at: null,
      });
      const next = await t.http
        .get('/admin/users')
        .query({ query: tag, limit: 2, cursor: byEmail.body.next_cursor })
        .set(asAdmin())
        .expect(200);
      expect(next.body).toEqual({
        items: [expect.objectContaining({ id: made[0].userId })],
        next_cursor: null,
      });
      // The username prefix, whatever its case (emails here start with the same tag).
      const byName = await t.http
        .get('/admin/users')
        .query({ query: made[1].identity.username.toUpperCase() })
        .set(asAdmin())
        .expect(200);
      expect(byName.body.items.map((item: { id: string }) => item.id)).toEqual([made[1].userId]);
    });

    it('takes LIKE wildcards literally', async () => {
      await verifiedUser(t);
      for (const query of ['%', '_', '!%']) {
        const found = await t.http.get('/admin/users').query({ query }).set(asAdmin()).expect(200);
        expect(found.body.items).toEqual([]);
      }
    });

    it('filters by status and role, and shows roles and the last login', async () => {
      const disabled = await verifiedUser(t);
      await t.http
        .post(`/admin/users/${disabled.userId}/disable`)
        .send({ reason: 'test' })
        .set(asAdmin())
        .expect(200);
      const onlyDisabled = await t.http
        .get('/admin/users')
        .query({ status: 'disabled', limit: 100 })
        .set(asAdmin())
        .expect(200);
      const statuses = onlyDisabled.body.items.map((item: { status: string }) => item.status);
      expect(new Set(statuses)).toEqual(new Set(['disabled']));
      expect(onlyDisabled.body.items.map((item: { id: string }) => item.id)).toContain(
        disabled.userId,
      );

      const admins = await t.http
        .get('/admin/users')
        .query({ role: 'admin', query: admin.identity.email })
        .set(asAdmin())
        .expect(200);
      expect(admins.body.items).toEqual([
        expect.objectContaining({
          id: admin.userId,
          roles: ['user', 'admin'],
          last_login_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        }),
      ]);
      const plain = await t.http
        .get('/admin/users')
        .query({ role: 'admin', query: disabled.identity.email })
        .set(asAdmin())
        .expect(200);
      expect(plain.body.items).toEqual([]);
    });

    it.each([
      ['status', { status: 'locked' }],
      ['role', { role: 'root' }],
      ['limit', { limit: 0 }],
      ['limit', { limit: 101 }],
      ['cursor', { cursor: "1' OR 1=1 --" }],
      ['query', { query: 'x'.repeat(255) }],
    ])('refuses a bad %s with 400', async (field, query) => {
      const response = await t.http.get('/admin/users').query(query).set(asAdmin());
      expectFieldRefused(response, field);
    });
  });

  describe('GET /admin/users/{id}', () => {
    it('shows the account, its roles, its active session and two-factor as off', async () => {
      const user = await loggedInUser(t);
      const response = await t.http.get(`/admin/users/${user.userId}`).set(asAdmin()).expect(200);
      expect(response.body).toEqual({
        id: user.userId,
        username: user.identity.username,
        email: user.identity.email,
        is_verified: true,
        status: 'active',
        roles: ['user'],
        created_at: expect.any(String),
        last_login_at: expect.any(String),
        active_session: {
          id: expect.any(String),
          created_at: expect.any(String),
          expires_at: expect.any(String),
          last_seen_at: expect.any(String),
          ip: expect.any(String),
          user_agent: null,
          mfa: false,
        },
        mfa: { enabled: false },
      });
      await t.http.post('/auth/logout').set(bearer(user.accessToken)).expect(200);
      const after = await t.http.get(`/admin/users/${user.userId}`).set(asAdmin()).expect(200);
      expect(after.body.active_session).toBeNull();
    });

    it('answers 404 USER_NOT_FOUND for an unknown id', async () => {
      const response = await t.http
        .get('/admin/users/00000000-0000-4000-8000-000000000000')
        .set(asAdmin());
      expectProblem(response, 404, 'USER_NOT_FOUND');
    });

    it.each([
      ...INJECTION_STRINGS.filter((s) => !s.includes('\u0000')),
      '..%2F..%2Fetc%2Fpasswd',
      '%2e%2e',
      'x'.repeat(100),
      'x'.repeat(5000),
      '00000000-0000-4000-8000-00000000000G',
      'C64A00BB-0000-4000-8000-000000000000',
    ])(
      'answers 400 or 404 (414 for a URL over the limit), never 500, for hostile id #%#',
      async (id) => {
        const path = `/admin/users/${id.length > 200 ? id : encodeURIComponent(id)}`;
        for (const call of [
          t.http.get(path),
          t.http.post(`${path}/disable`).send({ reason: 'x' }),
          t.http.delete(path),
          t.http.put(`${path}/roles`).send({ roles: ['user'] }),
        ]) {
          const response = await call.set(asAdmin());
          expect(id.length > 4000 ? [414] : [400, 404]).toContain(response.status);
          expectNoLeak(response);
        }
      },
    );
  });

  describe('POST /admin/users/{id}/disable and /enable', () => {
    it('ends the session at once, refuses its tokens, its login (after the password) and its reset mail', async () => {
      const user = await loggedInUser(t);
      const done = await t.http
        .post(`/admin/users/${user.userId}/disable`)
        .send({ reason: 'compromised' })
        .set(asAdmin())
        .expect(200);
      expect(done.body).toEqual({ status: 'success', message: 'Account disabled' });

      const token = await t.http.get('/users/me').set(bearer(user.accessToken));
      expectProblem(token, 401, 'SESSION_REVOKED');
      const refresh = await t.http.post('/auth/refresh').send({ refresh_token: user.refreshToken });
      expect(refresh.status).toBe(401);
      const login = await t.http
        .post('/auth/login')
        .send({ email: user.identity.email, password: user.identity.password });
      expectProblem(login, 403, 'ACCOUNT_DISABLED');
      const wrong = await t.http
        .post('/auth/login')
        .send({ email: user.identity.email, password: 'Wrong-Lantern-Orbit-41' });
      expectProblem(wrong, 401, 'INVALID_CREDENTIALS');

      const unknown = newIdentity('nobody').email;
      const forgot = await t.http.post('/password/forgot').send({ email: user.identity.email });
      const missing = await t.http.post('/password/forgot').send({ email: unknown });
      expect([forgot.status, forgot.text]).toEqual([202, missing.text]);
      const resend = await t.http.post('/verify/send').send({ email: user.identity.email });
      expect(resend.status).toBe(202);
      await t.app.get(MailService).drain();
      expect(
        t.smtp.mailsTo(user.identity.email).filter((m) => RESET_SUBJECT.test(m.subject)),
      ).toEqual([]);

      const again = await t.http
        .post(`/admin/users/${user.userId}/disable`)
        .send({ reason: 'again' })
        .set(asAdmin())
        .expect(200);
      expect(again.body.message).toBe('Account was already disabled');

      const enabled = await t.http
        .post(`/admin/users/${user.userId}/enable`)
        .set(asAdmin())
        .expect(200);
      expect(enabled.body).toEqual({ status: 'success', message: 'Account enabled' });
      await t.http
        .post('/auth/login')
        .send({ email: user.identity.email, password: user.identity.password })
        .expect(200);
    });

    it('refuses a disable without a reason, or with unknown fields', async () => {
      const user = await verifiedUser(t);
      for (const body of [{}, { reason: '' }, { reason: 'x'.repeat(501) }, { reason: 42 }]) {
        expectFieldRefused(
          await t.http.post(`/admin/users/${user.userId}/disable`).send(body).set(asAdmin()),
          'reason',
        );
      }
      expectFieldRefused(
        await t.http
          .post(`/admin/users/${user.userId}/disable`)
          .send({ reason: 'x', status: 'active' })
          .set(asAdmin()),
        'status',
      );
    });

    it('a login racing a disable never leaves a live session', async () => {
      for (let round = 0; round < 5; round += 1) {
        const user = await verifiedUser(t);
        const [login] = await Promise.all([
          t.http
            .post('/auth/login')
            .send({ email: user.identity.email, password: user.identity.password }),
          t.http
            .post(`/admin/users/${user.userId}/disable`)
            .send({ reason: 'race' })
            .set(asAdmin())
            .expect(200),
        ]);
        expect([200, 403]).toContain(login.status);
        if (login.status === 200) {
          const me = await t.http.get('/users/me').set(bearer(login.body.access_token));
          expectProblem(me, 401, 'SESSION_REVOKED');
        }
        const detail = await t.http.get(`/admin/users/${user.userId}`).set(asAdmin()).expect(200);
        expect(detail.body.active_session).toBeNull();
      }
    });
  });

  describe('POST /admin/users/{id}/sessions/revoke', () => {
    it('ends the active session; the account may log in again', async () => {
      const user = await loggedInUser(t);
      const response = await t.http
        .post(`/admin/users/${user.userId}/sessions/revoke`)
        .set(asAdmin())
        .expect(200);
      expect(response.body).toEqual({ status: 'success', message: 'Session revoked' });
      expectProblem(
        await t.http.get('/users/me').set(bearer(user.accessToken)),
        401,
        'SESSION_REVOKED',
      );
      const none = await t.http
        .post(`/admin/users/${user.userId}/sessions/revoke`)
        .set(asAdmin())
        .expect(200);
      expect(none.body.message).toBe('No active session');
      await t.http
        .post('/auth/login')
        .send({ email: user.identity.email, password: user.identity.password })
        .expect(200);
    });
  });

  describe('PUT /admin/users/{id}/roles', () => {
    it('applies a promotion and a demotion on the next request, with the same token', async () => {
      const user = await loggedInUser(t);
      expectProblem(
        await t.http.get('/admin/users').set(bearer(user.accessToken)),
        403,
        'FORBIDDEN',
      );
      const promoted = await t.http
        .put(`/admin/users/${user.userId}/roles`)
        .send({ roles: ['admin'] })
        .set(asAdmin())
        .expect(200);
      expect(promoted.body).toEqual({ id: user.userId, roles: ['user', 'admin'] });
      await t.http.get('/admin/users').set(bearer(user.accessToken)).expect(200);

      const demoted = await t.http
        .put(`/admin/users/${user.userId}/roles`)
        .send({ roles: ['user'] })
        .set(asAdmin())
        .expect(200);
      expect(demoted.body).toEqual({ id: user.userId, roles: ['user'] });
      expectProblem(
        await t.http.get('/admin/users').set(bearer(user.accessToken)),
        403,
        'FORBIDDEN',
      );
      // The session itself is untouched.
      await t.http.get('/users/me').set(bearer(user.accessToken)).expect(200);
    });

    it.each([
      { roles: ['root'] },
      { roles: ['Admin'] },
      { roles: ['admin', 'admin'] },
      { roles: 'admin' },
      { roles: [{ name: 'admin' }] },
      { roles: ['user', 'admin', 'user'] },
      {},
    ])('refuses %p with 400', async (body) => {
      const user = await verifiedUser(t);
      const response = await t.http
        .put(`/admin/users/${user.userId}/roles`)
        .send(body)
        .set(asAdmin());
      expectFieldRefused(response, 'roles');
      const detail = await t.http.get(`/admin/users/${user.userId}`).set(asAdmin()).expect(200);
      expect(detail.body.roles).toEqual(['user']);
    });
  });

  it('PUT /admin/users/{id}/roles refuses a field it does not know', async () => {
    const user = await verifiedUser(t);
    expectFieldRefused(
      await t.http
        .put(`/admin/users/${user.userId}/roles`)
        .send({ roles: ['admin'], extra: 1 })
        .set(asAdmin()),
      'extra',
    );
  });

  describe('mails an admin sends', () => {
    it('resends the verification mail to an unverified account; a verified one answers 409', async () => {
      const { identity, userId } = await signUp(t);
      const response = await t.http
        .post(`/admin/users/${userId}/verification-email`)
        .set(asAdmin())
        .expect(202);
      expect(response.body).toEqual({ status: 'accepted', message: 'Verification email sent' });
      const mails = await t.smtp.waitForMails(identity.email, 2, /Confirm/);
      await t.http
        .post('/verify/confirm')
        .send({ token: tokenIn(mails[1]) })
        .expect(200);
      const again = await t.http.post(`/admin/users/${userId}/verification-email`).set(asAdmin());
      expectProblem(again, 409, 'ALREADY_VERIFIED');
    });

    it('mails a reset link the user can use; the admin sees no token', async () => {
      const user = await loggedInUser(t);
      const response = await t.http
        .post(`/admin/users/${user.userId}/password-reset`)
        .set(asAdmin())
        .expect(202);
      expect(response.body).toEqual({ status: 'accepted', message: 'Password reset email sent' });
      const mail = await t.smtp.waitForMail(user.identity.email, RESET_SUBJECT);
      expectNoLeak(response, tokenIn(mail));
      await t.http
        .post('/password/reset')
        .send({ token: tokenIn(mail), new_password: 'Brand-New-Lantern-77' })
        .expect(200);
      await t.http
        .post('/auth/login')
        .send({ email: user.identity.email, password: 'Brand-New-Lantern-77' })
        .expect(200);
    });

    it('refuses a body on routes that take none', async () => {
      const user = await verifiedUser(t);
      for (const path of ['enable', 'sessions/revoke', 'verification-email', 'password-reset']) {
        const response = await t.http
          .post(`/admin/users/${user.userId}/${path}`)
          .send({ password: 'x' })
          .set(asAdmin());
        expectFieldRefused(response, 'password');
      }
    });
  });

  describe('DELETE /admin/users/{id}', () => {
    it('deletes the account: its token is refused, its email and username are free, its audit rows stay', async () => {
      const user = await loggedInUser(t);
      await t.http.delete(`/admin/users/${user.userId}`).set(asAdmin()).expect(200);
      expect((await t.http.get('/users/me').set(bearer(user.accessToken))).status).toBe(401);
      expectProblem(
        await t.http.get(`/admin/users/${user.userId}`).set(asAdmin()),
        404,
        'USER_NOT_FOUND',
      );
      expectProblem(
        await t.http.delete(`/admin/users/${user.userId}`).set(asAdmin()),
        404,
        'USER_NOT_FOUND',
      );
      const login = await t.http
        .post('/auth/login')
        .send({ email: user.identity.email, password: user.identity.password });
      expectProblem(login, 401, 'INVALID_CREDENTIALS');
      await t.http.post('/auth/signup').send(user.identity).expect(201);

      const trail = await t.http
        .get('/admin/audit')
        .query({ user_id: user.userId, limit: 100 })
        .set(asAdmin())
        .expect(200);
      const actions = trail.body.items.map((item: { action: string }) => item.action);
      expect(actions).toEqual(expect.arrayContaining(['admin.user.delete', 'login', 'signup']));
      const verify = await t.http.get('/health/ready');
      expect(verify.status).toBe(200);
    });
  });

  describe('audit rows of admin calls', () => {
    it('name the admin as actor_id and the account acted on as user_id, refusals included', async () => {
      const user = await loggedInUser(t);
      await t.http
        .post(`/admin/users/${user.userId}/disable`)
        .send({ reason: 'audit check' })
        .set(asAdmin())
        .expect(200);
      await t.http.get('/admin/audit').set(bearer(user.accessToken)).expect(401);
      const outsider = await loggedInUser(t);
      await t.http.get(`/admin/users/${user.userId}`).set(bearer(outsider.accessToken)).expect(403);

      const rows = await t.http
        .get('/admin/audit')
        .query({ user_id: user.userId, limit: 100 })
        .set(asAdmin())
        .expect(200);
      const disable = rows.body.items.find(
        (item: { action: string }) => item.action === 'admin.user.disable',
      );
      expect(disable).toMatchObject({
        user_id: user.userId,
        actor_id: admin.userId,
        outcome: 'success',
        meta: { reason: 'audit check', changed: true, sessions_revoked: 1 },
      });
      const refused = rows.body.items.find(
        (item: { action: string; outcome: string }) =>
          item.action === 'admin.user.view' && item.outcome === 'failure',
      );
      expect(refused).toMatchObject({
        user_id: user.userId,
        actor_id: outsider.userId,
        meta: { status: 403, code: 'FORBIDDEN' },
      });
    });

    it('filters by action, outcome and time, newest first, page by page', async () => {
      const from = new Date().toISOString();
      const user = await verifiedUser(t);
      for (let i = 0; i < 3; i += 1)
        await t.http.get(`/admin/users/${user.userId}`).set(asAdmin()).expect(200);
      const first = await t.http
        .get('/admin/audit')
        .query({ action: 'admin.user.view', outcome: 'success', from, limit: 2 })
        .set(asAdmin())
        .expect(200);
      expect(first.body.items).toHaveLength(2);
      expect(first.body.items[0].id).toBeGreaterThan(first.body.items[1].id);
      const rest = await t.http
        .get('/admin/audit')
        .query({
          action: 'admin.user.view',
          outcome: 'success',
          from,
          limit: 2,
          cursor: first.body.next_cursor,
        })
        .set(asAdmin())
        .expect(200);
      expect(rest.body.items.length).toBeGreaterThanOrEqual(1);
      const future = await t.http
        .get('/admin/audit')
        .query({ from: new Date(Date.now() + 3_600_000).toISOString() })
        .set(asAdmin())
        .expect(200);
      expect(future.body).toEqual({ items: [], next_cursor: null });
      const before = await t.http
        .get('/admin/audit')
        .query({ to: from, action: 'admin.user.view', user_id: user.userId })
        .set(asAdmin())
        .expect(200);
      expect(before.body.items).toEqual([]);
    });

    it.each([
      ['user_id', { user_id: "' OR 1=1 --" }],
      ['action', { action: 'x'.repeat(41) }],
      ['outcome', { outcome: 'maybe' }],
      ['from', { from: 'yesterday' }],
      ['to', { to: '2026-13-45T00:00:00Z' }],
      ['cursor', { cursor: '-1' }],
    ])('refuses a bad %s with 400', async (field, query) => {
      expectFieldRefused(await t.http.get('/admin/audit').query(query).set(asAdmin()), field);
    });
  });

  it('leaves an audit chain that npm run audit:verify still verifies, actor_id included', async () => {
    const user = await verifiedUser(t);
    await t.http.get(`/admin/users/${user.userId}`).set(asAdmin()).expect(200);
    const { stdout } = await promisify(execFile)('npm', ['run', '-s', 'audit:verify'], {
      cwd: join(__dirname, '..'),
      env: process.env,
      timeout: 60_000,
    });
    expect(stdout).toMatch(/^OK: \d+ audit rows verified\n$/);
  }, 60_000);

  it('refuses `roles` in a signup body (400), and the account made is no admin', async () => {
    const identity = newIdentity();
    const response = await t.http.post('/auth/signup').send({ ...identity, roles: ['admin'] });
    expectFieldRefused(response, 'roles');
    const password = await t.http
      .post('/password/change')
      .set(asAdmin())
      .send({ current_password: 'x', new_password: 'Quiet-Lantern-Orbit-43', roles: ['admin'] });
    expectFieldRefused(password, 'roles');
  });
});
