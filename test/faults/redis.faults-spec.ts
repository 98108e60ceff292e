import { sleep, waitFor } from '../support/processes';
import { loggedInUser, Reply, Service } from './support/service';
import { Stack } from './support/stack';

/** The README's promise: with Redis away, a request waits for it one second at most. */
const REDIS_BOUND_MS = 1000;
/** Scheduling noise on a loaded CI machine, on top of the request's own cost measured before. */
const MARGIN_MS = 400;

/** Rate limits on (they use Redis), but high enough for the suite's own traffic. */
const THROTTLE = {
  THROTTLE_ENABLED: 'true',
  THROTTLE_SIGNUP_PER_IP: '1000/3600',
  THROTTLE_SIGNUP_PER_ACCOUNT: '100/3600',
  THROTTLE_LOGIN_PER_IP: '1000/300',
  THROTTLE_LOGIN_PER_ACCOUNT: '100/900',
  THROTTLE_VERIFY_CONFIRM_PER_IP: '1000/900',
};

const sessionCheck = (service: Service, token: string) =>
  service.call('GET', '/session/active', { token, timeoutMs: 10_000 });
const logout = (service: Service, token: string) =>
  service.call('POST', '/auth/logout', { token, timeoutMs: 10_000 });

/** `reply` came with `status`, at most a second later than the same request with Redis up. */
function expectWithinBound(reply: Reply, what: string, status: number, baselineMs: number): void {
  console.log(`${what}: ${reply.status} in ${reply.ms} ms (${baselineMs} ms with Redis up)`);
  expect({ what, status: reply.status }).toEqual({ what, status });
  expect(reply.ms).toBeLessThan(baselineMs + REDIS_BOUND_MS + MARGIN_MS);
}

/**
 * Redis answering again, as this instance sees it, and its session copy in use again (the
 * first session check after an outage moves it to a new epoch, off the request's path).
 */
async function redisBack(service: Service, token: string): Promise<void> {
  await waitFor('Redis back', 20_000, async () => {
    const ready = await service.call('GET', '/health/ready');
    return ready.status === 200 && (ready.body.checks as { redis?: string }).redis === 'up';
  });
  await sessionCheck(service, token);
  await sleep(200);
  expect((await sessionCheck(service, token)).status).toBe(200);
}

describe('Redis killed or frozen: the one-second bound, and no logged-out token accepted (faults)', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await Stack.start({ redis: true, env: THROTTLE });
  }, 120_000);

  // A failed scenario must not leave the next one without a database or Redis.
  afterEach(async () => {
    await Promise.all([stack?.db.ensureRunning(), stack?.redis?.ensureRunning()]);
  }, 60_000);

  afterAll(async () => {
    await stack?.close();
  }, 60_000);

  it('frozen: a logout, a login and a session check each wait at most a second for it', async () => {
    const { service, smtp } = stack;
    const redis = stack.redis!;
    const leaving = await loggedInUser(service, smtp);
    const staying = await loggedInUser(service, smtp);
    const returning = await loggedInUser(service, smtp);
    for (const user of [leaving, staying, returning])
      expect((await sessionCheck(service, user.token)).status).toBe(200); // now in Redis
    // What each request costs with Redis up (a login hashes a password).
    const checkMs = (await sessionCheck(service, staying.token)).ms;
    const loginMs = (await service.login(returning.email)).ms;
    const spare = await loggedInUser(service, smtp);
    const logoutMs = (await logout(service, spare.token)).ms;

    // Each kind of request is the first one after a freeze, when nothing is known yet.
    redis.freeze();
    try {
      expectWithinBound(
        await logout(service, leaving.token),
        'logout, Redis frozen',
        200,
        logoutMs,
      );
      const refused = await sessionCheck(service, leaving.token);
      expect([refused.status, refused.body.code]).toEqual([401, 'SESSION_ENDED']);
      expectWithinBound(
        await sessionCheck(service, staying.token),
        'session check, Redis frozen',
        200,
        checkMs,
      );
    } finally {
      redis.thaw();
    }
    await redisBack(service, staying.token);
    const afterThaw = await sessionCheck(service, leaving.token);
    expect([afterThaw.status, afterThaw.body.code]).toEqual([401, 'SESSION_ENDED']);

    redis.freeze();
    try {
      expectWithinBound(await service.login(returning.email), 'login, Redis frozen', 200, loginMs);
    } finally {
      redis.thaw();
    }
    await redisBack(service, staying.token);

    redis.freeze();
    try {
      const checks = await Promise.all(
        [staying, staying, staying].map((user) => sessionCheck(service, user.token)),
      );
      checks.forEach((check, index) =>
        expectWithinBound(check, `parallel session check ${index + 1}, Redis frozen`, 200, checkMs),
      );
    } finally {
      redis.thaw();
    }
    await redisBack(service, staying.token);
    expect((await sessionCheck(service, leaving.token)).status).toBe(401);
    expect((await sessionCheck(service, staying.token)).status).toBe(200);
  }, 120_000);

  it('killed: answers stay within the bound, a logged-out token is refused before and after it is back', async () => {
    const { service, smtp } = stack;
    const redis = stack.redis!;
    const leaving = await loggedInUser(service, smtp);
    const staying = await loggedInUser(service, smtp);
    for (const user of [leaving, staying])
      expect((await sessionCheck(service, user.token)).status).toBe(200);
    const checkMs = (await sessionCheck(service, staying.token)).ms;

    await redis.kill();
    // A logout reads the session and writes; twice a session check's cost is generous.
    expectWithinBound(
      await logout(service, leaving.token),
      'logout, Redis killed',
      200,
      2 * checkMs,
    );
    expect((await sessionCheck(service, leaving.token)).status).toBe(401);
    expectWithinBound(
      await sessionCheck(service, staying.token),
      'session check, Redis killed',
      200,
      checkMs,
    );

    await redis.restart();
    await redisBack(service, staying.token);
    const refused = await sessionCheck(service, leaving.token);
    expect([refused.status, refused.body.code]).toEqual([401, 'SESSION_ENDED']);
    expect((await sessionCheck(service, staying.token)).status).toBe(200);
  }, 120_000);

  it('database stopped: sessions Redis holds keep working; the rest get 503', async () => {
    const { service, smtp, db } = stack;
    const user = await loggedInUser(service, smtp);
    expect((await sessionCheck(service, user.token)).status).toBe(200); // now in Redis

    await db.stop();
    try {
      const check = await sessionCheck(service, user.token);
      expect(check.status).toBe(200);
      const login = await service.login(user.email);
      expect([login.status, login.body.code]).toEqual([503, 'SERVICE_UNAVAILABLE']);
    } finally {
      await db.restart();
    }
    await waitFor(
      'the database back',
      20_000,
      async () => (await service.login(user.email)).status === 200,
    );
  }, 120_000);
});
