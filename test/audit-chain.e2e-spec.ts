import { execFile } from 'node:child_process';
import { join } from 'node:path';
import type { ConfigType } from '@nestjs/config';
import { DataSource, LessThanOrEqual } from 'typeorm';
import { GENESIS_HASH } from '../src/audit/audit-chain';
import { AuditLog } from '../src/audit/audit-log.entity';
import { AuditPurgeLease } from '../src/audit/audit-purge-lease.entity';
import { AuditRetention } from '../src/audit/audit-retention';
import { AuditEntry, AuditService } from '../src/audit/audit.service';
import { CryptoService } from '../src/common/crypto.service';
import { Transactions } from '../src/common/transactions';
import { auditConfig } from '../src/config/audit.config';
import { bearer, loggedInUser, newIdentity } from './support/factories';
import { startTestApp, TestApp } from './support/test-app';

const DAY_MS = 24 * 60 * 60 * 1000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `npm run audit:verify` against the test app's database (its settings are in process.env). */
function runVerifyScript(): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(
      'npm',
      ['run', '--silent', 'audit:verify'],
      { cwd: join(__dirname, '..'), env: process.env, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, output: `${stdout}${stderr}` });
      },
    );
  });
}

describe('audit hash chain', () => {
  let t: TestApp;
  let db: DataSource;
  let audit: AuditService;

  beforeAll(async () => {
    t = await startTestApp();
    db = t.app.get(DataSource);
    audit = t.app.get(AuditService);
  });
  afterAll(() => t.close());

  const logs = () => db.getRepository(AuditLog);
  const allRows = () => logs().find({ order: { id: 'ASC' } });

  async function someEvents(count: number): Promise<AuditLog[]> {
    const tag = `chain-${Date.now()}-${Math.random().toString(36).slice(2)}`;
    for (let i = 0; i < count; i += 1) {
      await t.http
        .post('/verify/send')
        .set('X-Request-Id', `${tag}-${i}`)
        .send({ email: newIdentity().email })
        .expect(202);
    }
    return (await allRows()).filter((row) => row.requestId?.startsWith(tag));
  }

  it('links each row to the one before, from the genesis hash, with SHA-256 of its content', async () => {
    await someEvents(3);
    const rows = await allRows();
    expect(rows[0].prevHash).toBe(GENESIS_HASH);
    for (let i = 1; i < rows.length; i += 1) expect(rows[i].prevHash).toBe(rows[i - 1].hash);
    for (const row of rows) expect(row.hash).toMatch(/^[0-9a-f]{64}$/);
    // The time round-trips through the database with its milliseconds, as it was hashed.
    expect(rows.some((row) => row.createdAt.getUTCMilliseconds() !== 0)).toBe(true);
    expect(await audit.verifyChain()).toEqual({ ok: true, count: rows.length });
  });

  it('stays one chain under parallel requests', async () => {
    const before = (await allRows()).length;
    const answers = await Promise.all([
      ...Array.from({ length: 24 }, () =>
        t.http.post('/verify/send').send({ email: newIdentity().email }),
      ),
      ...Array.from({ length: 6 }, () =>
        t.http
          .post('/auth/login')
          .send({ email: newIdentity().email, password: 'Wrong-Password-123' }),
      ),
    ]);
    expect(answers.map((answer) => answer.status).sort()).toEqual([
      ...Array<number>(24).fill(202),
      ...Array<number>(6).fill(401),
    ]);
    const rows = await allRows();
    expect(rows.length).toBe(before + 30);
    expect(new Set(rows.map((row) => row.prevHash)).size).toBe(rows.length);
    expect(await audit.verifyChain()).toEqual({ ok: true, count: rows.length });
  });

  /** A second AuditService on the same database, as another instance would have. */
  const anotherWriter = () =>
    new AuditService(logs(), t.app.get(Transactions), t.app.get(CryptoService));
  const entry = (requestId: string): AuditEntry => ({
    userId: null,
    action: 'email.verify.sent',
    outcome: 'success',
    ip: '192.0.2.1',
    userAgent: null,
    requestId,
    meta: { sent: false },
  });

  it('loses no row and stays one chain when several writers (as instances would) append at once', async () => {
    const writers = [audit, ...Array.from({ length: 5 }, anotherWriter)];
    const before = (await allRows()).length;
    let appended = 0;
    // Each writer appends one batch after another, all writers at once: saturation.
    const answers = await Promise.allSettled(
      writers.map(async (writer, w) => {
        for (let i = 0; i < 30; i += 1) {
          const entries = Array.from({ length: 1 + (i % 3) }, () => entry(`writers-${w}-${i}`));
          await writer.append(entries);
          appended += entries.length;
        }
      }),
    );
    expect(answers.filter((answer) => answer.status === 'rejected')).toEqual([]);
    const rows = await allRows();
    expect(rows.length).toBe(before + appended);
    expect(appended).toBe(6 * 60);
    expect(await audit.verifyChain()).toEqual({ ok: true, count: rows.length });
  });

  it("names a row forked behind the service's back (a second successor of one row)", async () => {
    await someEvents(2);
    const [last] = await logs().find({ order: { id: 'DESC' }, take: 1 });
    await someEvents(1);
    const fork = { ...last, id: undefined, hash: 'b'.repeat(64) };
    const { identifiers } = await logs().insert(fork);
    const forkId = Number(identifiers[0].id);
    try {
      expect(await audit.verifyChain()).toMatchObject({ ok: false, brokenId: forkId });
    } finally {
      await logs().delete({ id: forkId });
    }
    expect(await audit.verifyChain()).toMatchObject({ ok: true });
  });

  it('links after the new head when another writer appended since its own last row', async () => {
    const other = anotherWriter();
    const tag = `stale-head-${Date.now()}`;
    await audit.append([entry(`${tag}-1`)]);
    await other.append([entry(`${tag}-2`)]);
    await audit.append([entry(`${tag}-3`)]); // its remembered head is row 1's hash, now taken
    const rows = (await allRows()).filter((row) => row.requestId?.startsWith(tag));
    expect(rows.map((row) => row.requestId)).toEqual([`${tag}-1`, `${tag}-2`, `${tag}-3`]);
    expect(rows[1].prevHash).toBe(rows[0].hash);
    expect(rows[2].prevHash).toBe(rows[1].hash);
    expect(await audit.verifyChain()).toMatchObject({ ok: true });
  });

  it('names the edited row, in the service and in npm run audit:verify', async () => {
    const [, target] = await someEvents(3);
    const intact = await runVerifyScript();
    expect(intact).toEqual({
      code: 0,
      output: `OK: ${(await allRows()).length} audit rows verified\n`,
    });

    await db.query(`UPDATE audit_logs SET outcome = 'failure' WHERE id = ?`, [target.id]);
    try {
      expect(await audit.verifyChain()).toMatchObject({
        ok: false,
        brokenId: target.id,
        reason: 'content',
      });
      const broken = await runVerifyScript();
      expect(broken.code).toBe(1);
      expect(broken.output).toContain(`BROKEN: audit row ${target.id}:`);
    } finally {
      await db.query(`UPDATE audit_logs SET outcome = 'success' WHERE id = ?`, [target.id]);
    }
    expect(await audit.verifyChain()).toMatchObject({ ok: true });
  });

  it.each([
    ['meta', `meta = '{"sent":true}'`],
    ['user_id', `user_id = 'f00dfeed-0000-4000-8000-000000000000'`],
    ['created_at', `created_at = '2020-01-01 00:00:00.000'`],
    ['hash', `hash = '${'a'.repeat(64)}'`],
  ])('names the row whose %s was edited', async (_column, assignment) => {
    const [, target] = await someEvents(3);
    const saved = await logs().findOneByOrFail({ id: target.id });
    await db.query(`UPDATE audit_logs SET ${assignment} WHERE id = ?`, [target.id]);
    try {
      expect(await audit.verifyChain()).toMatchObject({ ok: false, brokenId: target.id });
    } finally {
      await logs().save(saved);
    }
    expect(await audit.verifyChain()).toMatchObject({ ok: true });
  });

  it('names the row after one that was deleted', async () => {
    const [, removed, next] = await someEvents(3);
    await logs().delete({ id: removed.id });
    try {
      expect(await audit.verifyChain()).toMatchObject({
        ok: false,
        brokenId: next.id,
        reason: 'link',
      });
    } finally {
      await logs().insert(removed);
    }
    expect(await audit.verifyChain()).toMatchObject({ ok: true });
  });

  it('purges rows past the retention and still verifies from the oldest remaining row', async () => {
    const user = await loggedInUser(t);
    const old = await logs().find({ where: { userId: user.userId }, order: { id: 'ASC' } });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const boundary = new Date();
    await new Promise((resolve) => setTimeout(resolve, 20));
    const kept = await someEvents(2);

    // As if the retention (365 days by default) had passed since `boundary`.
    const deleted = await t.app
      .get(AuditRetention)
      .purge(new Date(boundary.getTime() + 365 * DAY_MS));
    expect(deleted).toBeGreaterThanOrEqual(old.length);
    const rows = await allRows();
    expect(rows.map((row) => row.id)).toEqual(kept.map((row) => row.id));
    expect(rows[0].prevHash).not.toBe(GENESIS_HASH);
    expect(await audit.verifyChain()).toEqual({ ok: true, count: 2 });
    expect(await runVerifyScript()).toMatchObject({
      code: 0,
      output: 'OK: 2 audit rows verified\n',
    });

    const mine = await t.http.get('/audit/me').set(bearer(user.accessToken)).expect(200);
    expect(mine.body).toEqual({ items: [], next_cursor: null });

    // Nothing is older than the retention now: a purge at the real time deletes nothing.
    expect(await t.app.get(AuditRetention).purge()).toBe(0);
    // New rows link on to the remaining chain.
    await someEvents(1);
    expect(await audit.verifyChain()).toEqual({ ok: true, count: 3 });
  });

  /** Appends `count` rows, then gives a time at which they (and all before) are past retention. */
  async function expiringRows(count: number): Promise<{ later: Date; lastId: number }> {
    await audit.append(Array.from({ length: count }, (_, i) => entry(`expiring-${i}`)));
    const [last] = await logs().find({ order: { id: 'DESC' }, take: 1 });
    await sleep(20);
    const boundary = new Date();
    await sleep(20);
    return { later: new Date(boundary.getTime() + 365 * DAY_MS), lastId: last.id };
  }

  /** The retention job of another instance on the same database. */
  const anotherRetention = () =>
    new AuditRetention(
      audit,
      db.getRepository(AuditPurgeLease),
      t.app.get(Transactions),
      t.app.get(CryptoService),
      t.app.get<ConfigType<typeof auditConfig>>(auditConfig.KEY),
    );

  /** The app's purge of rows older than `cutoff`, started; `finished()` says whether it ended. */
  function startPurge(cutoff: Date) {
    let ended = false;
    const purging = t.app
      .get(AuditRetention)
      .purge(cutoff)
      .finally(() => (ended = true));
    return { purging, finished: () => ended };
  }

  it('purges in batches of at most 5,000 rows, answering requests between them', async () => {
    const { later, lastId } = await expiringRows(12_000);
    const expiring = () => logs().count({ where: { id: LessThanOrEqual(lastId) } });
    const total = await expiring();
    const { purging, finished } = startPurge(later);
    const seen = new Set<number>();
    let answeredDuring = false;
    while (!finished()) {
      const left = await expiring();
      if (left > 0 && left < total && !seen.has(left)) {
        seen.add(left);
        await t.http.post('/verify/send').send({ email: newIdentity().email }).expect(202);
        answeredDuring ||= !finished();
      }
      await sleep(5);
    }
    expect(await purging).toBeGreaterThanOrEqual(total);
    // At least three transactions, each seen to leave the table smaller, none deleting it all.
    expect(seen.size).toBeGreaterThanOrEqual(2);
    expect(Math.min(...seen)).toBeGreaterThanOrEqual(total - 5_000 * seen.size);
    expect(answeredDuring).toBe(true);
    expect(await expiring()).toBe(0);
    expect(await audit.verifyChain()).toEqual({ ok: true, count: await logs().count() });
  });

  it('runs one purge at a time: another instance leaves it to the one holding the lease', async () => {
    const { later, lastId } = await expiringRows(12_000);
    const expiring = () => logs().count({ where: { id: LessThanOrEqual(lastId) } });
    const total = await expiring();
    const { purging, finished } = startPurge(later);
    while (!finished() && (await expiring()) === total) await sleep(5);

    // The first purge is under way; a second instance's purge stands aside at once.
    expect(await anotherRetention().purge(later)).toBe(0);
    expect(await expiring()).toBeGreaterThan(0);
    expect(finished()).toBe(false);
    expect(await purging).toBeGreaterThanOrEqual(total);
    expect(await expiring()).toBe(0);
    expect(await audit.verifyChain()).toMatchObject({ ok: true });

    // The lease was given back: the next purge, by either instance, runs.
    const next = await expiringRows(10);
    expect(await anotherRetention().purge(next.later)).toBeGreaterThanOrEqual(10);
    expect(await audit.verifyChain()).toEqual({ ok: true, count: await logs().count() });
  });

  it('continues a purge cut short, taking over the lease its dead holder left', async () => {
    const { later, lastId } = await expiringRows(12_000);
    const expiring = () => logs().count({ where: { id: LessThanOrEqual(lastId) } });
    const total = await expiring();
    const stopped = anotherRetention();
    const purging = stopped.purge(later);
    while ((await expiring()) === total) await sleep(5);
    stopped.onApplicationShutdown(); // it stops after the batch under way
    const cut = await purging;
    expect(cut).toBeGreaterThan(0);
    expect(await expiring()).toBe(total - cut);

    // As if an instance had died while purging: its lease is left behind, expired.
    await db
      .getRepository(AuditPurgeLease)
      .update({ id: 1 }, { holder: 'a-dead-instance', expiresAt: new Date(Date.now() - 1000) });
    expect(await t.app.get(AuditRetention).purge(later)).toBe(total - cut);
    expect(await expiring()).toBe(0);
    expect(await audit.verifyChain()).toEqual({ ok: true, count: await logs().count() });
  });
});
