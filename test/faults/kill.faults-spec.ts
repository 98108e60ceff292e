import { sleep } from '../support/processes';
import { loggedInUser, Reply, verifiedUser } from './support/service';
import { Stack } from './support/stack';

const PASSWORD = 'Quiet-Lantern-Orbit-42';

type Outcome = Reply | null; // null: no answer (the process died first)

describe('SIGKILL mid-burst: every answered write is durable, the audit chain verifies (faults)', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await Stack.start();
  }, 120_000);

  afterAll(async () => {
    await stack?.close();
  }, 60_000);

  it('signups, logins and logouts answered before the kill are all there after the restart', async () => {
    const { service, smtp } = stack;
    const loginTargets = [];
    for (let i = 0; i < 12; i += 1) loginTargets.push(await verifiedUser(service, smtp));
    const logoutTargets = [];
    for (let i = 0; i < 8; i += 1) logoutTargets.push(await loggedInUser(service, smtp));

    let answers = 0;
    const answer = (request: Promise<Reply>): Promise<Outcome> =>
      request.then(
        (reply) => {
          answers += 1;
          return reply;
        },
        () => null,
      );
    const tag = Date.now().toString(36);
    const signups = Array.from({ length: 16 }, (_, i) => ({
      username: `burst_${tag}_${i}`,
      email: `burst.${tag}.${i}@example.com`,
      password: PASSWORD,
    }));
    // Interleaved: argon2 serves them in the order they came, so both kinds get answered.
    const logins: Array<Promise<Outcome>> = [];
    const signupReplies: Array<Promise<Outcome>> = [];
    for (let i = 0; i < Math.max(loginTargets.length, signups.length); i += 1) {
      if (i < loginTargets.length) logins.push(answer(service.login(loginTargets[i].email)));
      if (i < signups.length) {
        const body = signups[i];
        signupReplies.push(
          answer(service.call('POST', '/auth/signup', { body, timeoutMs: 20_000 })),
        );
      }
    }
    const logouts = logoutTargets.map((user) =>
      answer(service.call('POST', '/auth/logout', { token: user.token, timeoutMs: 20_000 })),
    );
    // Killed mid-burst: once half of the requests have been answered (argon2 paces them).
    const deadline = Date.now() + 15_000;
    while (answers < 18 && Date.now() < deadline) await sleep(10);
    await service.kill();
    const [signedUp, loggedIn, loggedOut] = await Promise.all([
      Promise.all(signupReplies),
      Promise.all(logins),
      Promise.all(logouts),
    ]);
    const answered = (outcomes: Outcome[]) => outcomes.filter((outcome) => outcome !== null).length;
    console.log(
      `answered before the kill: signups ${answered(signedUp)}/${signedUp.length}, logins ${answered(loggedIn)}/${loggedIn.length}, logouts ${answered(loggedOut)}/${loggedOut.length}`,
    );

    const total = signedUp.length + loggedIn.length + loggedOut.length;
    const unanswered = total - answered(signedUp) - answered(loggedIn) - answered(loggedOut);
    expect(unanswered).toBeGreaterThan(0); // the kill did land mid-burst

    await service.restart();
    for (const [index, reply] of signedUp.entries()) {
      if (reply?.status !== 201) continue;
      // The account exists with that password: it is only waiting for its email to be verified.
      const login = await service.login(signups[index].email);
      expect([signups[index].email, login.body.code]).toEqual([
        signups[index].email,
        'EMAIL_NOT_VERIFIED',
      ]);
    }
    for (const reply of loggedIn) {
      if (reply?.status !== 200) continue;
      const check = await service.call('GET', '/session/active', {
        token: reply.body.access_token as string,
      });
      expect(check.status).toBe(200);
    }
    for (const [index, reply] of loggedOut.entries()) {
      if (reply === null || reply.status >= 300) continue;
      const check = await service.call('GET', '/session/active', {
        token: logoutTargets[index].token,
      });
      expect([check.status, check.body.code]).toEqual([401, 'SESSION_ENDED']);
    }

    // What `npm run audit:verify` runs, with the service's configuration.
    const verdict = await service.script('scripts/audit-verify.ts');
    expect(verdict.stdout).toMatch(/^OK: \d+ audit rows verified/);
  }, 180_000);
});
