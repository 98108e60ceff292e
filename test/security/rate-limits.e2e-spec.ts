import { newIdentity, signUp } from '../support/factories';
import { startTestApp, TestApp } from '../support/test-app';

describe('Rate limits and mail caps (THROTTLE_ENABLED=true)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({
      THROTTLE_ENABLED: 'true',
      THROTTLE_VERIFY_SEND_PER_IP: '1000/60',
      THROTTLE_VERIFY_SEND_PER_ACCOUNT: '4/60',
      THROTTLE_VERIFY_CONFIRM_PER_IP: '3/60',
      THROTTLE_SIGNUP_PER_IP: '1000/60',
      THROTTLE_SIGNUP_PER_ACCOUNT: '1000/60',
      MAIL_CAP_PER_HOUR: '3',
    });
  });
  afterAll(() => t.close());

  it('limits one account across letter case with 429 problem details and Retry-After', async () => {
    const email = newIdentity().email;
    const variants = [email, email.toUpperCase(), ` ${email} `, email, email.toUpperCase()];
    const statuses: number[] = [];
    let last;
    for (const variant of variants) {
      last = await t.http.post('/verify/send').send({ email: variant });
      statuses.push(last.status);
    }
    expect(statuses).toEqual([202, 202, 202, 202, 429]);
    expect(last!.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(Number(last!.headers['retry-after'])).toBeGreaterThan(0);
    expect(last!.body).toMatchObject({ status: 429, code: 'TOO_MANY_REQUESTS' });
  });

  it('limits per client IP on endpoints without an account', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i += 1) {
      statuses.push((await t.http.post('/verify/confirm').send({ token: `nope-${i}` })).status);
    }
    expect(statuses).toEqual([400, 400, 400, 429]);
  });

  it('sends at most 3 verification mails an hour per address while answering 202 every time', async () => {
    const { identity } = await signUp(t); // the signup mail is the first of three
    for (let i = 0; i < 3; i += 1) {
      const response = await t.http.post('/verify/send').send({ email: identity.email });
      expect(response.status).toBe(202);
    }
    await t.smtp.waitForMails(identity.email, 3);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(t.smtp.mailsTo(identity.email)).toHaveLength(3);
  });
});

describe('Rate limits off (THROTTLE_ENABLED=false)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({
      THROTTLE_ENABLED: 'false',
      THROTTLE_VERIFY_CONFIRM_PER_IP: '1/60',
      THROTTLE_VERIFY_SEND_PER_ACCOUNT: '1/60',
    });
  });
  afterAll(() => t.close());

  it('never answers 429, per IP or per account', async () => {
    const email = newIdentity().email;
    for (let i = 0; i < 4; i += 1) {
      expect((await t.http.post('/verify/confirm').send({ token: `nope-${i}` })).status).toBe(400);
      expect((await t.http.post('/verify/send').send({ email })).status).toBe(202);
    }
  });
});
