import { bearer, loggedInUser } from '../support/factories';
import { expectProblem, INJECTION_STRINGS, NOT_STRINGS } from '../support/hostile';
import { startTestApp, TestApp } from '../support/test-app';

const CLIENT = { name: 'orders-api', secret: 'a-long-introspection-secret-0123456789' };
const OTHER = { name: 'billing', secret: 'another-long-introspection-secret-98765' };
const basic = (name: string, secret: string) =>
  `Basic ${Buffer.from(`${name}:${secret}`).toString('base64')}`;

describe.each(['HS256', 'EdDSA'] as const)('POST /oauth/introspect (%s)', (alg) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({
      ALGORITHM: alg,
      INTROSPECTION_CLIENTS: `${CLIENT.name}:${CLIENT.secret},${OTHER.name}:${OTHER.secret}`,
    });
  });
  afterAll(() => t.close());

  const introspect = (body: unknown, authorization = basic(CLIENT.name, CLIENT.secret)) =>
    t.http
      .post('/oauth/introspect')
      .set('Authorization', authorization)
      .send(body as object);
  const introspectForm = (token: string) =>
    t.http
      .post('/oauth/introspect')
      .set('Authorization', basic(OTHER.name, OTHER.secret))
      .type('form')
      .send({ token, token_type_hint: 'access_token' });

  it('answers active with the claims while the session lives, then only {active: false}', async () => {
    const user = await loggedInUser(t);
    const live = await introspect({ token: user.accessToken }).expect(200);
    expect(live.body).toEqual({
      active: true,
      sub: user.userId,
      sid: expect.any(String),
      exp: expect.any(Number),
      iat: expect.any(Number),
      iss: 'nest-auth-service',
      aud: 'nest-auth-service',
      token_type: 'access_token',
    });
    expect(live.headers['cache-control']).toBe('no-store');
    expect((await introspectForm(user.accessToken).expect(200)).body).toEqual(live.body);

    await t.http.post('/auth/logout').set(bearer(user.accessToken)).expect(200);
    expect((await introspect({ token: user.accessToken }).expect(200)).body).toEqual({
      active: false,
    });
    expect((await introspectForm(user.accessToken).expect(200)).body).toEqual({ active: false });
  });

  it('answers {active: false} alike for any token that is not ours or not live', async () => {
    const user = await loggedInUser(t);
    const [header, payload, signature] = user.accessToken.split('.');
    const tampered = `${header}.${payload.slice(0, -2)}AA.${signature}`;
    for (const token of [
      'not-a-jwt',
      'a.b.c',
      tampered,
      `${header}.${payload}.`,
      ...INJECTION_STRINGS,
    ]) {
      const response = await introspect({ token });
      expect([token, response.status, response.body]).toEqual([token, 200, { active: false }]);
    }
  });

  it('refuses a missing or wrong client credential with 401 and WWW-Authenticate: Basic', async () => {
    const user = await loggedInUser(t);
    const attempts = [
      undefined,
      '',
      bearer(user.accessToken).Authorization,
      basic(CLIENT.name, `${CLIENT.secret}x`),
      basic(CLIENT.name, OTHER.secret),
      basic('nobody', CLIENT.secret),
      basic(CLIENT.name, ''),
      `Basic ${Buffer.from(CLIENT.name).toString('base64')}`,
      'Basic !!!',
    ];
    for (const authorization of attempts) {
      const request = t.http.post('/oauth/introspect');
      if (authorization !== undefined) request.set('Authorization', authorization);
      const response = await request.send({ token: user.accessToken });
      expectProblem(response, 401, 'INVALID_CLIENT');
      expect(response.headers['www-authenticate']).toMatch(/^Basic realm="introspection"/);
      expect(response.text).not.toContain(user.userId);
    }
  });

  it('refuses a body without a token, with other fields, or of another type', async () => {
    expectProblem(await introspect({}), 400, 'VALIDATION_FAILED');
    expectProblem(await introspect({ token: 'x', extra: 1 }), 400, 'VALIDATION_FAILED');
    for (const token of NOT_STRINGS)
      expectProblem(await introspect({ token }), 400, 'VALIDATION_FAILED');
    expectProblem(await introspect({ token: 'x'.repeat(9000) }), 400, 'VALIDATION_FAILED');
    const repeated = await t.http
      .post('/oauth/introspect')
      .set('Authorization', basic(CLIENT.name, CLIENT.secret))
      .type('form')
      .send('token=a&token=b');
    expectProblem(repeated, 400, 'VALIDATION_FAILED');
    const text = await t.http
      .post('/oauth/introspect')
      .set('Authorization', basic(CLIENT.name, CLIENT.secret))
      .set('Content-Type', 'text/plain')
      .send('token=a');
    expectProblem(text, 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('takes form bodies only here: other routes still answer 415', async () => {
    const response = await t.http
      .post('/auth/login')
      .type('form')
      .send({ email: 'a@b.c', password: 'x' });
    expectProblem(response, 415, 'UNSUPPORTED_MEDIA_TYPE');
  });
});

describe('POST /oauth/introspect throttling', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({
      THROTTLE_ENABLED: 'true',
      THROTTLE_INTROSPECT_PER_CLIENT: '3/60',
      INTROSPECTION_CLIENTS: `${CLIENT.name}:${CLIENT.secret},${OTHER.name}:${OTHER.secret}`,
    });
  });
  afterAll(() => t.close());

  it('limits each client on its own, with Retry-After', async () => {
    const as = (client: typeof CLIENT) =>
      t.http
        .post('/oauth/introspect')
        .set('Authorization', basic(client.name, client.secret))
        .send({ token: 'x' });
    const statuses = [];
    for (let i = 0; i < 4; i += 1) statuses.push((await as(CLIENT)).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const limited = await as(CLIENT);
    expectProblem(limited, 429, 'TOO_MANY_REQUESTS');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect((await as(OTHER)).status).toBe(200);
  });
});
