import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { loggedInAdmin } from './support/admin';
import { bearer, loggedInUser, newIdentity } from './support/factories';
import { expectProblem } from './support/hostile';
import { startTestApp, TestApp } from './support/test-app';

const run = promisify(execFile);
const ROOT = join(__dirname, '..');

/** `npm run admin:<command> -- <email>`, run as an operator would, on the test app's database. */
async function adminCommand(command: 'grant' | 'revoke', email: string) {
  try {
    const { stdout, stderr } = await run('npm', ['run', '-s', `admin:${command}`, '--', email], {
      cwd: ROOT,
      env: process.env,
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/** Each describe has an app of its own: who is the last admin depends on every account in it. */
describe('the last admin', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('cannot be demoted, disabled or deleted (409 LAST_ADMIN), by an admin or by itself', async () => {
    const only = await loggedInAdmin(t);
    const own = `/admin/users/${only.userId}`;
    const asOnly = bearer(only.accessToken);
    expectProblem(
      await t.http
        .put(`${own}/roles`)
        .send({ roles: ['user'] })
        .set(asOnly),
      409,
      'LAST_ADMIN',
    );
    expectProblem(
      await t.http.post(`${own}/disable`).send({ reason: 'x' }).set(asOnly),
      409,
      'LAST_ADMIN',
    );
    expectProblem(await t.http.delete(own).set(asOnly), 409, 'LAST_ADMIN');
    expectProblem(
      await t.http.delete('/users/me').send({ password: only.identity.password }).set(asOnly),
      409,
      'LAST_ADMIN',
    );
    const still = await t.http.get(own).set(asOnly).expect(200);
    expect(still.body).toMatchObject({ status: 'active', roles: ['user', 'admin'] });
  });

  it('of two admins demoting each other at once, exactly one wins', async () => {
    const first = await loggedInAdmin(t);
    const second = await loggedInAdmin(t);
    // Leave exactly these two as active admins.
    const others = await t.http
      .get('/admin/users')
      .query({ role: 'admin', status: 'active', limit: 100 })
      .set(bearer(first.accessToken))
      .expect(200);
    for (const other of others.body.items as Array<{ id: string }>) {
      if (other.id !== first.userId && other.id !== second.userId)
        await t.http
          .post(`/admin/users/${other.id}/disable`)
          .send({ reason: 'setup' })
          .set(bearer(first.accessToken))
          .expect(200);
    }
    const answers = await Promise.all([
      t.http
        .put(`/admin/users/${second.userId}/roles`)
        .send({ roles: [] })
        .set(bearer(first.accessToken)),
      t.http
        .put(`/admin/users/${first.userId}/roles`)
        .send({ roles: [] })
        .set(bearer(second.accessToken)),
    ]);
    const statuses = answers.map((answer) => answer.status).sort();
    // The loser is refused either as the last admin, or because it is no admin any more.
    expect(statuses[0]).toBe(200);
    expect([403, 409]).toContain(statuses[1]);
    const admins = await t.http
      .get('/admin/users')
      .query({ role: 'admin', status: 'active' })
      .set(bearer((answers[0].status === 200 ? first : second).accessToken))
      .expect(200);
    expect(admins.body.items).toHaveLength(1);
  });
});

describe('DELETE /users/me', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('with a wrong password answers 401 INVALID_CREDENTIALS and changes nothing', async () => {
    const user = await loggedInUser(t);
    const response = await t.http
      .delete('/users/me')
      .send({ password: 'Wrong-Lantern-Orbit-41' })
      .set(bearer(user.accessToken));
    expectProblem(response, 401, 'INVALID_CREDENTIALS');
    await t.http.get('/users/me').set(bearer(user.accessToken)).expect(200);
  });

  it.each([{}, { password: '' }, { password: 42 }, { password: 'x', confirm: true }])(
    'refuses the body %p with 400',
    async (body) => {
      const user = await loggedInUser(t);
      const response = await t.http.delete('/users/me').send(body).set(bearer(user.accessToken));
      expectProblem(response, 400, 'VALIDATION_FAILED');
      await t.http.get('/users/me').set(bearer(user.accessToken)).expect(200);
    },
  );

  it('deletes the account: its tokens stop, its email and username are free, its audit rows stay', async () => {
    const admin = await loggedInAdmin(t);
    const user = await loggedInUser(t);
    const response = await t.http
      .delete('/users/me')
      .send({ password: user.identity.password })
      .set(bearer(user.accessToken))
      .expect(200);
    expect(response.body).toEqual({ status: 'success', message: 'Account deleted' });
    expect((await t.http.get('/users/me').set(bearer(user.accessToken))).status).toBe(401);
    expect(
      (await t.http.post('/auth/refresh').send({ refresh_token: user.refreshToken })).status,
    ).toBe(401);
    expectProblem(
      await t.http
        .post('/auth/login')
        .send({ email: user.identity.email, password: user.identity.password }),
      401,
      'INVALID_CREDENTIALS',
    );
    await t.http.post('/auth/signup').send(user.identity).expect(201);

    const trail = await t.http
      .get('/admin/audit')
      .query({ user_id: user.userId })
      .set(bearer(admin.accessToken))
      .expect(200);
    expect(trail.body.items[0]).toMatchObject({
      action: 'account.delete',
      outcome: 'success',
      user_id: user.userId,
      actor_id: null,
    });
  });

  it('of parallel deletions with one token, exactly one succeeds', async () => {
    const user = await loggedInUser(t);
    const answers = await Promise.all(
      Array.from({ length: 5 }, () =>
        t.http
          .delete('/users/me')
          .send({ password: user.identity.password })
          .set(bearer(user.accessToken)),
      ),
    );
    const statuses = answers.map((answer) => answer.status).sort();
    expect(statuses).toEqual([200, 401, 401, 401, 401]);
    for (const refused of answers.filter((answer) => answer.status === 401))
      // Refused in the handler (the account went meanwhile) or, arriving later, by the guard.
      expect(['SESSION_REVOKED', 'TOKEN_INVALID']).toContain(refused.body.code);
  });
});

describe('npm run admin:grant / admin:revoke', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('grants admin to an account: its live session gets admin on its next request', async () => {
    const user = await loggedInUser(t);
    expectProblem(await t.http.get('/admin/users').set(bearer(user.accessToken)), 403, 'FORBIDDEN');

    const granted = await adminCommand('grant', user.identity.email.toUpperCase());
    expect(granted).toMatchObject({ code: 0, stderr: '' });
    expect(granted.stdout).toBe(
      `granted admin to ${user.identity.email} (id ${user.userId}); roles now: user, admin\n`,
    );
    await t.http.get('/admin/users').set(bearer(user.accessToken)).expect(200);

    const again = await adminCommand('grant', user.identity.email);
    expect(again.stdout).toContain(`${user.identity.email} is already admin; nothing changed`);

    const trail = await t.http
      .get('/admin/audit')
      .query({ user_id: user.userId, action: 'admin.grant' })
      .set(bearer(user.accessToken))
      .expect(200);
    expect(trail.body.items).toHaveLength(2);
    expect(trail.body.items[1]).toMatchObject({
      actor_id: null,
      outcome: 'success',
      meta: { via: 'cli', changed: true, roles: 'user,admin' },
    });

    // The only admin: the CLI refuses too.
    const last = await adminCommand('revoke', user.identity.email);
    expect(last.code).toBe(1);
    expect(last.stderr).toContain('LAST_ADMIN');

    const other = await loggedInUser(t);
    expect((await adminCommand('grant', other.identity.email)).code).toBe(0);
    const revoked = await adminCommand('revoke', user.identity.email);
    expect(revoked).toMatchObject({ code: 0 });
    expect(revoked.stdout).toContain(`revoked admin from ${user.identity.email}`);
    expectProblem(await t.http.get('/admin/users').set(bearer(user.accessToken)), 403, 'FORBIDDEN');
  }, 120_000);

  it('names an unknown email and exits 1; misuse exits 2', async () => {
    const email = newIdentity('nobody').email;
    const unknown = await adminCommand('grant', email);
    expect(unknown).toMatchObject({ code: 1, stdout: '' });
    expect(unknown.stderr).toContain(`admin:grant: no account has the email ${email}`);
    const misuse = await adminCommand('grant', '');
    expect(misuse.code).toBe(2);
    expect(misuse.stderr).toContain('usage: npm run admin:grant');
  }, 60_000);
});
