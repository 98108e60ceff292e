import { newIdentity, signUp, verifiedUser } from '../support/factories';
import { expectFieldRefused, expectProblem, fullWidth } from '../support/hostile';
import { startTestApp, TestApp } from '../support/test-app';

/** Cyrillic letters that look like Latin ones. */
const CYRILLIC = { a: '\u0430', e: '\u0435', o: '\u043e', p: '\u0440', c: '\u0441' };

describe('Look-alike and case variants of usernames and emails', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  const signup = (body: object) => t.http.post('/auth/signup').send({ ...newIdentity(), ...body });

  describe('usernames', () => {
    it('a username differing only in case is taken: 409 USERNAME_TAKEN', async () => {
      const { identity } = await signUp(t);
      for (const username of [
        identity.username.toUpperCase(),
        identity.username[0].toUpperCase() + identity.username.slice(1),
      ]) {
        expectProblem(await signup({ username }), 409, 'USERNAME_TAKEN');
      }
    });

    it('a full-width username (NFKC-equal) is taken: 409 USERNAME_TAKEN', async () => {
      const { identity } = await signUp(t);
      expectProblem(
        await signup({ username: fullWidth(identity.username) }),
        409,
        'USERNAME_TAKEN',
      );
      expectProblem(
        await signup({ username: fullWidth(identity.username.toUpperCase()) }),
        409,
        'USERNAME_TAKEN',
      );
    });

    it('a compatibility ligature folds to its letters: "ﬁ" clashes with "fi"', async () => {
      const { identity } = await signUp(t, newIdentity('fi'));
      expectProblem(
        await signup({ username: identity.username.replace(/^fi/, '\ufb01') }),
        409,
        'USERNAME_TAKEN',
      );
    });

    it('stores the NFKC form: a full-width name signs up as plain ASCII', async () => {
      const plain = newIdentity('wide').username;
      const response = await signup({ username: fullWidth(plain) });
      expect(response.status).toBe(201);
      expect(response.body.user.username).toBe(plain);
    });

    it('refuses Cyrillic look-alike letters in a username with 400', async () => {
      const { identity } = await signUp(t, newIdentity('apple'));
      const lookalike = identity.username.replace('a', CYRILLIC.a).replace('e', CYRILLIC.e);
      expect(lookalike).not.toBe(identity.username);
      expectFieldRefused(await signup({ username: lookalike }), 'username');
    });
  });

  describe('emails', () => {
    it('upper-case and padded variants are the same account: 409 at signup, login works', async () => {
      const { identity } = await verifiedUser(t);
      for (const email of [
        identity.email.toUpperCase(),
        `  ${identity.email}\t`,
        ` ${identity.email.toUpperCase()} `,
      ]) {
        expectProblem(await signup({ email }), 409, 'EMAIL_TAKEN');
      }
      const login = await t.http
        .post('/auth/login')
        .send({ email: ` ${identity.email.toUpperCase()} `, password: identity.password });
      expect(login.status).toBe(200);
    });

    it('a reset asked for an upper-case variant is mailed to the stored address', async () => {
      const { identity } = await verifiedUser(t);
      await t.http
        .post('/password/forgot')
        .send({ email: identity.email.toUpperCase() })
        .expect(202);
      const mail = await t.smtp.waitForMail(identity.email, /Reset your password/);
      expect(mail.to).toBe(identity.email);
    });

    it('refuses Cyrillic look-alike letters in the local part with 400 everywhere', async () => {
      const { identity } = await verifiedUser(t, newIdentity('cope'));
      const lookalike = identity.email.replace('c', CYRILLIC.c).replace('o', CYRILLIC.o);
      expect(lookalike).not.toBe(identity.email);
      expectFieldRefused(await signup({ email: lookalike }), 'email');
      expectFieldRefused(await t.http.post('/verify/send').send({ email: lookalike }), 'email');
      expectFieldRefused(await t.http.post('/password/forgot').send({ email: lookalike }), 'email');
      expectFieldRefused(
        await t.http.post('/auth/login').send({ email: lookalike, password: identity.password }),
        'email',
      );
    });

    it('refuses a Cyrillic look-alike domain with 400 everywhere (ASCII only; IDNs in punycode)', async () => {
      const { identity } = await verifiedUser(t);
      const lookalike = identity.email.replace('example', `ex${CYRILLIC.a}m${CYRILLIC.p}le`);
      expectFieldRefused(
        await t.http.post('/auth/login').send({ email: lookalike, password: identity.password }),
        'email',
      );
      expectFieldRefused(await signup({ email: lookalike }), 'email');
      expectFieldRefused(await t.http.post('/verify/send').send({ email: lookalike }), 'email');
      expectFieldRefused(await t.http.post('/password/forgot').send({ email: lookalike }), 'email');
      await t.http.post('/password/forgot').send({ email: identity.email }).expect(202);
      await t.smtp.waitForMail(identity.email, /Reset your password/);
      expect(t.smtp.mailsTo(identity.email).filter((m) => /Reset/.test(m.subject))).toHaveLength(1);
    });

    it('folds the Kelvin sign to "k" (Unicode lower-casing): the same account, mail to the stored address', async () => {
      const { identity } = await verifiedUser(t, newIdentity('kate'));
      const kelvin = identity.email.replace(/^k/, '\u212a');
      expect(kelvin).not.toBe(identity.email);
      expectProblem(await signup({ email: kelvin }), 409, 'EMAIL_TAKEN');
      await t.http.post('/password/forgot').send({ email: kelvin }).expect(202);
      const mail = await t.smtp.waitForMail(identity.email, /Reset your password/);
      expect(mail.to).toBe(identity.email);
      expect(mail.raw).not.toContain('\u212a');
    });
  });
});
