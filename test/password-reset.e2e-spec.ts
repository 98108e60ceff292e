import { MailService } from '../src/mail/mail.service';
import {
  bearer,
  GOOD_PASSWORD,
  Identity,
  loggedInUser,
  newIdentity,
  signUp,
  verifiedUser,
} from './support/factories';
import { tokenIn } from './support/smtp-peer';
import { startTestApp, TestApp } from './support/test-app';
import { moveClockBy } from './support/clock';

const NEW_PASSWORD = 'Brisk-Meadow-Falcon-77';
const RESET_SUBJECT = /Reset your password/;
const CHANGED_SUBJECT = /Your password was changed/;

describe('forgot and reset password', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  /** Asks for a reset and returns the token of the `nth` reset mail to the address (1-based). */
  async function forgot(email: string, nth = 1): Promise<string> {
    await t.http.post('/password/forgot').send({ email }).expect(202);
    const mails = await t.smtp.waitForMails(email, nth, RESET_SUBJECT);
    return tokenIn(mails[nth - 1]);
  }

  function login(identity: Identity, password: string) {
    return t.http.post('/auth/login').send({ email: identity.email, password });
  }

  describe('POST /password/forgot', () => {
    it('answers 202 with the same body for a known and an unknown address', async () => {
      const { identity } = await verifiedUser(t);
      const unknown = newIdentity('nobody').email;
      const known = await t.http.post('/password/forgot').send({ email: identity.email });
      const missing = await t.http.post('/password/forgot').send({ email: unknown });
      expect(known.status).toBe(202);
      expect(missing.status).toBe(202);
      expect(missing.headers['content-type']).toBe(known.headers['content-type']);
      expect(missing.text).toBe(known.text);
      expect(known.body).toEqual({ status: 'accepted', message: expect.any(String) });

      await t.smtp.waitForMail(identity.email, RESET_SUBJECT);
      await t.app.get(MailService).drain();
      expect(t.smtp.mailsTo(unknown)).toHaveLength(0);
    });

    it('mails a link built from APP_URL to the stored address, whatever the request headers say', async () => {
      const { identity } = await verifiedUser(t);
      await t.http
        .post('/password/forgot')
        .set('Host', 'evil.example')
        .set('X-Forwarded-Host', 'evil.example')
        .set('X-Forwarded-Proto', 'https')
        .send({ email: `  ${identity.email.toUpperCase()}  ` })
        .expect(202);
      const mail = await t.smtp.waitForMail(identity.email, RESET_SUBJECT);
      expect(mail.to).toBe(identity.email);
      expect(mail.text).toMatch(
        /http:\/\/localhost:3000\/password\/reset\?token=[A-Za-z0-9_-]{43}\b/,
      );
      expect(mail.text).toContain(identity.username);
      expect(mail.text + mail.html).not.toContain('evil.example');
      expect(mail.html.replace(/&#x3D;/g, '=')).toContain(
        `http://localhost:3000/password/reset?token=${tokenIn(mail)}`,
      );
    });

    it('mails unverified accounts too (the reset then verifies them)', async () => {
      const { identity } = await signUp(t);
      expect(await forgot(identity.email)).toMatch(/^[A-Za-z0-9_-]{43}$/);
    });
  });

  describe('POST /password/reset', () => {
    it('sets the new password: login works with it, not with the old one', async () => {
      const { identity } = await verifiedUser(t);
      const token = await forgot(identity.email);
      const response = await t.http
        .post('/password/reset')
        .send({ token, new_password: NEW_PASSWORD })
        .expect(200);
      expect(response.body).toEqual({ status: 'success', message: 'Password has been reset' });
      expect((await login(identity, GOOD_PASSWORD)).body.code).toBe('INVALID_CREDENTIALS');
      await login(identity, NEW_PASSWORD).expect(200);
    });

    it('tells the owner by mail that the password was reset', async () => {
      const { identity } = await verifiedUser(t);
      const token = await forgot(identity.email);
      await t.http.post('/password/reset').send({ token, new_password: NEW_PASSWORD }).expect(200);
      const mail = await t.smtp.waitForMail(identity.email, CHANGED_SUBJECT);
      expect(mail.text).toContain(identity.username);
      expect(mail.text).toMatch(/was reset on \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} \(UTC\)/);
      expect(mail.text).not.toContain(NEW_PASSWORD);
    });

    it('revokes every session: old access and refresh tokens answer 401 SESSION_REVOKED', async () => {
      const user = await loggedInUser(t);
      await t.http.get('/users/me').set(bearer(user.accessToken)).expect(200);
      const token = await forgot(user.identity.email);
      await t.http.post('/password/reset').send({ token, new_password: NEW_PASSWORD }).expect(200);

      const me = await t.http.get('/users/me').set(bearer(user.accessToken)).expect(401);
      expect(me.body.code).toBe('SESSION_REVOKED');
      const refresh = await t.http
        .post('/auth/refresh')
        .send({ refresh_token: user.refreshToken })
        .expect(401);
      expect(refresh.body.code).toBe('SESSION_REVOKED');
      // The revoked session no longer blocks a login: nobody is locked out by a lost token.
      await login(user.identity, NEW_PASSWORD).expect(200);
    });

    it('works once: the same token again answers 400 INVALID_TOKEN', async () => {
      const { identity } = await verifiedUser(t);
      const token = await forgot(identity.email);
      await t.http.post('/password/reset').send({ token, new_password: NEW_PASSWORD }).expect(200);
      const again = await t.http
        .post('/password/reset')
        .send({ token, new_password: 'Another-Sturdy-Phrase-9' })
        .expect(400);
      expect(again.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(again.body).toMatchObject({ status: 400, code: 'INVALID_TOKEN' });
      await login(identity, NEW_PASSWORD).expect(200);
    });

    it('lets exactly one of several parallel requests with one token succeed', async () => {
      const { identity } = await verifiedUser(t);
      const token = await forgot(identity.email);
      const passwords = [0, 1, 2, 3, 4].map((i) => `Parallel-Harbor-Lamp-${i}${i}`);
      const results = await Promise.all(
        passwords.map((new_password) =>
          t.http.post('/password/reset').send({ token, new_password }),
        ),
      );
      expect(results.map((r) => r.status).sort()).toEqual([200, 400, 400, 400, 400]);
      expect(results.filter((r) => r.status === 400).map((r) => r.body.code)).toEqual(
        Array(4).fill('INVALID_TOKEN'),
      );
      const winner = passwords[results.findIndex((r) => r.status === 200)];
      for (const password of passwords.filter((p) => p !== winner)) {
        await login(identity, password).expect(401);
      }
      await login(identity, winner).expect(200);
      await t.smtp.waitForMail(identity.email, CHANGED_SUBJECT);
      await t.app.get(MailService).drain();
      expect(
        t.smtp.mailsTo(identity.email).filter((m) => CHANGED_SUBJECT.test(m.subject)),
      ).toHaveLength(1);
    });

    it('leaves no session started with the old password alive, however logins race the reset', async () => {
      const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
      const accounts = await Promise.all([1, 2, 3, 4, 5].map(() => verifiedUser(t)));
      const tokens = await Promise.all(accounts.map(({ identity }) => forgot(identity.email)));
      const rounds = await Promise.all(
        accounts.map(({ identity }, i) => {
          const { email, password } = identity;
          return Promise.all([
            t.http.post('/password/reset').send({ token: tokens[i], new_password: NEW_PASSWORD }),
            ...[0, 5, 10, 20, 40, 80].map((ms) =>
              sleep(ms).then(() =>
                t.http.post('/auth/login').send({ email, password, force: true }),
              ),
            ),
          ]);
        }),
      );
      for (const [reset, ...logins] of rounds) {
        expect(reset.status).toBe(200);
        for (const login of logins) {
          expect([200, 401]).toContain(login.status);
          if (login.status === 401) expect(login.body.code).toBe('INVALID_CREDENTIALS');
          if (login.status !== 200) continue;
          const check = await t.http.get('/session/active').set(bearer(login.body.access_token));
          expect(check.status).toBe(401);
          expect(['SESSION_REVOKED', 'SESSION_REPLACED']).toContain(check.body.code);
        }
      }
    });

    it('refuses the older token once a newer one was asked for', async () => {
      const { identity } = await verifiedUser(t);
      const older = await forgot(identity.email, 1);
      const newer = await forgot(identity.email, 2);
      expect(newer).not.toBe(older);
      const response = await t.http
        .post('/password/reset')
        .send({ token: older, new_password: NEW_PASSWORD })
        .expect(400);
      expect(response.body.code).toBe('INVALID_TOKEN');
      await t.http
        .post('/password/reset')
        .send({ token: newer, new_password: NEW_PASSWORD })
        .expect(200);
    });

    it('refuses a verification token (a token of the wrong kind), which stays usable where it belongs', async () => {
      const { identity, verificationToken } = await signUp(t);
      const response = await t.http
        .post('/password/reset')
        .send({ token: verificationToken, new_password: NEW_PASSWORD })
        .expect(400);
      expect(response.body.code).toBe('INVALID_TOKEN');
      await t.http.post('/verify/confirm').send({ token: verificationToken }).expect(200);
      await login(identity, GOOD_PASSWORD).expect(200);
    });

    it('refuses unknown tokens with 400 INVALID_TOKEN', async () => {
      for (const token of ['x', 'A'.repeat(43), 'not a token at all']) {
        const response = await t.http
          .post('/password/reset')
          .send({ token, new_password: NEW_PASSWORD })
          .expect(400);
        expect(response.body.code).toBe('INVALID_TOKEN');
      }
    });

    it('refuses a weak password with 400 WEAK_PASSWORD and keeps the token usable', async () => {
      const { identity } = await verifiedUser(t);
      const token = await forgot(identity.email);
      const weak = [
        'short',
        'password1',
        `x-${identity.username}-x`,
        `${identity.email.split('@')[0]}!!`,
      ];
      for (const new_password of weak) {
        const response = await t.http
          .post('/password/reset')
          .send({ token, new_password })
          .expect(400);
        expect(response.body).toMatchObject({
          code: 'WEAK_PASSWORD',
          errors: [{ field: 'new_password', message: expect.any(String) }],
        });
      }
      await login(identity, GOOD_PASSWORD).expect(200);
      await t.http.post('/password/reset').send({ token, new_password: NEW_PASSWORD }).expect(200);
      await login(identity, NEW_PASSWORD).expect(200);
    });

    it('verifies an unverified account: the link proved the address', async () => {
      const { identity } = await signUp(t);
      expect((await login(identity, GOOD_PASSWORD)).body.code).toBe('EMAIL_NOT_VERIFIED');
      const token = await forgot(identity.email);
      await t.http.post('/password/reset').send({ token, new_password: NEW_PASSWORD }).expect(200);
      const tokens = await login(identity, NEW_PASSWORD).expect(200);
      const me = await t.http.get('/users/me').set(bearer(tokens.body.access_token)).expect(200);
      expect(me.body.is_verified).toBe(true);
    });

    describe('token lifetime (the clock moved forward)', () => {
      afterEach(() => jest.useRealTimers());

      it('still accepts the token after 29 minutes', async () => {
        const { identity } = await verifiedUser(t);
        const token = await forgot(identity.email);
        moveClockBy(29 * 60 * 1000);
        await t.http
          .post('/password/reset')
          .send({ token, new_password: NEW_PASSWORD })
          .expect(200);
      });

      it('refuses the token after 30 minutes with 400 INVALID_TOKEN', async () => {
        const { identity } = await verifiedUser(t);
        const token = await forgot(identity.email);
        moveClockBy(30 * 60 * 1000 + 1000);
        const response = await t.http
          .post('/password/reset')
          .send({ token, new_password: NEW_PASSWORD })
          .expect(400);
        expect(response.body.code).toBe('INVALID_TOKEN');
      });
    });
  });

  describe('GET /password/reset', () => {
    it('serves a small HTML form under a strict CSP, with no inline script', async () => {
      const response = await t.http.get('/password/reset?token=abc_DEF-123').expect(200);
      expect(response.headers['content-type']).toMatch(/^text\/html/);
      const csp = response.headers['content-security-policy'];
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain('unsafe-inline');
      const html = response.text;
      expect(html).toMatch(/<form id="form" data-action="\/password\/reset" data-done="[^"]+">/);
      expect(html).toContain('<input type="hidden" id="token" value="abc_DEF-123">');
      expect(html).toMatch(
        /<input type="password" id="new_password"[^>]*autocomplete="new-password"[^>]*required>/,
      );
      expect(html).toMatch(/<label for="new_password">/);
      expect(html).toMatch(/<button type="submit">/);
      const scripts = html.match(/<script\b[^>]*>[\s\S]*?<\/script>/g) ?? [];
      expect(scripts).toEqual(['<script src="/assets/pages.js"></script>']);
      expect(html).not.toMatch(/\son[a-z]+\s*=/i);
      await t.http.get('/assets/pages.js').expect(200);
    });

    it('escapes the token it echoes and never consumes it', async () => {
      const hostile = '"><script>alert(1)</script>';
      const page = await t.http
        .get(`/password/reset?token=${encodeURIComponent(hostile)}`)
        .expect(200);
      expect(page.text).not.toContain('<script>alert');
      expect(page.text).toContain('&#34;&#62;&#60;script&#62;');

      const { identity } = await verifiedUser(t);
      const token = await forgot(identity.email);
      await t.http.get(`/password/reset?token=${token}`).expect(200);
      await t.http.post('/password/reset').send({ token, new_password: NEW_PASSWORD }).expect(200);
    });

    it('renders without a token', async () => {
      const page = await t.http.get('/password/reset').expect(200);
      expect(page.text).toContain('<input type="hidden" id="token" value="">');
    });
  });

  describe('hostile input', () => {
    const cases: Array<[string, string, unknown]> = [
      ['/password/forgot', 'an unknown field', { email: 'a@example.com', admin: true }],
      ['/password/forgot', 'a number for email', { email: 42 }],
      ['/password/forgot', 'an array for email', { email: ['a@example.com'] }],
      ['/password/forgot', 'a missing email', {}],
      ['/password/forgot', 'a malformed email', { email: 'not-an-email' }],
      ['/password/forgot', 'a header injection', { email: 'a@example.com\r\nBcc: x@evil.example' }],
      ['/password/forgot', 'an over-long email', { email: `${'a'.repeat(250)}@example.com` }],
      ['/password/reset', 'an unknown field', { token: 'x', new_password: NEW_PASSWORD, x: 1 }],
      ['/password/reset', 'a number for token', { token: 7, new_password: NEW_PASSWORD }],
      ['/password/reset', 'an object for the password', { token: 'x', new_password: { a: 1 } }],
      ['/password/reset', 'a null password', { token: 'x', new_password: null }],
      ['/password/reset', 'an empty token', { token: '', new_password: NEW_PASSWORD }],
      [
        '/password/reset',
        'an over-long token',
        { token: 'a'.repeat(257), new_password: NEW_PASSWORD },
      ],
      ['/password/reset', 'an over-long password', { token: 'x', new_password: 'p'.repeat(257) }],
      ['/password/reset', 'a missing password', { token: 'x' }],
    ];

    it.each(cases)('%s: %s answers 400 VALIDATION_FAILED', async (path, _why, body) => {
      const response = await t.http
        .post(path)
        .send(body as object)
        .expect(400);
      expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(response.body).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
      expect(response.body.errors.length).toBeGreaterThan(0);
    });

    it('answers 400 to a body that is not JSON', async () => {
      await t.http
        .post('/password/reset')
        .set('Content-Type', 'application/json')
        .send('{"token":')
        .expect(400);
    });
  });
});
