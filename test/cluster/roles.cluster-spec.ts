import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { Cluster } from './harness';

/**
 * Roles ride with the session in the guard's exact Redis copy: a role change on one instance
 * (or from the admin CLI) holds on the other from its next request, though both had the old
 * roles cached.
 */
describe('several instances: roles and disabled accounts', () => {
  let c: Cluster;

  beforeAll(async () => {
    c = await Cluster.start();
  }, 120_000);

  afterAll(async () => {
    await c?.close();
  });

  /** `npm run admin:grant -- <email>`, as an operator runs it against the cluster's stores. */
  function grantAdmin(email: string): string {
    return execFileSync('npm', ['run', '-s', 'admin:grant', '--', email], {
      cwd: join(__dirname, '..', '..'),
      env: { PATH: process.env.PATH ?? '', ...c.env },
      encoding: 'utf8',
      timeout: 60_000,
    });
  }

  /** What B, then A, answer the token on an admin route: [instance, status, code]. */
  async function adminListOnBoth(token: string) {
    const answers = [];
    for (const instance of [c.b, c.a]) {
      const reply = await instance.call('GET', '/admin/users', { token });
      answers.push([instance.name, reply.status, reply.body.code]);
    }
    return answers;
  }

  const FORBIDDEN_ON_BOTH = [
    ['B', 403, 'FORBIDDEN'],
    ['A', 403, 'FORBIDDEN'],
  ];

  it('an admin demoted on A loses access on B (and A) on the next request', async () => {
    const root = await c.loggedInUser(c.a);
    expect(grantAdmin(root.email)).toContain(`granted admin to ${root.email}`);
    const user = await c.loggedInUser(c.b);
    // Both instances have read (and cached) the user's session with its old roles.
    expect(await adminListOnBoth(user.token)).toEqual(FORBIDDEN_ON_BOTH);
    // Promoted by the CLI: every instance sees it on the next request.
    expect(grantAdmin(user.email)).toContain('granted admin');
    expect(await adminListOnBoth(user.token)).toEqual([
      ['B', 200, undefined],
      ['A', 200, undefined],
    ]);

    const { body: me } = await c.b.call('GET', '/users/me', { token: user.token });
    const demoted = await c.a.call('PUT', `/admin/users/${String(me.id)}/roles`, {
      token: root.token,
      body: { roles: ['user'] },
    });
    expect(demoted.status).toBe(200);
    expect(await adminListOnBoth(user.token)).toEqual(FORBIDDEN_ON_BOTH);
    // Still logged in: only the roles changed.
    for (const instance of [c.b, c.a])
      expect((await instance.sessionActive(user.token)).status).toBe(200);
  }, 120_000);

  it('a user disabled on A is refused on B at once, and its refresh token too', async () => {
    const root = await c.loggedInUser(c.a);
    grantAdmin(root.email);
    const user = await c.verifiedUser();
    const login = await c.b.login(user.email);
    const token = login.body.access_token as string;
    expect((await c.b.sessionActive(token)).status).toBe(200);
    const { body: me } = await c.b.call('GET', '/users/me', { token });

    const disabled = await c.a.call('POST', `/admin/users/${String(me.id)}/disable`, {
      token: root.token,
      body: { reason: 'cluster test' },
    });
    expect(disabled.status).toBe(200);
    const refused = await c.b.sessionActive(token);
    expect([refused.status, refused.body.code]).toEqual([401, 'SESSION_REVOKED']);
    const refresh = await c.b.call('POST', '/auth/refresh', {
      body: { refresh_token: login.body.refresh_token },
    });
    expect(refresh.status).toBe(401);
    const again = await c.b.login(user.email);
    expect([again.status, again.body.code]).toEqual([403, 'ACCOUNT_DISABLED']);
  }, 120_000);
});
