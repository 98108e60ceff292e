import { newIdentity, signUp } from './support/factories';
import { startTestApp, TestApp } from './support/test-app';

describe('POST /auth/signup', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('creates the account with the seed body and mails a verification link', async () => {
    const identity = newIdentity('Ada');
    const response = await t.http
      .post('/auth/signup')
      .send({ ...identity, email: `  ${identity.email.toUpperCase()} ` })
      .expect(201);
    expect(response.body).toEqual({
      status: 'success',
      message: 'User created successfully',
      user: {
        id: expect.any(String),
        username: identity.username,
        email: identity.email.toLowerCase(),
        is_verified: false,
      },
    });
    const mail = await t.smtp.waitForMail(identity.email, /Confirm your email/);
    expect(mail.text).toContain('http://localhost:3000/verify/confirm?token=');
    // HTML escapes '=' as an entity, which browsers decode.
    expect(mail.html.replace(/&#x3D;/g, '=')).toContain(
      'http://localhost:3000/verify/confirm?token=',
    );
  });

  it.each(['password123', 'admin123', 'letmein123'])(
    'refuses the guessable "%s" with 400 WEAK_PASSWORD and says why',
    async (password) => {
      const identity = newIdentity();
      const response = await t.http
        .post('/auth/signup')
        .send({ ...identity, password })
        .expect(400);
      expect(response.body).toMatchObject({
        code: 'WEAK_PASSWORD',
        detail: expect.stringMatching(/\w+ \w+/),
        errors: [{ field: 'password', message: response.body.detail }],
      });
      // Nothing was created: the same identity signs up with a strong password.
      await signUp(t, identity);
    },
  );

  it('accepts SecurePass123', async () => {
    await t.http
      .post('/auth/signup')
      .send({ ...newIdentity(), password: 'SecurePass123' })
      .expect(201);
  });

  it('answers 409 EMAIL_TAKEN for the same email in another case', async () => {
    const { identity } = await signUp(t);
    const response = await t.http
      .post('/auth/signup')
      .send({ ...newIdentity(), email: identity.email.toUpperCase() })
      .expect(409);
    expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(response.body).toMatchObject({ status: 409, code: 'EMAIL_TAKEN', title: 'Conflict' });
  });

  it('answers 409 USERNAME_TAKEN without regard to case', async () => {
    const { identity } = await signUp(t);
    const response = await t.http
      .post('/auth/signup')
      .send({ ...newIdentity(), username: identity.username.toUpperCase() })
      .expect(409);
    expect(response.body.code).toBe('USERNAME_TAKEN');
  });

  it('lets exactly one of two racing signups for one email through', async () => {
    const identity = newIdentity();
    const results = await Promise.all(
      [0, 1, 2, 3].map((i) =>
        t.http.post('/auth/signup').send({ ...identity, username: `${identity.username}${i}` }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409]);
    expect(
      results.filter((r) => r.status === 409).every((r) => r.body.code === 'EMAIL_TAKEN'),
    ).toBe(true);
  });
});
