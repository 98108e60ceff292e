import { randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';
import type { RowDataPacket } from 'mysql2/promise';
import { Cluster, Reply, sessionIdOf, sleep } from './harness';

/** An instance that dies or is stopped loses nothing it has answered for. */
describe('several instances: an instance going away', () => {
  let c: Cluster;

  beforeAll(async () => {
    c = await Cluster.start();
  }, 120_000);

  afterAll(async () => {
    await c?.close();
  });

  it('an instance killed mid-traffic loses no committed session or audit row', async () => {
    const users = await Promise.all(Array.from({ length: 4 }, () => c.verifiedUser()));
    const answered: Array<{ sessionId: string; requestId: string }> = [];
    let failed = 0;
    const traffic = async (email: string) => {
      for (let force = false; ; force = true) {
        const requestId = randomUUID();
        let reply: Reply;
        try {
          reply = await c.a.login(email, force, { 'x-request-id': requestId });
        } catch {
          failed += 1;
          return; // A is gone
        }
        expect(reply.status).toBe(200);
        answered.push({ sessionId: sessionIdOf(reply.body.access_token as string), requestId });
      }
    };
    const loops = users.map((user) => traffic(user.email));
    await sleep(1500);
    const killed = await c.a.signal('SIGKILL');
    expect(killed?.signal).toBe('SIGKILL');
    await Promise.all(loops);
    expect(failed).toBe(users.length);
    expect(answered.length).toBeGreaterThan(8);

    const sessions = await c.query<RowDataPacket & { id: string }>(
      'SELECT id FROM sessions WHERE id IN (?)',
      [answered.map((login) => login.sessionId)],
    );
    expect(sessions.map((row) => row.id).sort()).toEqual(
      answered.map((login) => login.sessionId).sort(),
    );
    const audits = await c.query<RowDataPacket & { request_id: string; meta: string }>(
      "SELECT request_id, meta FROM audit_logs WHERE action = 'login' AND outcome = 'success' AND request_id IN (?)",
      [answered.map((login) => login.requestId)],
    );
    expect(
      audits
        .map(
          (row) =>
            `${row.request_id} ${(JSON.parse(row.meta) as { session_id: string }).session_id}`,
        )
        .sort(),
    ).toEqual(answered.map((login) => `${login.requestId} ${login.sessionId}`).sort());
    // Still one active session per user at most, and B carries on for every user.
    const doubles = await c.query(
      "SELECT user_id FROM sessions WHERE status = 'active' GROUP BY user_id HAVING COUNT(*) > 1",
    );
    expect(doubles).toEqual([]);
    for (const user of users) {
      const login = await c.b.login(user.email, true);
      expect(login.status).toBe(200);
      expect((await c.b.sessionActive(login.body.access_token as string)).status).toBe(200);
    }
  });

  it('SIGTERM lets in-flight requests finish, then the process exits 0 within 10 s', async () => {
    const users = await Promise.all(Array.from({ length: 8 }, () => c.verifiedUser(c.b, c.b)));
    let signalledAt = Number.POSITIVE_INFINITY;
    const answeredAt: number[] = [];
    const logins = users.map((user) =>
      c.b.login(user.email).then((reply) => {
        answeredAt.push(Date.now());
        return reply;
      }),
    );
    // A refused login whose body is still arriving: it is the last answer out, and its audit
    // row is written as that answer goes out. Its connection is kept alive, like a proxy's.
    const slow = slowPost(c.b.url, '/auth/login', {
      email: `nobody.${Date.now()}@example.com`,
      password: 'Not-The-Password-1',
    });
    // argon2 keeps the logins busy for a while: signal once they have reached the server.
    await sleep(40);
    signalledAt = Date.now();
    const exit = c.b.signal('SIGTERM');

    const replies = await Promise.all(logins);
    expect(replies.map((reply) => reply.status)).toEqual(Array(users.length).fill(200));
    expect(answeredAt.filter((at) => at > signalledAt).length).toBeGreaterThan(0);
    slow.finish();
    const refused = await slow.reply;
    expect([refused.status, refused.body.code]).toEqual([401, 'INVALID_CREDENTIALS']);
    const ended = await exit;
    expect(ended).toEqual({ code: 0, signal: null, ms: expect.any(Number) });
    expect(ended?.ms).toBeLessThan(10_000);
    await expect(fetch(`${c.b.url}/health/live`)).rejects.toThrow();

    const sessions = await c.query('SELECT id FROM sessions WHERE id IN (?)', [
      replies.map((reply) => sessionIdOf(reply.body.access_token as string)),
    ]);
    expect(sessions).toHaveLength(users.length);
  });
});

/** A POST whose headers and first bytes are sent now, and the rest of the body on finish(). */
function slowPost(base: string, path: string, body: unknown) {
  const payload = JSON.stringify(body);
  const agent = new Agent({ keepAlive: true });
  const outgoing = request(`${base}${path}`, {
    method: 'POST',
    agent,
    headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
  });
  const reply = new Promise<{ status: number; body: { code?: string } }>((resolve, reject) => {
    outgoing.on('error', reject);
    outgoing.on('response', (response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => (text += chunk.toString()));
      response.on('end', () => {
        resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) as { code?: string } });
      });
    });
  });
  outgoing.write(payload.slice(0, 10));
  return {
    reply: reply.finally(() => setTimeout(() => agent.destroy(), 15_000).unref()),
    finish: () => outgoing.end(payload.slice(10)),
  };
}
