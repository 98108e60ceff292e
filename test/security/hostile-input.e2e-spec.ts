import type { Response } from 'supertest';
import {
  bearer,
  GOOD_PASSWORD,
  Identity,
  loggedInUser,
  newIdentity,
  verifiedUser,
} from '../support/factories';
import {
  expectFieldRefused,
  expectNoLeak,
  expectProblem,
  HEADER_INJECTIONS,
  INJECTION_STRINGS,
  NOT_STRINGS,
} from '../support/hostile';
import { startTestApp, TestApp } from '../support/test-app';

type Outcome = { status: number; code?: string };

const chars = (value: string) => [...value].length;
const VALIDATION: Outcome = { status: 400, code: 'VALIDATION_FAILED' };
const INVALID_TOKEN: Outcome = { status: 400, code: 'INVALID_TOKEN' };
const JUNK_TOKEN = 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

describe('Hostile input', () => {
  let t: TestApp;
  let verified: Identity;
  let session: { accessToken: string; identity: Identity };

  beforeAll(async () => {
    t = await startTestApp();
    verified = (await verifiedUser(t)).identity;
    session = await loggedInUser(t);
  });
  afterAll(() => t.close());

  const post = (path: string, body: unknown) => t.http.post(path).send(body as object);
  const change = (body: unknown) =>
    t.http
      .post('/password/change')
      .set(bearer(session.accessToken))
      .send(body as object);

  /** Every string field of every endpoint, the others valid, and what a hostile value gets. */
  const FIELDS: Array<[string, (value: string) => Promise<Response>, (value: string) => Outcome]> =
    [
      [
        'signup username',
        (v) => post('/auth/signup', { ...newIdentity(), username: v }),
        () => VALIDATION,
      ],
      [
        'signup email',
        (v) => post('/auth/signup', { ...newIdentity(), email: v }),
        () => VALIDATION,
      ],
      [
        'signup password',
        (v) => post('/auth/signup', { ...newIdentity(), password: v }),
        // Any text is a password; the policy alone decides (length here).
        (v) => (chars(v) >= 8 ? { status: 201 } : { status: 400, code: 'WEAK_PASSWORD' }),
      ],
      ['verify/send email', (v) => post('/verify/send', { email: v }), () => VALIDATION],
      ['verify/confirm token', (v) => post('/verify/confirm', { token: v }), () => INVALID_TOKEN],
      [
        'login email',
        (v) => post('/auth/login', { email: v, password: GOOD_PASSWORD }),
        () => VALIDATION,
      ],
      [
        'login password',
        (v) => post('/auth/login', { email: verified.email, password: v }),
        () => ({ status: 401, code: 'INVALID_CREDENTIALS' }),
      ],
      [
        'refresh refresh_token',
        (v) => post('/auth/refresh', { refresh_token: v }),
        () => ({ status: 401, code: 'TOKEN_INVALID' }),
      ],
      ['forgot email', (v) => post('/password/forgot', { email: v }), () => VALIDATION],
      [
        'reset token',
        (v) => post('/password/reset', { token: v, new_password: 'Another-Quiet-Lantern-7' }),
        () => INVALID_TOKEN,
      ],
      [
        'reset new_password',
        (v) => post('/password/reset', { token: JUNK_TOKEN, new_password: v }),
        () => INVALID_TOKEN,
      ],
      [
        'change current_password',
        (v) => change({ current_password: v, new_password: 'Another-Quiet-Lantern-7' }),
        () => ({ status: 401, code: 'INVALID_CREDENTIALS' }),
      ],
      [
        'audit/me cursor',
        (v) =>
          t.http.get(`/audit/me?cursor=${encodeURIComponent(v)}`).set(bearer(session.accessToken)),
        () => VALIDATION,
      ],
      [
        'audit/me limit',
        (v) =>
          t.http.get(`/audit/me?limit=${encodeURIComponent(v)}`).set(bearer(session.accessToken)),
        () => VALIDATION,
      ],
    ];

  describe('injection strings', () => {
    it.each(FIELDS)('in %s get the normal failure, never a 500', async (_field, send, expected) => {
      const outcomes = [];
      for (const value of INJECTION_STRINGS) {
        const response = await send(value);
        expectNoLeak(response);
        if (chars(value) > 3 && response.status >= 400) expect(response.text).not.toContain(value);
        outcomes.push({ value, status: response.status, code: response.body?.code });
      }
      expect(outcomes).toEqual(INJECTION_STRINGS.map((value) => ({ value, ...expected(value) })));
    });

    it('stores an injection-looking password as opaque text: it logs in with exactly that', async () => {
      const password = '"; DROP TABLE users; --';
      const { identity } = await verifiedUser(t, { ...newIdentity(), password });
      await post('/auth/login', { email: identity.email, password }).expect(200);
    });

    it('changes the password to each acceptable injection string, and refuses the short ones', async () => {
      const { accessToken } = await loggedInUser(t);
      let current: string = GOOD_PASSWORD;
      for (const value of INJECTION_STRINGS) {
        const response = await t.http
          .post('/password/change')
          .set(bearer(accessToken))
          .send({ current_password: current, new_password: value });
        if (chars(value) >= 8) {
          expect({ value, status: response.status }).toEqual({ value, status: 200 });
          current = value;
        } else {
          expectProblem(response, 400, 'WEAK_PASSWORD');
        }
      }
      expect(current).toBe(INJECTION_STRINGS[6]);
    });

    it('accepts template-looking but valid addresses literally and mails exactly them', async () => {
      for (const email of ['{{7*7}}@example.com', '${7*7}@example.com']) {
        const response = await post('/auth/signup', { ...newIdentity(), email });
        expect(response.status).toBe(201);
        expect(response.body.user.email).toBe(email);
        const mail = await t.smtp.waitForMail(email, /Confirm/);
        expect(mail.to).toBe(email);
        expect(mail.raw).not.toMatch(/^To: .*49@/m);
      }
    });

    it.each(['/verify/confirm', '/password/reset'])(
      'GET %s?token= escapes what it reflects',
      async (path) => {
        for (const value of INJECTION_STRINGS) {
          const response = await t.http.get(`${path}?token=${encodeURIComponent(value)}`);
          expect(response.status).toBe(200);
          expect(response.text).not.toContain('<script>alert(1)');
          expect(response.text).not.toContain('"; DROP');
          expect(response.text.match(/<script/g)).toHaveLength(1);
        }
      },
    );

    it('refuses hostile bearer tokens with 401 and records hostile User-Agents harmlessly', async () => {
      for (const value of INJECTION_STRINGS.filter((v) => !v.includes('\u0000'))) {
        expectProblem(
          await t.http.get('/users/me').set('Authorization', `Bearer ${value}`),
          401,
          'TOKEN_INVALID',
        );
        const login = await t.http
          .post('/auth/login')
          .set('User-Agent', value)
          .send({ email: verified.email, password: 'Wrong-Password-Entirely-1' });
        expectProblem(login, 401, 'INVALID_CREDENTIALS');
      }
      const signup = await t.http
        .post('/auth/signup')
        .set('User-Agent', `${INJECTION_STRINGS.slice(0, 7).join(' ')} ${'x'.repeat(4000)}`)
        .send(newIdentity());
      expect(signup.status).toBe(201);
    });

    it('leaves the service working: a fresh user signs up, verifies and logs in; old users too', async () => {
      const { identity } = await verifiedUser(t);
      await post('/auth/login', { email: identity.email, password: identity.password }).expect(200);
      await post('/auth/login', { email: verified.email, password: GOOD_PASSWORD }).expect(200);
      await t.http.get('/users/me').set(bearer(session.accessToken)).expect(200);
    });
  });

  describe('type confusion', () => {
    const STRING_FIELDS: Array<[string, string, () => Record<string, unknown>, boolean]> = [
      ['/auth/signup', 'username', () => newIdentity(), false],
      ['/auth/signup', 'email', () => newIdentity(), false],
      ['/auth/signup', 'password', () => newIdentity(), false],
      ['/verify/send', 'email', () => ({ email: newIdentity().email }), false],
      ['/verify/confirm', 'token', () => ({ token: JUNK_TOKEN }), false],
      ['/auth/login', 'email', () => ({ email: verified.email, password: GOOD_PASSWORD }), false],
      [
        '/auth/login',
        'password',
        () => ({ email: verified.email, password: GOOD_PASSWORD }),
        false,
      ],
      ['/auth/refresh', 'refresh_token', () => ({ refresh_token: JUNK_TOKEN }), false],
      ['/password/forgot', 'email', () => ({ email: newIdentity().email }), false],
      [
        '/password/reset',
        'token',
        () => ({ token: JUNK_TOKEN, new_password: GOOD_PASSWORD }),
        false,
      ],
      [
        '/password/reset',
        'new_password',
        () => ({ token: JUNK_TOKEN, new_password: GOOD_PASSWORD }),
        false,
      ],
      [
        '/password/change',
        'current_password',
        () => ({ current_password: GOOD_PASSWORD, new_password: 'Another-Quiet-Lantern-7' }),
        true,
      ],
      [
        '/password/change',
        'new_password',
        () => ({ current_password: GOOD_PASSWORD, new_password: 'Another-Quiet-Lantern-7' }),
        true,
      ],
    ];

    it.each(STRING_FIELDS)(
      'POST %s refuses non-strings in %s with 400 naming it',
      async (path, field, valid, needsSession) => {
        for (const value of NOT_STRINGS) {
          const request = t.http.post(path);
          if (needsSession) void request.set(bearer(session.accessToken));
          const response = await request.send({ ...valid(), [field]: value });
          expectFieldRefused(response, field);
        }
      },
    );

    it('refuses a force that is not a boolean', async () => {
      for (const force of ['true', 'false', 1, 0, 'yes', {}, []]) {
        const response = await post('/auth/login', {
          email: verified.email,
          password: GOOD_PASSWORD,
          force,
        });
        expectFieldRefused(response, 'force');
      }
    });

    it.each([
      '/auth/signup',
      '/auth/login',
      '/auth/refresh',
      '/verify/send',
      '/verify/confirm',
      '/password/forgot',
      '/password/reset',
      '/password/change',
    ])('POST %s refuses a body that is not a JSON object with 400', async (path) => {
      for (const body of [
        '[]',
        '[{"email":"a@example.com"}]',
        '"a@example.com"',
        '42',
        'true',
        'null',
      ]) {
        const response = await t.http
          .post(path)
          .set(bearer(session.accessToken))
          .set('Content-Type', 'application/json')
          .send(body);
        expectProblem(response, 400, 'VALIDATION_FAILED');
        expect(response.body.errors).toEqual(
          expect.arrayContaining([{ field: expect.any(String), message: expect.any(String) }]),
        );
      }
    });

    it('refuses prototype pollution keys with 400', async () => {
      for (const body of [
        '{"email":"a@example.com","__proto__":{"is_verified":true}}',
        '{"email":"a@example.com","constructor":{"prototype":{"is_verified":true}}}',
      ]) {
        const response = await t.http
          .post('/verify/send')
          .set('Content-Type', 'application/json')
          .send(body);
        expectProblem(response, 400);
      }
      expect(({} as Record<string, unknown>).is_verified).toBeUndefined();
    });
  });

  describe('email header injection', () => {
    it.each(['/auth/signup', '/verify/send', '/password/forgot'])(
      'POST %s refuses CR/LF, lists and display names with 400',
      async (path) => {
        for (const email of HEADER_INJECTIONS) {
          const body = path === '/auth/signup' ? { ...newIdentity(), email } : { email };
          expectFieldRefused(await post(path, body), 'email');
        }
      },
    );

    it('sends nothing to an injected address', async () => {
      // A legitimate mail sent afterwards has arrived, so anything injected before would have too.
      const { identity } = await verifiedUser(t);
      await post('/password/forgot', { email: identity.email }).expect(202);
      await t.smtp.waitForMail(identity.email, /Reset your password/);
      expect(t.smtp.mails.length).toBeGreaterThan(0);
      for (const mail of t.smtp.mails) {
        expect(mail.raw).not.toMatch(/evil\.test|Injected body/i);
        expect(mail.to).not.toMatch(/evil|victim/);
      }
    });
  });

  describe('sizes', () => {
    it.each(['/auth/signup', '/auth/login', '/verify/send'])(
      'POST %s refuses a body over 100 kB with 413',
      async (path) => {
        const response = await t.http
          .post(path)
          .set('Content-Type', 'application/json')
          .send(JSON.stringify({ email: 'a@example.com', password: 'x'.repeat(101 * 1024) }));
        expectProblem(response, 413, 'PAYLOAD_TOO_LARGE');
      },
    );

    const DEEP = 10_000;
    const deepArray = '['.repeat(DEEP) + ']'.repeat(DEEP);
    const deepObject = '{"a":'.repeat(DEEP) + '1' + '}'.repeat(DEEP);

    it.each([
      ['/auth/signup', `{"username":"u_deep","email":${deepArray},"password":"x"}`],
      ['/auth/signup', deepArray],
      ['/auth/login', `{"email":"a@example.com","password":${deepObject}}`],
      ['/verify/send', `{"email":"a@example.com","x":${deepObject}}`],
      ['/password/reset', `{"token":${deepArray},"new_password":"x"}`],
    ])('POST %s refuses JSON nested 10,000 deep with 400 and keeps serving', async (path, body) => {
      expect(Buffer.byteLength(body)).toBeLessThan(100 * 1024);
      const response = await t.http.post(path).set('Content-Type', 'application/json').send(body);
      expectFieldRefused(response, 'body');
      await t.http.get('/').expect(200);
    });

    it('counts only real nesting: brackets inside strings are just text', async () => {
      // 50 levels of brackets would be refused as nesting; inside a string they are text.
      const password = `${'['.repeat(50)}"\\${']'.repeat(50)}`;
      const response = await post('/auth/login', { email: verified.email, password });
      expectProblem(response, 401, 'INVALID_CREDENTIALS');
    });

    it('refuses a moderately nested value in a string field with 400 naming it', async () => {
      const nested = JSON.parse('{"a":'.repeat(20) + '1' + '}'.repeat(20)) as unknown;
      expectFieldRefused(await post('/verify/send', { email: nested }), 'email');
    });

    it('refuses 10,000-character usernames and passwords with 400 before any hashing', async () => {
      const long = 'p'.repeat(10_000);
      const cases: Array<[string, () => Promise<Response>]> = [
        [
          'username',
          () => post('/auth/signup', { ...newIdentity(), username: 'u'.repeat(10_000) }),
        ],
        ['password', () => post('/auth/signup', { ...newIdentity(), password: long })],
        // 400, not 401: the credentials were never checked.
        ['password', () => post('/auth/login', { email: newIdentity().email, password: long })],
        ['new_password', () => post('/password/reset', { token: JUNK_TOKEN, new_password: long })],
        ['new_password', () => change({ current_password: GOOD_PASSWORD, new_password: long })],
        ['current_password', () => change({ current_password: long, new_password: GOOD_PASSWORD })],
      ];
      for (const [field, send] of cases) {
        const started = Date.now();
        const response = await send();
        expect(Date.now() - started).toBeLessThan(1000);
        expectFieldRefused(response, field);
        expectNoLeak(response, long.slice(0, 64));
      }
    });

    it('refuses a 129-character password everywhere before hashing, and counts characters, not UTF-16 units', async () => {
      const tooLong = 'Quiet-Lantern-Orbit-42.'.repeat(6).slice(0, 129);
      expectFieldRefused(
        await post('/auth/signup', { ...newIdentity(), password: tooLong }),
        'password',
      );
      expectFieldRefused(
        await post('/auth/login', { email: verified.email, password: tooLong }),
        'password',
      );
      // 128 emoji are 256 UTF-16 units but 128 characters: a wrong password, not a malformed one.
      const emoji = '\u{1F511}'.repeat(128);
      expectProblem(
        await post('/auth/login', { email: verified.email, password: emoji }),
        401,
        'INVALID_CREDENTIALS',
      );
    });
  });

  describe('content types', () => {
    const ENDPOINTS = [
      '/auth/signup',
      '/auth/login',
      '/verify/send',
      '/password/forgot',
      '/password/reset',
      '/auth/refresh',
    ];
    const TYPES: Array<[string, string]> = [
      ['text/plain', '{"email":"a@example.com"}'],
      ['application/x-www-form-urlencoded', 'email=a%40example.com&password=x'],
      [
        'multipart/form-data; boundary=x',
        '--x\r\nContent-Disposition: form-data; name="email"\r\n\r\na@example.com\r\n--x--',
      ],
      ['application/xml', '<email>a@example.com</email>'],
      ['text/xml', '<email>a@example.com</email>'],
      ['application/x-yaml', 'email: a@example.com'],
      ['text/html', '<p>a@example.com</p>'],
    ];

    it.each(ENDPOINTS)('POST %s refuses non-JSON bodies with 415', async (path) => {
      for (const [type, body] of TYPES) {
        const response = await t.http.post(path).set('Content-Type', type).send(body);
        expect({ type, status: response.status }).toEqual({ type, status: 415 });
        expectProblem(response, 415, 'UNSUPPORTED_MEDIA_TYPE');
      }
    });

    it.each(ENDPOINTS)('POST %s refuses a body without a Content-Type with 415', async (path) => {
      const response = await t.app.getHttpAdapter().getInstance().inject({
        method: 'POST',
        url: path,
        payload: '{"email":"a@example.com"}',
      });
      expect(response.statusCode).toBe(415);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.json()).toMatchObject({ status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' });
    });
  });
});
