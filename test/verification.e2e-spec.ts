import { MailService } from '../src/mail/mail.service';
import { bearer, newIdentity, signUp, verifiedUser } from './support/factories';
import { tokenIn } from './support/smtp-peer';
import { startTestApp, TestApp } from './support/test-app';

const CONFIRM_SUBJECT = /Confirm your email/;

describe('Email verification', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  /** Every mail queued so far has reached the SMTP peer (or failed). */
  const mailsSettled = () => t.app.get(MailService).drain();

  const login = (identity: { email: string; password: string }) =>
    t.http.post('/auth/login').send({ email: identity.email, password: identity.password });

  describe('POST /verify/confirm', () => {
    it('verifies the account with the token from the signup mail', async () => {
      const { identity, verificationToken } = await signUp(t);
      const unverified = await login(identity).expect(403);
      expect(unverified.body.code).toBe('EMAIL_NOT_VERIFIED');

      const confirmed = await t.http
        .post('/verify/confirm')
        .send({ token: verificationToken })
        .expect(200);
      expect(confirmed.body).toEqual({ status: 'success', message: 'Email verified' });

      const loggedIn = await login(identity).expect(200);
      const me = await t.http
        .get('/users/me')
        .set(bearer(loggedIn.body.access_token as string))
        .expect(200);
      expect(me.body).toMatchObject({ email: identity.email, is_verified: true });
    });

    it('refuses a token that was already used with 400 INVALID_TOKEN', async () => {
      const { verificationToken } = await verifiedUser(t);
      const again = await t.http
        .post('/verify/confirm')
        .send({ token: verificationToken })
        .expect(400);
      expect(again.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(again.body).toMatchObject({ status: 400, code: 'INVALID_TOKEN' });
    });

    it.each([
      ['an unknown well-formed token', 'A'.repeat(43)],
      ['garbage', '../../etc/passwd?<script>'],
      ['a single character', 'x'],
    ])('refuses %s with 400 INVALID_TOKEN', async (_label, token) => {
      const response = await t.http.post('/verify/confirm').send({ token }).expect(400);
      expect(response.body).toMatchObject({ status: 400, code: 'INVALID_TOKEN' });
    });

    it.each([
      ['an empty token', { token: '' }],
      ['a number', { token: 12345 }],
      ['no token', {}],
    ])('refuses %s with 400 naming the token field', async (_label, body) => {
      const response = await t.http.post('/verify/confirm').send(body).expect(400);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.body.errors).toEqual(
        expect.arrayContaining([expect.objectContaining({ field: 'token' })]),
      );
    });

    it('lets only one of several racing confirmations with one token succeed', async () => {
      const { verificationToken } = await signUp(t);
      const results = await Promise.all(
        [0, 1, 2].map(() => t.http.post('/verify/confirm').send({ token: verificationToken })),
      );
      expect(results.map((r) => r.status).sort()).toEqual([200, 400, 400]);
    });
  });

  describe('GET /verify/confirm', () => {
    it('serves a page with a strict CSP and never consumes the token', async () => {
      const { identity, verificationToken } = await signUp(t);
      const page = await t.http
        .get('/verify/confirm')
        .query({ token: verificationToken })
        .expect(200);
      expect(page.headers['content-type']).toMatch(/^text\/html/);
      const csp = page.headers['content-security-policy'] as string;
      expect(csp).toMatch(/script-src 'self'/);
      expect(csp).not.toContain('unsafe-inline');
      expect(csp).toMatch(/frame-ancestors 'none'/);
      expect(page.text).toContain(verificationToken);
      // Every <script> loads a file; none carries inline code.
      const scripts = page.text.match(/<script\b[^>]*>[\s\S]*?<\/script>/gi) ?? [];
      expect(scripts.length).toBeGreaterThan(0);
      for (const script of scripts) {
        expect(script).toMatch(/^<script\b[^>]*\bsrc="[^"]+"[^>]*><\/script>$/i);
      }
      // Fetching it twice (a mail scanner, then the person) changes nothing.
      await t.http.get('/verify/confirm').query({ token: verificationToken }).expect(200);
      await login(identity).expect(403);

      await t.http.post('/verify/confirm').send({ token: verificationToken }).expect(200);
      await login(identity).expect(200);
    });

    it('serves the page whose script it names', async () => {
      const page = await t.http.get('/verify/confirm').query({ token: 'abc' }).expect(200);
      const src = /<script\b[^>]*\bsrc="([^"]+)"/.exec(page.text)?.[1];
      expect(src).toBeDefined();
      const script = await t.http.get(src as string).expect(200);
      expect(script.headers['content-type']).toMatch(/javascript/);
      expect(script.text).toContain('data-action');
    });

    it('escapes whatever arrives in the token parameter', async () => {
      const page = await t.http
        .get('/verify/confirm')
        .query({ token: '"><script>alert(1)</script>' })
        .expect(200);
      expect(page.text).not.toContain('<script>alert(1)</script>');
    });
  });

  describe('POST /verify/send', () => {
    it('gives one answer for unknown, unverified and verified addresses', async () => {
      const { identity: unverified } = await signUp(t);
      const { identity: verified } = await verifiedUser(t);
      const unknown = newIdentity('nobody');

      const answers = await Promise.all(
        [unknown.email, unverified.email, verified.email].map((email) =>
          t.http.post('/verify/send').send({ email }).expect(202),
        ),
      );
      const [first, ...rest] = answers;
      expect(first.body).toEqual({ status: 'accepted', message: expect.any(String) });
      for (const answer of rest) {
        expect(answer.text).toBe(first.text);
        expect(answer.headers['content-type']).toBe(first.headers['content-type']);
      }
    });

    it('mails a new link to an unverified account and voids the older one', async () => {
      const { identity, verificationToken: older } = await signUp(t);
      await t.http.post('/verify/send').send({ email: identity.email.toUpperCase() }).expect(202);
      const mails = await t.smtp.waitForMails(identity.email, 2, CONFIRM_SUBJECT);
      const newer = tokenIn(mails[1]);
      expect(newer).not.toBe(older);

      const stale = await t.http.post('/verify/confirm').send({ token: older }).expect(400);
      expect(stale.body.code).toBe('INVALID_TOKEN');
      await t.http.post('/verify/confirm').send({ token: newer }).expect(200);
      await login(identity).expect(200);
    });

    it('sends nothing for an unknown address', async () => {
      const unknown = newIdentity('ghost');
      await t.http.post('/verify/send').send({ email: unknown.email }).expect(202);
      await mailsSettled();
      expect(t.smtp.mailsTo(unknown.email)).toHaveLength(0);
    });

    it('sends nothing for an address that is already verified', async () => {
      const { identity } = await verifiedUser(t);
      await mailsSettled();
      const before = t.smtp.mailsTo(identity.email).length;
      await t.http.post('/verify/send').send({ email: identity.email }).expect(202);
      await mailsSettled();
      expect(t.smtp.mailsTo(identity.email)).toHaveLength(before);
    });

    it('refuses a malformed address with 400 naming the field', async () => {
      const response = await t.http
        .post('/verify/send')
        .send({ email: 'not-an-address' })
        .expect(400);
      expect(response.body.errors).toEqual([expect.objectContaining({ field: 'email' })]);
    });
  });
});
