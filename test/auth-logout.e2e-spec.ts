import { bearer, loggedInUser } from './support/factories';
import { startTestApp, TestApp } from './support/test-app';

function sidOf(accessToken: string): string {
  const payload = accessToken.split('.')[1];
  return (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { sid: string }).sid;
}

describe('POST /auth/logout', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('ends the session at once: its tokens answer SESSION_ENDED and a new login needs no force', async () => {
    const user = await loggedInUser(t);
    const response = await t.http.post('/auth/logout').set(bearer(user.accessToken)).expect(200);
    expect(response.body).toEqual({ status: 'success', message: 'Logged out' });

    for (const path of ['/users/me', '/session/active']) {
      const after = await t.http.get(path).set(bearer(user.accessToken)).expect(401);
      expect(after.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(after.body).toMatchObject({
        status: 401,
        code: 'SESSION_ENDED',
        detail: 'The session has ended (logged out)',
      });
    }
    const again = await t.http.post('/auth/logout').set(bearer(user.accessToken)).expect(401);
    expect(again.body.code).toBe('SESSION_ENDED');
    const refresh = await t.http
      .post('/auth/refresh')
      .send({ refresh_token: user.refreshToken })
      .expect(401);
    expect(refresh.body.code).toBe('SESSION_ENDED');

    const next = await t.http
      .post('/auth/login')
      .send({ email: user.identity.email, password: user.identity.password })
      .expect(200);
    expect(sidOf(next.body.access_token)).not.toBe(sidOf(user.accessToken));
    await t.http.get('/session/active').set(bearer(next.body.access_token)).expect(200);
  });

  it('ends only the caller’s own session', async () => {
    const leaving = await loggedInUser(t);
    const staying = await loggedInUser(t);
    await t.http.post('/auth/logout').set(bearer(leaving.accessToken)).expect(200);
    await t.http.get('/users/me').set(bearer(staying.accessToken)).expect(200);
    await t.http.post('/auth/refresh').send({ refresh_token: staying.refreshToken }).expect(200);
  });

  it('with a replaced session’s token answers SESSION_REPLACED and leaves the new session alive', async () => {
    const user = await loggedInUser(t);
    const forced = await t.http
      .post('/auth/login')
      .send({ email: user.identity.email, password: user.identity.password, force: true })
      .expect(200);
    const stale = await t.http.post('/auth/logout').set(bearer(user.accessToken)).expect(401);
    expect(stale.body.code).toBe('SESSION_REPLACED');
    await t.http.get('/session/active').set(bearer(forced.body.access_token)).expect(200);
  });

  it.each([
    ['no Authorization header', {}],
    ['a garbage token', bearer('not-a-jwt')],
  ])('answers 401 TOKEN_INVALID for %s', async (_name, headers) => {
    const response = await t.http.post('/auth/logout').set(headers).expect(401);
    expect(response.body).toMatchObject({ status: 401, code: 'TOKEN_INVALID' });
  });
});
