import { randomBytes } from 'node:crypto';
import { newIdentity, signUp, verifiedUser } from '../support/factories';
import { expectNoLeak, expectProblem, median, sameAnswerPart } from '../support/hostile';
import { tokenIn } from '../support/smtp-peer';
import { startTestApp, TestApp } from '../support/test-app';

/** Nobody can learn from an answer (or its timing) whether an account exists. */
describe('User enumeration', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  /** Three emails: nobody's, an unverified account's and a verified account's. */
  async function threeKindsOfEmail() {
    const unverified = await signUp(t);
    const verified = await verifiedUser(t);
    return {
      unknown: newIdentity('ghost').email,
      unverified: unverified.identity.email,
      verified: verified.identity.email,
    };
  }

  it.each(['/verify/send', '/password/forgot'])(
    'POST %s answers 202 with the same body for unknown, unverified and verified accounts',
    async (path) => {
      const emails = await threeKindsOfEmail();
      const answers = [];
      for (const email of [emails.unknown, emails.unverified, emails.verified]) {
        const response = await t.http.post(path).send({ email });
        expect(response.status).toBe(202);
        expectNoLeak(response);
        answers.push({ ...sameAnswerPart(response), raw: response.text });
      }
      expect(answers[1]).toEqual(answers[0]);
      expect(answers[2]).toEqual(answers[0]);
    },
  );

  it('POST /auth/login: unknown email and wrong password get the same 401; 403 only after the right password', async () => {
    const emails = await threeKindsOfEmail();
    const wrong = 'Wrong-Password-Entirely-1';
    const answers = [];
    for (const email of [emails.unknown, emails.unverified, emails.verified]) {
      const response = await t.http.post('/auth/login').send({ email, password: wrong });
      expectProblem(response, 401, 'INVALID_CREDENTIALS');
      expectNoLeak(response, wrong);
      answers.push(sameAnswerPart(response));
    }
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[2]).toEqual(answers[0]);

    const right = await t.http
      .post('/auth/login')
      .send({ email: emails.unverified, password: newIdentity().password });
    expectProblem(right, 403, 'EMAIL_NOT_VERIFIED');
  });

  describe('tokens: unknown, used and superseded get the same 400 INVALID_TOKEN', () => {
    const wellFormedUnknown = () => randomBytes(32).toString('base64url');

    it('POST /verify/confirm', async () => {
      const { identity, verificationToken: superseded } = await signUp(t);
      // A new link voids the older one: the old token looks just like an expired one.
      await t.http.post('/verify/send').send({ email: identity.email }).expect(202);
      const mails = await t.smtp.waitForMails(identity.email, 2, /Confirm/);
      const used = tokenIn(mails[mails.length - 1]);
      await t.http.post('/verify/confirm').send({ token: used }).expect(200);

      const answers = [];
      for (const token of [wellFormedUnknown(), used, superseded, 'x']) {
        const response = await t.http.post('/verify/confirm').send({ token });
        expectProblem(response, 400, 'INVALID_TOKEN');
        expectNoLeak(response, token.length > 3 ? token : '\u0001');
        answers.push(sameAnswerPart(response));
      }
      for (const answer of answers.slice(1)) expect(answer).toEqual(answers[0]);
    });

    it('POST /password/reset', async () => {
      const { identity } = await verifiedUser(t);
      await t.http.post('/password/forgot').send({ email: identity.email }).expect(202);
      const superseded = tokenIn(await t.smtp.waitForMail(identity.email, /Reset your password/));
      await t.http.post('/password/forgot').send({ email: identity.email }).expect(202);
      const mails = await t.smtp.waitForMails(identity.email, 2, /Reset your password/);
      const used = tokenIn(mails[mails.length - 1]);
      const newPassword = 'Another-Quiet-Lantern-7';
      await t.http
        .post('/password/reset')
        .send({ token: used, new_password: newPassword })
        .expect(200);

      const answers = [];
      for (const token of [wellFormedUnknown(), used, superseded, 'x']) {
        const response = await t.http
          .post('/password/reset')
          .send({ token, new_password: 'Yet-Another-Lantern-8' });
        expectProblem(response, 400, 'INVALID_TOKEN');
        expectNoLeak(response, 'Yet-Another-Lantern-8');
        answers.push(sameAnswerPart(response));
      }
      for (const answer of answers.slice(1)) expect(answer).toEqual(answers[0]);
    });
  });

  it('signup is the documented exception: a taken email is 409 EMAIL_TAKEN', async () => {
    const { identity } = await signUp(t);
    const response = await t.http
      .post('/auth/signup')
      .send({ ...newIdentity(), email: identity.email });
    expectProblem(response, 409, 'EMAIL_TAKEN');
  });

  it('POST /auth/login takes about as long for an unknown email as for a wrong password', async () => {
    const { identity } = await verifiedUser(t);
    const attempt = async (email: string) => {
      const started = process.hrtime.bigint();
      const response = await t.http
        .post('/auth/login')
        .send({ email, password: 'Wrong-Password-Entirely-1' });
      const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
      expect(response.status).toBe(401);
      return elapsed;
    };
    // Warm both paths, then interleave so that machine load hits both alike.
    await attempt(identity.email);
    await attempt(newIdentity('ghost').email);
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 15; i += 1) {
      known.push(await attempt(identity.email));
      unknown.push(await attempt(newIdentity('ghost').email));
    }
    const ratio = median(unknown) / median(known);
    expect(ratio).toBeGreaterThan(0.5);
    expect(ratio).toBeLessThan(2);
  });
});
