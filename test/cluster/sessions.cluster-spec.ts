import { isDeepStrictEqual } from 'node:util';
import type { RowDataPacket } from 'mysql2/promise';
import { Cluster, Instance, Reply, sessionIdOf, sleep } from './harness';

/**
 * Two instances over one MariaDB and one Redis: a session decision taken on one instance holds
 * on the other from the moment it has answered, including while Redis is away.
 */
describe('several instances: sessions', () => {
  let c: Cluster;

  beforeAll(async () => {
    c = await Cluster.start();
  }, 120_000);

  afterAll(async () => {
    await c?.close();
  });

  it('a login on A, then on B, answers 409 SESSION_ACTIVE', async () => {
    const user = await c.verifiedUser();
    expect((await c.a.login(user.email)).status).toBe(200);
    const second = await c.b.login(user.email);
    expect(second.status).toBe(409);
    expect(second.body.code).toBe('SESSION_ACTIVE');
  });

  it("a forced login on B ends A's token on A and on B (SESSION_REPLACED)", async () => {
    const user = await c.loggedInUser(c.a);
    // Both guards have read the session (and the cache holds it) before it is replaced.
    expect((await c.a.sessionActive(user.token)).status).toBe(200);
    expect((await c.b.sessionActive(user.token)).status).toBe(200);

    const forced = await c.b.login(user.email, true);
    expect(forced.status).toBe(200);

    for (const instance of [c.a, c.b]) {
      const refused = await instance.sessionActive(user.token);
      expect([instance.name, refused.status, refused.body.code]).toEqual([
        instance.name,
        401,
        'SESSION_REPLACED',
      ]);
    }
    const fresh = forced.body.access_token as string;
    expect((await c.a.sessionActive(fresh)).status).toBe(200);
    expect((await c.b.sessionActive(fresh)).status).toBe(200);
  });

  it('a logout on A is refused on B (SESSION_ENDED) right after A answered', async () => {
    const user = await c.loggedInUser(c.a);
    expect((await c.b.sessionActive(user.token)).status).toBe(200);

    expect((await c.a.logout(user.token)).status).toBe(200);
    const refused = await c.b.sessionActive(user.token);
    expect([refused.status, refused.body.code]).toEqual([401, 'SESSION_ENDED']);
    const again = await c.a.sessionActive(user.token);
    expect([again.status, again.body.code]).toEqual([401, 'SESSION_ENDED']);
  });

  it('50 parallel logins spread over both instances give exactly one session', async () => {
    const user = await c.verifiedUser();
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) => (i % 2 === 0 ? c.a : c.b).login(user.email)),
    );
    const statuses = answers.map((answer) => answer.status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
    expect(statuses.filter((status) => status !== 200)).toEqual(Array(49).fill(409));
    expect(
      answers.filter((a) => a.status === 409).every((a) => a.body.code === 'SESSION_ACTIVE'),
    ).toBe(true);

    const rows = await c.query<RowDataPacket & { id: string; status: string }>(
      'SELECT s.id, s.status FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.email = ?',
      [user.email],
    );
    const winner = answers.find((answer) => answer.status === 200) as Reply;
    expect(rows).toEqual([
      { id: sessionIdOf(winner.body.access_token as string), status: 'active' },
    ]);
  });

  it('a logout racing cache fills on both instances never leaves a live revoked token', async () => {
    const user = await c.verifiedUser();
    for (let round = 0; round < 15; round += 1) {
      const login = await c.a.login(user.email);
      expect(login.status).toBe(200);
      const token = login.body.access_token as string;

      // Cold cache: the first reads on A and B miss and fill while A's logout commits. Every
      // request started once the logout has answered must be refused.
      let loggedOut = false;
      let stop = false;
      const late: Array<Promise<[string, number, string | undefined]>> = [];
      const hammer = async (instance: Instance) => {
        while (!stop) {
          const startedLate = loggedOut;
          const answer = instance
            .sessionActive(token)
            .then((reply): [string, number, string | undefined] => [
              instance.name,
              reply.status,
              reply.body.code,
            ]);
          if (startedLate) late.push(answer);
          await answer;
        }
      };
      const hammers = [c.b, c.a, c.b, c.a].map(hammer);
      await sleep(round % 3);
      const logout = await c.a.logout(token);
      loggedOut = true;
      expect(logout.status).toBe(200);
      await sleep(30);
      stop = true;
      await Promise.all(hammers);

      const after = await Promise.all([
        ...late,
        ...[c.a, c.b, c.a, c.b].map((instance) =>
          instance
            .sessionActive(token)
            .then((reply): [string, number, string | undefined] => [
              instance.name,
              reply.status,
              reply.body.code,
            ]),
        ),
      ]);
      for (const [name, status, code] of after) {
        expect([round, name, status, code]).toEqual([round, name, 401, 'SESSION_ENDED']);
      }
    }
  });

  it('checks of many sessions at once each get their own answer (one Redis read per turn)', async () => {
    const live = await Promise.all(Array.from({ length: 12 }, () => c.loggedInUser(c.a)));
    const replaced = await c.loggedInUser(c.a);
    expect((await c.a.login(replaced.email, true)).status).toBe(200);
    const tokens = [...live.map((user) => user.token), replaced.token];

    // Every token twice in one go: reads that arrive in one turn share a script call, and the
    // same session may be read twice in it. First round: misses that fill; second: hits.
    for (const round of ['cold', 'warm']) {
      const checks = [...tokens, ...tokens];
      const answers = await Promise.all(checks.map((token) => c.b.sessionActive(token)));
      answers.forEach((answer, i) => {
        const session = answer.body.session as { id?: string } | undefined;
        const got = [round, i, answer.status, answer.body.code ?? session?.id];
        if (checks[i] === replaced.token) expect(got).toEqual([round, i, 401, 'SESSION_REPLACED']);
        else expect(got).toEqual([round, i, 200, sessionIdOf(checks[i])]);
      });
    }
  });

  it('Redis stopped and restarted mid-traffic costs no wrong answer', async () => {
    const live = await Promise.all(Array.from({ length: 8 }, () => c.loggedInUser(c.a)));
    const ended = await Promise.all(Array.from({ length: 2 }, () => c.loggedInUser(c.b)));
    for (const user of ended) expect((await c.a.logout(user.token)).status).toBe(200);

    // A token only moves forward: live, ending (its logout sent), ended (its logout answered).
    // A request may be answered from any state its token held while the request was out: 200
    // if it started before the logout answered, SESSION_ENDED if it ended after the logout was
    // sent. A never-ended token refused, or an ended token let through, is wrong.
    const state = new Map<string, 'live' | 'ending' | 'ended'>();
    for (const user of live) state.set(user.token, 'live');
    for (const user of ended) state.set(user.token, 'ended');

    const tokens = [...state.keys()];
    const wrong: string[] = [];
    let checked = 0;
    let running = true;
    const traffic = async (instance: Instance) => {
      while (running) {
        await Promise.all(
          tokens.map(async (token) => {
            const before = state.get(token);
            const reply = await instance.sessionActive(token);
            const after = state.get(token);
            checked += 1;
            const refused = reply.status === 401 && reply.body.code === 'SESSION_ENDED';
            const right =
              (reply.status === 200 && before !== 'ended') || (refused && after !== 'live');
            if (!right) {
              wrong.push(
                `${instance.name}: token ${tokens.indexOf(token)} (${before} → ${after}) ` +
                  `got ${reply.status} ${reply.body.code}`,
              );
            }
          }),
        );
      }
    };
    const loops = [traffic(c.a), traffic(c.b)];
    const logOut = async (user: { token: string }, on: Instance) => {
      state.set(user.token, 'ending');
      expect((await on.logout(user.token)).status).toBe(200);
      state.set(user.token, 'ended');
    };
    /** Both instances' readiness reaches `expected` (within the reconnect delay). */
    const readiness = async (expected: object) => {
      for (const instance of [c.a, c.b]) {
        const deadline = Date.now() + 10_000;
        let ready = await instance.call('GET', '/health/ready');
        while (!isDeepStrictEqual(ready.body, expected) && Date.now() < deadline) {
          await sleep(100);
          ready = await instance.call('GET', '/health/ready');
        }
        expect([instance.name, ready.status, ready.body]).toEqual([instance.name, 200, expected]);
      }
    };
    const up = { status: 'ok', checks: { database: 'up', redis: 'up' } };
    const down = { status: 'degraded', checks: { database: 'up', redis: 'down' } };
    /**
     * Logouts while Redis is away cannot write their tombstones. keepData: Redis comes back still
     * holding the 'active' entries both instances filled before the outage (a persistent Redis,
     * or one that was only unreachable); otherwise it comes back empty.
     */
    const outage = async (keepData: boolean, victims: Array<[{ token: string }, Instance]>) => {
      await c.redis.stop({ keepData });
      await readiness(down);
      await sleep(300);
      for (const [user, on] of victims) await logOut(user, on);
      await sleep(500);
      await c.redis.restart();
      await readiness(up);
      await sleep(700);
    };

    await sleep(500);
    await logOut(live[0], c.a); // with Redis up
    await sleep(300);
    await outage(true, [
      [live[1], c.a],
      [live[2], c.b],
    ]);
    await outage(false, [
      [live[3], c.b],
      [live[4], c.a],
    ]);
    await logOut(live[5], c.b);
    await sleep(500);
    running = false;
    await Promise.all(loops);

    expect(wrong).toEqual([]);
    expect(checked).toBeGreaterThan(200);
    for (const instance of [c.a, c.b]) {
      for (const [index, user] of live.entries()) {
        const reply = await instance.sessionActive(user.token);
        expect([instance.name, index, reply.status]).toEqual([
          instance.name,
          index,
          index < 6 ? 401 : 200,
        ]);
      }
    }
  });
});
