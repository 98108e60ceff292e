import { randomUUID } from 'node:crypto';
import { bearer, loggedInUser } from './support/factories';
import { startTestApp, TestApp } from './support/test-app';

function sidOf(accessToken: string): string {
  const payload = accessToken.split('.')[1];
  return (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { sid: string }).sid;
}

/** The token with one character of the given part (0 sid, 1 random, 2 mac) changed. */
function withOneCharChanged(token: string, part: number): string {
  const parts = token.split('.');
  const chars = [...parts[part]];
  const at = Math.floor(chars.length / 2);
  chars[at] = chars[at] === 'A' ? 'B' : 'A';
  parts[part] = chars.join('');
  return parts.join('.');
}

describe('POST /auth/refresh', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  const refresh = (refreshToken: unknown) =>
    t.http.post('/auth/refresh').send({ refresh_token: refreshToken });

  it('rotates: new tokens for the same session, and the old refresh token is spent', async () => {
    const user = await loggedInUser(t);
    const first = await refresh(user.refreshToken).expect(200);
    expect(first.headers['cache-control']).toBe('no-store');
    expect(first.body).toEqual({
      access_token: expect.any(String),
      token_type: 'bearer',
      expires_in: 1800,
      refresh_token: expect.any(String),
    });
    expect(first.body.refresh_token).not.toBe(user.refreshToken);
    expect(sidOf(first.body.access_token)).toBe(sidOf(user.accessToken));
    const me = await t.http.get('/users/me').set(bearer(first.body.access_token)).expect(200);
    expect(me.body.id).toBe(user.userId);

    // The new one rotates again.
    const second = await refresh(first.body.refresh_token).expect(200);
    expect(second.body.refresh_token).not.toBe(first.body.refresh_token);
    await t.http.get('/session/active').set(bearer(second.body.access_token)).expect(200);
  });

  it('treats a spent refresh token as reuse: 401 SESSION_REVOKED and the session is revoked', async () => {
    const user = await loggedInUser(t);
    const rotated = await refresh(user.refreshToken).expect(200);

    const reuse = await refresh(user.refreshToken).expect(401);
    expect(reuse.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(reuse.body).toMatchObject({ status: 401, code: 'SESSION_REVOKED' });

    for (const token of [user.accessToken, rotated.body.access_token as string]) {
      const access = await t.http.get('/session/active').set(bearer(token)).expect(401);
      expect(access.body.code).toBe('SESSION_REVOKED');
    }
    const current = await refresh(rotated.body.refresh_token).expect(401);
    expect(current.body.code).toBe('SESSION_REVOKED');

    // A revoked session does not block the next login.
    await t.http
      .post('/auth/login')
      .send({ email: user.identity.email, password: user.identity.password })
      .expect(200);
  });

  it.each([
    ['the random part', 1],
    ['the mac', 2],
  ])(
    'refuses a token with one character of %s changed as TOKEN_INVALID; the session lives on',
    async (_name, part) => {
      const user = await loggedInUser(t);
      const tampered = withOneCharChanged(user.refreshToken, part);
      expect(tampered).not.toBe(user.refreshToken);

      const response = await refresh(tampered).expect(401);
      expect(response.body).toMatchObject({ status: 401, code: 'TOKEN_INVALID' });

      await t.http.get('/users/me').set(bearer(user.accessToken)).expect(200);
      await refresh(user.refreshToken).expect(200);
    },
  );

  it('refuses a valid-looking token moved to another session id as TOKEN_INVALID', async () => {
    const victim = await loggedInUser(t);
    const attacker = await loggedInUser(t);
    const [, random, mac] = attacker.refreshToken.split('.');
    for (const sid of [sidOf(victim.accessToken), randomUUID()]) {
      const response = await refresh(`${sid}.${random}.${mac}`).expect(401);
      expect(response.body.code).toBe('TOKEN_INVALID');
    }
    await refresh(victim.refreshToken).expect(200);
    await refresh(attacker.refreshToken).expect(200);
  });

  it('lets exactly one of parallel refreshes with one token win; the race revokes the session', async () => {
    const user = await loggedInUser(t);
    const results = await Promise.all(Array.from({ length: 10 }, () => refresh(user.refreshToken)));

    const winners = results.filter((r) => r.status === 200);
    expect(winners).toHaveLength(1);
    expect(results.filter((r) => r.status !== 200).map((r) => [r.status, r.body.code])).toEqual(
      Array.from({ length: 9 }, () => [401, 'SESSION_REVOKED']),
    );

    const access = await t.http
      .get('/session/active')
      .set(bearer(winners[0].body.access_token))
      .expect(401);
    expect(access.body.code).toBe('SESSION_REVOKED');
    const next = await refresh(winners[0].body.refresh_token).expect(401);
    expect(next.body.code).toBe('SESSION_REVOKED');
  });

  it.each([
    ['garbage', 'garbage'],
    ['three dotted parts', 'a.b.c'],
    ['a uuid with junk', `${randomUUID()}.abc.def`],
  ])('refuses %s as 401 TOKEN_INVALID', async (_name, token) => {
    const response = await refresh(token).expect(401);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.body).toMatchObject({
      status: 401,
      code: 'TOKEN_INVALID',
      detail: 'The token is not valid',
    });
  });

  it('refuses an access token presented as a refresh token', async () => {
    const user = await loggedInUser(t);
    const response = await refresh(user.accessToken).expect(401);
    expect(response.body.code).toBe('TOKEN_INVALID');
    await refresh(user.refreshToken).expect(200);
  });

  it.each([
    ['a missing field', {}],
    ['an empty token', { refresh_token: '' }],
    ['a number', { refresh_token: 42 }],
    ['an unknown field', { refresh_token: 'x', extra: true }],
  ])('answers 400 VALIDATION_FAILED for %s', async (_name, body) => {
    const response = await t.http.post('/auth/refresh').send(body).expect(400);
    expect(response.body).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    expect(response.body.errors).toEqual(expect.any(Array));
  });
});
