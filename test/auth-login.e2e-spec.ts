import type { Response } from 'supertest';
import { bearer, newIdentity, signUp, verifiedUser } from './support/factories';
import { startTestApp, TestApp } from './support/test-app';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function decodePart(part: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
}

/** A problem body without the fields that differ per request. */
function stable(response: Response): Record<string, unknown> {
  const body = { ...(response.body as Record<string, unknown>) };
  delete body.instance;
  delete body.request_id;
  return body;
}

describe('POST /auth/login', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('answers the token pair, with a JWT carrying sub, sid, iat, exp, iss, aud, amr and auth_time', async () => {
    const { identity, userId } = await verifiedUser(t);
    const response = await t.http
      .post('/auth/login')
      .send({ email: identity.email, password: identity.password })
      .expect(200);

    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.body).toEqual({
      access_token: expect.any(String),
      token_type: 'bearer',
      expires_in: 1800,
      refresh_token: expect.any(String),
    });
    const [header, payload, signature] = (response.body.access_token as string).split('.');
    expect(decodePart(header)).toEqual({ alg: 'HS256', typ: 'JWT', kid: expect.any(String) });
    expect(signature).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const claims = decodePart(payload);
    expect(claims).toEqual({
      sub: userId,
      sid: expect.stringMatching(UUID),
      iat: expect.any(Number),
      exp: expect.any(Number),
      iss: 'nest-auth-service',
      aud: 'nest-auth-service',
      amr: ['pwd'],
      auth_time: expect.any(Number),
    });
    expect(Math.abs((claims.iat as number) - Date.now() / 1000)).toBeLessThan(10);
    expect((claims.exp as number) - (claims.iat as number)).toBe(1800);

    // The refresh token is opaque but names its session: `<sid>.<random>.<mac>`.
    const refreshParts = (response.body.refresh_token as string).split('.');
    expect(refreshParts).toHaveLength(3);
    expect(refreshParts[0]).toBe(claims.sid);
    expect(refreshParts[1]).toMatch(/^[A-Za-z0-9_-]{43}$/);

    // And the access token opens the protected routes, for that session.
    const active = await t.http
      .get('/session/active')
      .set(bearer(response.body.access_token))
      .expect(200);
    expect(active.body.session.id).toBe(claims.sid);
    const me = await t.http.get('/users/me').set(bearer(response.body.access_token)).expect(200);
    expect(me.body.id).toBe(userId);
  });

  it('matches the email without regard to case or surrounding spaces', async () => {
    const { identity, userId } = await verifiedUser(t);
    const response = await t.http
      .post('/auth/login')
      .send({ email: `  ${identity.email.toUpperCase()}\t`, password: identity.password })
      .expect(200);
    const me = await t.http.get('/users/me').set(bearer(response.body.access_token)).expect(200);
    expect(me.body).toEqual({
      id: userId,
      username: identity.username,
      email: identity.email.toLowerCase(),
      is_verified: true,
      has_password: true,
      roles: ['user'],
      permissions: [],
    });
  });

  it('answers the same 401 INVALID_CREDENTIALS for an unknown email and a wrong password', async () => {
    const { identity } = await verifiedUser(t);
    const unknown = await t.http
      .post('/auth/login')
      .send({ email: newIdentity().email, password: identity.password })
      .expect(401);
    const wrong = await t.http
      .post('/auth/login')
      .send({ email: identity.email, password: `${identity.password}x` })
      .expect(401);

    expect(unknown.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(stable(unknown)).toEqual({
      type: '/problems/invalid-credentials',
      title: 'Unauthorized',
      status: 401,
      detail: 'Invalid email or password',
      code: 'INVALID_CREDENTIALS',
    });
    expect(stable(wrong)).toEqual(stable(unknown));
    expect(wrong.headers['content-type']).toBe(unknown.headers['content-type']);
    expect(unknown.body.instance).toBe('/auth/login');
    expect(unknown.body.request_id).toEqual(expect.any(String));

    // The failures left no session behind: the right password logs in without force.
    await t.http
      .post('/auth/login')
      .send({ email: identity.email, password: identity.password })
      .expect(200);
  });

  it('tells an unverified account 403 EMAIL_NOT_VERIFIED only after its correct password', async () => {
    const { identity, verificationToken } = await signUp(t);
    const wrong = await t.http
      .post('/auth/login')
      .send({ email: identity.email, password: 'Not-The-Password-1' })
      .expect(401);
    expect(wrong.body.code).toBe('INVALID_CREDENTIALS');

    const right = await t.http
      .post('/auth/login')
      .send({ email: identity.email, password: identity.password })
      .expect(403);
    expect(right.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(right.body).toMatchObject({
      status: 403,
      code: 'EMAIL_NOT_VERIFIED',
      detail: 'Verify your email address before logging in',
    });
    expect(right.body).not.toHaveProperty('access_token');

    // Once verified (token from the mail), the same credentials log in: the 403 started no session.
    await t.http.post('/verify/confirm').send({ token: verificationToken }).expect(200);
    await t.http
      .post('/auth/login')
      .send({ email: identity.email, password: identity.password })
      .expect(200);
  });

  describe('refuses malformed bodies with 400 before any credential check', () => {
    const invalid: Array<[string, (email: string, password: string) => unknown, string]> = [
      ['a missing email', (_e, password) => ({ password }), 'email'],
      ['a missing password', (email) => ({ email }), 'password'],
      ['an empty password', (email) => ({ email, password: '' }), 'password'],
      ['an invalid email', (_e, password) => ({ email: 'not-an-email', password }), 'email'],
      ['an email that is a number', (_e, password) => ({ email: 42, password }), 'email'],
      ['a password that is a number', (email) => ({ email, password: 12345678 }), 'password'],
      ['an unknown field', (email, password) => ({ email, password, role: 'admin' }), 'role'],
      ['force as a string', (email, password) => ({ email, password, force: 'yes' }), 'force'],
      ['force as a number', (email, password) => ({ email, password, force: 1 }), 'force'],
      ['an array body', (email, password) => [{ email, password }], 'body'],
      ['a string body', (email) => email, 'body'],
      ['a null body', () => null, 'body'],
    ];

    it.each(invalid)('%s', async (_name, bodyFor, field) => {
      const { identity } = await verifiedUser(t);
      const response = await t.http
        .post('/auth/login')
        .set('Content-Type', 'application/json')
        .send(JSON.stringify(bodyFor(identity.email, identity.password)))
        .expect(400);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.body).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
      expect(response.body.errors).toEqual(
        expect.arrayContaining([{ field, message: expect.any(String) }]),
      );
      // Nothing was started: a correct login goes through without force.
      await t.http
        .post('/auth/login')
        .send({ email: identity.email, password: identity.password })
        .expect(200);
    });

    it('an empty body with no content type', async () => {
      const response = await t.http.post('/auth/login').expect(400);
      expect(response.body).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    });

    it('a body that is not JSON', async () => {
      const response = await t.http
        .post('/auth/login')
        .set('Content-Type', 'application/json')
        .send('{"email": ')
        .expect(400);
      expect(response.body).toMatchObject({ status: 400, code: 'INVALID_JSON' });
    });
  });
});
