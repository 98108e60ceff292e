import { sleep, waitFor } from '../support/processes';
import { loggedInUser, LogLine, Reply, verifiedUser } from './support/service';
import { Stack } from './support/stack';

/** Short, so that the frozen-database case stays quick; the default is 5000. */
const DB_TIMEOUT_MS = 2000;
/** Slack for a loaded CI machine on top of the bounds the service promises. */
const MARGIN_MS = 1500;

/** What a client must see from a request that needed the database while it is away. */
function expectUnavailable(reply: Reply, what: string): void {
  expect({ what, status: reply.status, code: reply.body.code }).toEqual({
    what,
    status: 503,
    code: 'SERVICE_UNAVAILABLE',
  });
  expect(Number(reply.headers.get('retry-after'))).toBeGreaterThan(0);
  expect(reply.headers.get('content-type')).toMatch(/application\/problem\+json/);
}

/** Log lines carrying a stack (an `err` with its stack, or a message mentioning one). */
const withStack = (lines: LogLine[]) =>
  lines.filter((line) => JSON.stringify(line).includes('    at '));

describe('database down: 503 SERVICE_UNAVAILABLE, bounded waits, recovery (faults)', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await Stack.start({ env: { DB_TIMEOUT_MS: String(DB_TIMEOUT_MS) } });
  }, 120_000);

  // A failed scenario must not leave the next one without a database.
  afterEach(async () => {
    await stack?.db.ensureRunning();
  }, 60_000);

  afterAll(async () => {
    await stack?.close();
  }, 60_000);

  it('stopped: every request that needs it gets 503 with Retry-After, never 401 or 500, one log line each; back after a restart', async () => {
    const { service, smtp, db } = stack;
    const holder = await loggedInUser(service, smtp);
    const other = await verifiedUser(service, smtp);
    const refresher = await loggedInUser(service, smtp);

    await db.stop();
    const before = service.lines.length;
    const timeoutMs = DB_TIMEOUT_MS * 3;
    const replies: Array<[string, Reply]> = [];
    for (let round = 0; round < 4; round += 1) {
      replies.push(
        [
          'session check with a valid token',
          await service.call('GET', '/session/active', { token: holder.token, timeoutMs }),
        ],
        [
          'login',
          await service.call('POST', '/auth/login', {
            body: { email: other.email, password: 'Quiet-Lantern-Orbit-42' },
            timeoutMs,
          }),
        ],
        [
          'refresh',
          await service.call('POST', '/auth/refresh', {
            body: { refresh_token: refresher.refreshToken },
            timeoutMs,
          }),
        ],
        [
          'forgot password',
          await service.call('POST', '/password/forgot', {
            body: { email: other.email },
            timeoutMs,
          }),
        ],
        [
          'signup',
          await service.call('POST', '/auth/signup', {
            body: {
              username: `down_${round}`,
              email: `down.${round}@example.com`,
              password: 'Quiet-Lantern-Orbit-42',
            },
            timeoutMs,
          }),
        ],
      );
    }
    for (const [what, reply] of replies) expectUnavailable(reply, what);
    const ready = await service.call('GET', '/health/ready', { timeoutMs });
    expect(ready.status).toBe(503);
    expect(ready.ms).toBeLessThan(1000 + MARGIN_MS);

    // One line per failed request (pino-http's, with the request id), plus the outage's first
    // error with its stack: not three lines with stacks per request.
    await sleep(200);
    const written = service.linesSince(before);
    console.log(
      `database stopped: ${written.length} log lines for ${replies.length + 1} failed requests, ` +
        `${withStack(written).length} with a stack`,
    );
    const requestLines = written.filter(
      (line) => line.msg === 'request errored' || line.msg === 'request completed',
    );
    expect(requestLines.length).toBe(replies.length + 1);
    for (const line of requestLines) expect((line.req as { id?: unknown })?.id).toBeTruthy();
    expect(written.length).toBeLessThanOrEqual(replies.length + 1 + 2);
    expect(withStack(written).length).toBeLessThanOrEqual(1);

    // Back without restarting the service.
    await db.restart();
    await waitFor('the service back after the database restarted', 20_000, async () => {
      const check = await service.call('GET', '/session/active', { token: holder.token });
      return check.status === 200;
    });
    expect((await service.login(other.email)).status).toBe(200);
    expect((await service.call('GET', '/health/ready')).status).toBe(200);
  }, 120_000);

  it('frozen (SIGSTOP): 503 within DB_TIMEOUT_MS, /health/ready within a second, back after SIGCONT', async () => {
    const { service, smtp, db } = stack;
    const holder = await loggedInUser(service, smtp);
    const other = await verifiedUser(service, smtp);

    db.freeze();
    try {
      const timeoutMs = DB_TIMEOUT_MS * 4;
      const [check, login, ready] = await Promise.all([
        service.call('GET', '/session/active', { token: holder.token, timeoutMs }),
        service.call('POST', '/auth/login', {
          body: { email: other.email, password: 'Quiet-Lantern-Orbit-42' },
          timeoutMs,
        }),
        service.call('GET', '/health/ready', { timeoutMs }),
      ]);
      console.log(
        `frozen database: session check ${check.status} in ${check.ms} ms, login ${login.status} in ${login.ms} ms, /health/ready ${ready.status} in ${ready.ms} ms`,
      );
      expectUnavailable(check, 'session check');
      expectUnavailable(login, 'login');
      expect(check.ms).toBeLessThan(DB_TIMEOUT_MS + MARGIN_MS);
      expect(login.ms).toBeLessThan(DB_TIMEOUT_MS + MARGIN_MS);
      expect(ready.status).toBe(503);
      expect(ready.ms).toBeLessThan(1000 + MARGIN_MS / 3);

      // Still bounded once the first requests have timed out (no request queued behind them).
      const [again, readyAgain] = await Promise.all([
        service.call('GET', '/session/active', { token: holder.token, timeoutMs }),
        service.call('GET', '/health/ready', { timeoutMs }),
      ]);
      console.log(
        `frozen database, second round: session check ${again.status} in ${again.ms} ms, /health/ready in ${readyAgain.ms} ms`,
      );
      expectUnavailable(again, 'session check again');
      expect(again.ms).toBeLessThan(DB_TIMEOUT_MS + MARGIN_MS);
      expect(readyAgain.ms).toBeLessThan(1000 + MARGIN_MS / 3);
    } finally {
      db.thaw();
    }
    await waitFor('the service back after SIGCONT', 20_000, async () => {
      const check = await service.call('GET', '/session/active', { token: holder.token });
      return check.status === 200;
    });
    expect((await service.login(other.email)).status).toBe(200);
  }, 120_000);
});
