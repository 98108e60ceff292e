import { GOOD_PASSWORD } from '../support/factories';
import { totp } from '../support/totp';
import { Cluster, Instance } from './harness';

/**
 * Two-factor login over two instances: the pending secret, the mfa_token and the last accepted
 * time step live in the shared database, so a code or recovery code spent on one instance is
 * refused on the other.
 */
describe('several instances: two-factor login', () => {
  let c: Cluster;

  beforeAll(async () => {
    c = await Cluster.start();
  }, 120_000);

  afterAll(async () => {
    await c?.close();
  });

  const mfaToken = async (on: Instance, email: string) => {
    const first = await on.login(email);
    expect(first.body).toMatchObject({ mfa_required: true });
    return first.body.mfa_token as string;
  };

  it('enrols across instances; a code or recovery code used on one is refused on the other', async () => {
    const user = await c.loggedInUser(c.a);
    const setup = await c.a.call('POST', '/mfa/totp/setup', {
      token: user.token,
      body: { password: GOOD_PASSWORD },
    });
    expect(setup.status).toBe(200);
    const secret = setup.body.secret as string;
    const confirmed = await c.b.call('POST', '/mfa/totp/confirm', {
      token: user.token,
      body: { code: totp(secret) },
    });
    expect(confirmed.status).toBe(200);
    const [recoveryCode] = confirmed.body.recovery_codes as string[];

    // The next step's code (one step ahead is accepted): the confirming step is spent.
    const code = totp(secret, Date.now() + 30_000);
    const tokenOnA = await mfaToken(c.a, user.email);
    const onA = await c.a.call('POST', '/auth/login/mfa', {
      body: { mfa_token: tokenOnA, code, force: true },
    });
    expect(onA.status).toBe(200);
    const onB = await c.b.call('POST', '/auth/login/mfa', {
      body: { mfa_token: await mfaToken(c.b, user.email), code, force: true },
    });
    expect([onB.status, onB.body.code]).toEqual([401, 'MFA_CODE_INVALID']);

    // An mfa_token from A works on B; its recovery code is then spent on A too.
    const withRecovery = await c.b.call('POST', '/auth/login/mfa', {
      body: {
        mfa_token: await mfaToken(c.a, user.email),
        recovery_code: recoveryCode,
        force: true,
      },
    });
    expect(withRecovery.status).toBe(200);
    const again = await c.a.call('POST', '/auth/login/mfa', {
      body: {
        mfa_token: await mfaToken(c.a, user.email),
        recovery_code: recoveryCode,
        force: true,
      },
    });
    expect([again.status, again.body.code]).toEqual([401, 'MFA_CODE_INVALID']);
    const active = await c.a.sessionActive(withRecovery.body.access_token as string);
    expect(active.body).toMatchObject({ session: { mfa: true } });
  });
});
