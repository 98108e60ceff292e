import { Cluster, sleep } from './harness';

/** Rate limits, login back-off and mail caps count in Redis: every instance sees one count. */
describe('several instances: shared limits', () => {
  let c: Cluster;

  beforeAll(async () => {
    c = await Cluster.start({
      THROTTLE_ENABLED: 'true',
      THROTTLE_VERIFY_SEND_PER_ACCOUNT: '4/60',
      LOGIN_BACKOFF_THRESHOLD: '3',
      MAIL_CAP_PER_HOUR: '2',
    });
  }, 120_000);

  afterAll(async () => {
    await c?.close();
  });

  it('a per-account limit counts requests on both instances: alternating A/B, the 5th is 429', async () => {
    const email = `limits.${Date.now()}@example.com`;
    const statuses: number[] = [];
    for (let i = 0; i < 6; i += 1) {
      const reply = await (i % 2 === 0 ? c.a : c.b).call('POST', '/verify/send', {
        body: { email },
      });
      statuses.push(reply.status);
      if (reply.status === 429) {
        expect(reply.body.code).toBe('TOO_MANY_REQUESTS');
        expect(Number(reply.headers.get('retry-after'))).toBeGreaterThan(0);
      }
    }
    expect(statuses).toEqual([202, 202, 202, 202, 429, 429]);
  });

  it('login back-off counts failures on both instances', async () => {
    const user = await c.verifiedUser();
    const wrong = { email: user.email, password: 'Not-The-Password-1' };
    const failures = [];
    for (let i = 0; i < 3; i += 1) {
      failures.push(
        (await (i % 2 === 0 ? c.a : c.b).call('POST', '/auth/login', { body: wrong })).status,
      );
    }
    expect(failures).toEqual([401, 401, 401]);
    // Blocked everywhere, even with the right password.
    for (const instance of [c.b, c.a]) {
      const blocked = await instance.login(user.email);
      expect([instance.name, blocked.status, blocked.body.code]).toEqual([
        instance.name,
        429,
        'TOO_MANY_REQUESTS',
      ]);
    }
  });

  it('the hourly mail cap counts mails sent by both instances', async () => {
    const user = await c.verifiedUser();
    for (let i = 0; i < 4; i += 1) {
      const reply = await (i % 2 === 0 ? c.a : c.b).call('POST', '/password/forgot', {
        body: { email: user.email },
      });
      expect(reply.status).toBe(202);
    }
    await c.smtp.waitForMails(user.email, 2, /reset/i);
    await sleep(1000);
    expect(c.smtp.mailsTo(user.email).filter((mail) => /reset/i.test(mail.subject))).toHaveLength(
      2,
    );
  });
});
