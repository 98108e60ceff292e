import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { bearer, loggedInUser, newIdentity, verifiedUser } from './support/factories';
import { startTestApp, TestApp } from './support/test-app';
import { AccountsService } from '../src/accounts/accounts.service';
import { SessionSnapshots } from '../src/sessions/session-snapshot';
import { moveClockBy } from './support/clock';

/** The app's key, passed in so that correctly signed tokens with wrong claims can be made. */
const SECRET_KEY = randomBytes(32).toString('base64url');
const ISSUER = 'nest-auth-service';
const AUDIENCE = 'nest-auth-service';

type Claims = Record<string, unknown>;

const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
const decode = (part: string) =>
  JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Claims;

const HMAC: Record<string, string> = { HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' };

function forge(claims: Claims, { secret = SECRET_KEY, alg = 'HS256' } = {}): string {
  const signed = `${encode({ alg, typ: 'JWT' })}.${encode(claims)}`;
  const signature = HMAC[alg]
    ? createHmac(HMAC[alg], secret).update(signed).digest('base64url')
    : '';
  return `${signed}.${signature}`;
}

const claimsOf = (token: string) => decode(token.split('.')[1]);
const without = (claims: Claims, key: string): Claims => {
  const copy = { ...claims };
  delete copy[key];
  return copy;
};
const now = () => Math.floor(Date.now() / 1000);

const PROTECTED = ['/users/me', '/session/active'];

describe('the session guard on protected routes', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ SECRET_KEY });
  });
  afterAll(() => t.close());

  describe('GET /session/active', () => {
    it('describes the caller’s session, with the user agent it logged in with', async () => {
      const { identity } = await verifiedUser(t);
      const before = Date.now();
      const login = await t.http
        .post('/auth/login')
        .set('User-Agent', 'AuthTests/1.0 (session check)')
        .send({ email: identity.email, password: identity.password })
        .expect(200);
      const sid = claimsOf(login.body.access_token).sid;

      const response = await t.http
        .get('/session/active')
        .set(bearer(login.body.access_token))
        .expect(200);
      expect(response.body).toEqual({
        active: true,
        session: {
          id: sid,
          created_at: expect.any(String),
          expires_at: expect.any(String),
          last_seen_at: expect.any(String),
          ip: expect.stringMatching(/127\.0\.0\.1|::1/),
          user_agent: 'AuthTests/1.0 (session check)',
          mfa: false,
        },
      });
      const { created_at, expires_at, last_seen_at } = response.body.session;
      for (const stamp of [created_at, expires_at, last_seen_at]) {
        expect(new Date(stamp).toISOString()).toBe(stamp);
      }
      const created = Date.parse(created_at);
      expect(created).toBeGreaterThanOrEqual(before - 1000);
      expect(created).toBeLessThanOrEqual(Date.now());
      expect(Date.parse(expires_at) - created).toBe(7 * 24 * 60 * 60 * 1000);
      expect(Date.parse(last_seen_at)).toBeGreaterThanOrEqual(created);
    });
    it('answers many checks at once each from its own session as it is now (one batch on MySQL)', async () => {
      const users = await Promise.all(Array.from({ length: 6 }, () => loggedInUser(t)));
      const [endedA, endedB, ...live] = users;
      for (const ended of [endedA, endedB]) {
        await t.http.post('/auth/logout').set(bearer(ended.accessToken)).expect(200);
      }
      const unknown = forge({ ...claimsOf(live[0].accessToken), sid: randomUUID() });
      // Every token three times over, all in flight together.
      const checks = [...users.map((user) => user.accessToken), unknown].flatMap((token) =>
        Array.from({ length: 3 }, () => token),
      );
      const answers = await Promise.all(
        checks.map((token) => t.http.get('/session/active').set(bearer(token))),
      );
      answers.forEach((answer, i) => {
        const token = checks[i];
        if (token === unknown) {
          expect([answer.status, answer.body.code]).toEqual([401, 'TOKEN_INVALID']);
        } else if (token === endedA.accessToken || token === endedB.accessToken) {
          expect([answer.status, answer.body.code]).toEqual([401, 'SESSION_ENDED']);
        } else {
          expect(answer.status).toBe(200);
          expect(answer.body.session.id).toBe(claimsOf(token).sid);
        }
      });
    });
  });

  it('reads sessions asked for in the same tick each from its own row (batched)', async () => {
    const [a, b] = await Promise.all([loggedInUser(t), loggedInUser(t)]);
    await t.http.post('/auth/logout').set(bearer(b.accessToken)).expect(200);
    const snapshots = t.app.get(SessionSnapshots);
    const [sidA, sidB] = [a, b].map((user) => String(claimsOf(user.accessToken).sid));
    const read = await Promise.all(
      [sidA, sidB, randomUUID(), sidA, sidB.toUpperCase()].map((sid) => snapshots.byId(sid)),
    );
    expect(read.map((snapshot) => snapshot && [snapshot.id, snapshot.status])).toEqual([
      [sidA, 'active'],
      [sidB, 'ended'],
      null,
      [sidA, 'active'],
      // Ids match exactly, although MySQL's collation ignores case.
      null,
    ]);
  });

  describe('GET /users/me', () => {
    it('answers the caller’s account, its roles and no permissions for a plain user', async () => {
      const identity = newIdentity('Me');
      const user = await loggedInUser(t, identity);
      const response = await t.http.get('/users/me').set(bearer(user.accessToken)).expect(200);
      expect(response.body).toEqual({
        id: user.userId,
        username: identity.username,
        email: identity.email.toLowerCase(),
        is_verified: true,
        has_password: true,
        roles: ['user'],
        permissions: [],
      });
    });

    it('shows an admin every permission, from the request after the grant on', async () => {
      const user = await loggedInUser(t);
      const me = () => t.http.get('/users/me').set(bearer(user.accessToken)).expect(200);
      expect((await me()).body).toMatchObject({ roles: ['user'], permissions: [] });
      // The same token after the grant: the guard's view, read with the session, not the token's.
      await t.app.get(AccountsService).setAdminByEmail(user.identity.email, true);
      expect((await me()).body).toMatchObject({
        id: user.userId,
        roles: ['user', 'admin'],
        permissions: [
          'users:read',
          'users:write',
          'sessions:revoke',
          'roles:write',
          'audit:read',
          'mfa:reset',
        ],
      });
    });
  });

  /** Only `Date` is faked, so the app sees a later clock while timers and I/O stay real. */
  describe('last_seen_at', () => {
    afterEach(() => jest.useRealTimers());

    const lastSeenOf = async (token: string) => {
      const response = await t.http.get('/session/active').set(bearer(token)).expect(200);
      return Date.parse(response.body.session.last_seen_at as string);
    };

    /** The guard records last_seen_at off the request's path: poll until it shows. */
    async function lastSeenAfter(token: string, floor: number): Promise<number> {
      for (let attempt = 0; attempt < 40; attempt += 1) {
        const seen = await lastSeenOf(token);
        if (seen >= floor) return seen;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      return lastSeenOf(token);
    }

    it('is written at most once a minute', async () => {
      const realStart = Date.now();
      const user = await loggedInUser(t);
      const atLogin = await lastSeenOf(user.accessToken);
      expect(atLogin).toBeGreaterThanOrEqual(realStart - 1000);

      // Within the minute: requests do not move it.
      moveClockBy(30_000);
      await t.http.get('/users/me').set(bearer(user.accessToken)).expect(200);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(await lastSeenOf(user.accessToken)).toBe(atLogin);

      // Past it: the next request records the time it was seen.
      moveClockBy(90_000);
      const movedTo = Date.now();
      await t.http.get('/users/me').set(bearer(user.accessToken)).expect(200);
      const later = await lastSeenAfter(user.accessToken, movedTo);
      expect(later).toBeGreaterThanOrEqual(movedTo);
      expect(later).toBeLessThan(movedTo + 60_000);
    });
  });

  describe.each(PROTECTED)('%s refuses', (path) => {
    const expectRefusal = async (
      headers: Record<string, string>,
      code: 'TOKEN_INVALID' | 'TOKEN_EXPIRED',
      query = '',
    ) => {
      const response = await t.http.get(`${path}${query}`).set(headers).expect(401);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.body).toMatchObject({ status: 401, code, title: 'Unauthorized' });
      expect(response.body.instance).toBe(path);
      return response;
    };

    it('no token at all', async () => {
      await expectRefusal({}, 'TOKEN_INVALID');
    });

    it('"Bearer" with an empty token, another scheme, or a bare token', async () => {
      const user = await loggedInUser(t);
      await expectRefusal({ Authorization: 'Bearer' }, 'TOKEN_INVALID');
      await expectRefusal({ Authorization: 'Bearer ' }, 'TOKEN_INVALID');
      await expectRefusal({ Authorization: `Basic ${user.accessToken}` }, 'TOKEN_INVALID');
      await expectRefusal({ Authorization: user.accessToken }, 'TOKEN_INVALID');
      await t.http.get(path).set(bearer(user.accessToken)).expect(200);
    });

    it('garbage', async () => {
      await expectRefusal(bearer('garbage'), 'TOKEN_INVALID');
      await expectRefusal(bearer('a.b.c'), 'TOKEN_INVALID');
      await expectRefusal(bearer(`${encode({ alg: 'HS256' })}.${encode({})}.`), 'TOKEN_INVALID');
    });

    it('a live token in the query string or a cookie instead of the header', async () => {
      const user = await loggedInUser(t);
      await expectRefusal({}, 'TOKEN_INVALID', `?access_token=${user.accessToken}`);
      await expectRefusal({}, 'TOKEN_INVALID', `?token=${user.accessToken}`);
      await expectRefusal({ Cookie: `access_token=${user.accessToken}` }, 'TOKEN_INVALID');
      await expectRefusal({ Cookie: `Authorization=Bearer ${user.accessToken}` }, 'TOKEN_INVALID');
      await t.http.get(path).set(bearer(user.accessToken)).expect(200);
    });

    it('accepts a token made with the app’s key and right claims (the forger is sound)', async () => {
      const user = await loggedInUser(t);
      const claims = claimsOf(user.accessToken);
      expect(claims).toMatchObject({ iss: ISSUER, aud: AUDIENCE });
      await t.http
        .get(path)
        .set(bearer(forge({ ...claims, iat: now(), exp: now() + 60 })))
        .expect(200);
    });

    it('alg "none", unsigned', async () => {
      const user = await loggedInUser(t);
      const token = forge(claimsOf(user.accessToken), { alg: 'none' });
      expect(token.endsWith('.')).toBe(true);
      await expectRefusal(bearer(token), 'TOKEN_INVALID');
      await expectRefusal(bearer(token.slice(0, -1)), 'TOKEN_INVALID');
      await t.http.get(path).set(bearer(user.accessToken)).expect(200);
    });

    it('another HMAC algorithm than the pinned one, even with the right key', async () => {
      const user = await loggedInUser(t);
      await expectRefusal(
        bearer(forge(claimsOf(user.accessToken), { alg: 'HS512' })),
        'TOKEN_INVALID',
      );
    });

    it('a changed payload under the old signature', async () => {
      const user = await loggedInUser(t);
      const other = await loggedInUser(t);
      const [header, , signature] = user.accessToken.split('.');
      const claims = claimsOf(user.accessToken);
      for (const changed of [
        { ...claims, exp: (claims.exp as number) + 3600 },
        { ...claims, sub: other.userId, sid: claimsOf(other.accessToken).sid },
      ]) {
        await expectRefusal(bearer(`${header}.${encode(changed)}.${signature}`), 'TOKEN_INVALID');
      }
      await t.http.get(path).set(bearer(user.accessToken)).expect(200);
    });

    it('a token signed with another secret', async () => {
      const user = await loggedInUser(t);
      const token = forge(claimsOf(user.accessToken), { secret: `${SECRET_KEY}x` });
      await expectRefusal(bearer(token), 'TOKEN_INVALID');
    });

    it('a wrong issuer or audience, or none', async () => {
      const user = await loggedInUser(t);
      const claims = claimsOf(user.accessToken);
      for (const wrong of [
        { ...claims, iss: 'someone-else' },
        { ...claims, aud: 'someone-else' },
        { ...claims, aud: [`${AUDIENCE}-admin`] },
        without(claims, 'iss'),
        without(claims, 'aud'),
      ]) {
        await expectRefusal(bearer(forge(wrong)), 'TOKEN_INVALID');
      }
    });

    it('an expired token as TOKEN_EXPIRED', async () => {
      const user = await loggedInUser(t);
      const claims = claimsOf(user.accessToken);
      const response = await expectRefusal(
        bearer(forge({ ...claims, iat: now() - 3600, exp: now() - 60 })),
        'TOKEN_EXPIRED',
      );
      expect(response.body.detail).toBe('The token has expired; log in again');
      await t.http.get(path).set(bearer(user.accessToken)).expect(200);
    });

    it('a live token whose sid is another user’s live session', async () => {
      const attacker = await loggedInUser(t);
      const victim = await loggedInUser(t);
      const swapped = forge({
        ...claimsOf(attacker.accessToken),
        sid: claimsOf(victim.accessToken).sid,
      });
      await expectRefusal(bearer(swapped), 'TOKEN_INVALID');
      // And the victim's own token, sub swapped to the attacker, is no better.
      const reversed = forge({ ...claimsOf(victim.accessToken), sub: attacker.userId });
      await expectRefusal(bearer(reversed), 'TOKEN_INVALID');
      await t.http.get(path).set(bearer(victim.accessToken)).expect(200);
      await t.http.get(path).set(bearer(attacker.accessToken)).expect(200);
    });

    it('claims that name no session, lack one, or are of the wrong type', async () => {
      const user = await loggedInUser(t);
      const claims = claimsOf(user.accessToken);
      for (const wrong of [
        { ...claims, sid: randomUUID() },
        without(claims, 'sid'),
        without(claims, 'sub'),
        without(claims, 'exp'),
        { ...claims, sid: 42 },
        { ...claims, sid: [claims.sid] },
        { ...claims, sub: { id: claims.sub } },
      ]) {
        await expectRefusal(bearer(forge(wrong)), 'TOKEN_INVALID');
      }
      await t.http.get(path).set(bearer(user.accessToken)).expect(200);
    });
  });
});
