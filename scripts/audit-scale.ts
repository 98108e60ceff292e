// npm run audit:scale -- [--sizes=1000000,10000000] [--seconds=20] [--purge-seconds=90]
//                        [--login-seconds=30] [--big-pool-mb=1536] [--keep]
//
// Measures the audit table at scale on a PRIVATE mariadbd (a fresh datadir under the system's
// temp folder, default settings: a 128 MB buffer pool, O_DIRECT), never the machine's server:
// - the append ceiling of one writer (rows/s, 200-row batches back to back) on an empty table
//   and on tables seeded with N rows: through the AuditService as it is now (a chain-head row
//   lock, no unique key on prev_hash), and as it was (autocommit inserts racing on
//   UQ_audit_logs_prev_hash; the same index shapes, the key built on the same rows); at the
//   largest size also with a buffer pool of --big-pool-mb (0: skip) that holds the user index;
// - the cutoff lookup (EXPLAIN and time), now and as it was;
// - the retention purge (AuditRetention as it runs in the service) of the half of the rows
//   past AUDIT_RETENTION_DAYS: rows/s, batches, and the append rate during it vs without it.
//   Purges longer than --purge-seconds are stopped there (as a shutdown would) and extrapolated.
// - logins through the built service (`npm run build` first) on the same database, without and
//   during a purge (--login-seconds each; 0: skip).
// Seeding uses MariaDB's SEQUENCE engine (INSERT ... SELECT FROM seq_1_to_N) with the secondary
// indexes dropped and built again afterwards: the rows are not a valid chain (the cost does not
// depend on it), but every index has its real shape: random UUIDs of N/10 users, random SHA-256
// hashes, created_at rising with id over two retention periods. Needs ~350 bytes of disk per
// row (10M rows: ~4 GB); the datadir is removed at the end unless --keep.
import 'reflect-metadata';
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createHash, randomInt } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';
import { DataSource, Logger as TypeOrmLogger } from 'typeorm';
import { chainHash, GENESIS_HASH } from '../src/audit/audit-chain';
import { AuditLog } from '../src/audit/audit-log.entity';
import { AuditPurgeLease } from '../src/audit/audit-purge-lease.entity';
import { AuditRetention, PURGE_BATCH_ROWS } from '../src/audit/audit-retention';
import { AuditEntry, AuditService } from '../src/audit/audit.service';
import { CryptoService } from '../src/common/crypto.service';
import { Transactions } from '../src/common/transactions';
import { authConfig } from '../src/config/auth.config';
import { typeOrmOptions } from '../src/database/typeorm-options';
import {
  freePort,
  loginUntilOk,
  makeUsers,
  Server,
  stopProcess,
  waitUntilOk,
} from '../bench/server';

const option = (name: string, fallback: string) =>
  process.argv.find((arg) => arg.startsWith(`--${name}=`))?.split('=')[1] ?? fallback;
const SIZES = option('sizes', '1000000,10000000').split(',').map(Number);
const SECONDS = Number(option('seconds', '20'));
const PURGE_SECONDS = Number(option('purge-seconds', '90'));
const LOGIN_SECONDS = Number(option('login-seconds', '30'));
const LOGIN_LOOPS = 4;
const BIG_POOL_MB = Number(option('big-pool-mb', '1536'));
const KEEP = process.argv.includes('--keep');
const BATCH = 200;
const RETENTION_DAYS = 365;
const DAY_MS = 24 * 60 * 60 * 1000;

const log = (line: string) => process.stdout.write(`${new Date().toISOString()} ${line}\n`);

async function startMariadb(): Promise<{ port: number; stop: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'audit-scale-'));
  const datadir = join(dir, 'data');
  execFileSync(
    'mariadb-install-db',
    ['--no-defaults', `--datadir=${datadir}`, '--user=root', '--skip-test-db'],
    { stdio: 'ignore' },
  );
  const port = await freePort();
  const server: ChildProcess = spawn(
    'mariadbd',
    [
      '--no-defaults',
      `--datadir=${datadir}`,
      `--port=${port}`,
      `--socket=${join(dir, 'sock')}`,
      '--bind-address=127.0.0.1',
      '--skip-grant-tables',
      '--user=root',
      `--log-error=${join(dir, 'error.log')}`,
    ],
    { stdio: 'ignore' },
  );
  for (let tries = 0; ; tries += 1) {
    try {
      const connection = await createConnection({ host: '127.0.0.1', port, user: 'root' });
      await connection.end();
      break;
    } catch (error) {
      if (tries > 100) throw error;
      await sleep(200);
    }
  }
  const stop = async () => {
    const exited = new Promise((resolve) => server.once('exit', resolve));
    server.kill('SIGTERM');
    await exited;
    if (KEEP) log(`datadir kept: ${datadir}`);
    else rmSync(dir, { recursive: true, force: true });
  };
  return { port, stop };
}

/** Records the SQL TypeORM sends, to EXPLAIN what the service really asks. */
class CapturingLogger implements TypeOrmLogger {
  capturing = false;
  queries: Array<{ sql: string; parameters?: unknown[] }> = [];
  logQuery(sql: string, parameters?: unknown[]) {
    if (this.capturing) this.queries.push({ sql, parameters });
  }
  logQueryError() {}
  logQuerySlow() {}
  logSchemaBuild() {}
  logMigration() {}
  log() {}
}

interface Bench {
  port: number;
  db: DataSource;
  audit: AuditService;
  /** A purger as the service runs it; each can be stopped once (onApplicationShutdown). */
  retention: () => AuditRetention;
  queries: CapturingLogger;
  crypto: CryptoService;
}

async function openDatabase(port: number, name: string): Promise<Bench> {
  const admin = await createConnection({ host: '127.0.0.1', port, user: 'root' });
  await admin.query(`CREATE DATABASE ${name} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await admin.end();
  const queries = new CapturingLogger();
  const db = new DataSource({
    ...typeOrmOptions(
      {
        type: 'mysql',
        path: '',
        host: '127.0.0.1',
        port,
        user: 'root',
        password: '',
        name,
        migrate: true,
        logging: false,
        timeoutMs: 0,
      },
      // Seeding and purging millions of rows take longer than a request's bound.
      { queryTimeout: false },
    ),
    logging: ['query'],
    logger: queries,
  });
  await db.initialize();
  const transactions = new Transactions(db);
  const crypto = new CryptoService(authConfig());
  const audit = new AuditService(db.getRepository(AuditLog), transactions, crypto);
  const retention = () =>
    new AuditRetention(audit, db.getRepository(AuditPurgeLease), transactions, crypto, {
      retentionDays: RETENTION_DAYS,
    });
  return { port, db, audit, retention, queries, crypto };
}

/** The users' ids: N/10 users, each a random-looking UUID, the same formula in SQL and here. */
const uuidSql = (n: string) =>
  `CONCAT_WS('-', SUBSTR(MD5(${n}),1,8), SUBSTR(MD5(${n}),9,4), SUBSTR(MD5(${n}),13,4), ` +
  `SUBSTR(MD5(${n}),17,4), SUBSTR(MD5(${n}),21,12))`;
function uuidOf(n: number): string {
  const h = createHash('md5').update(String(n)).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** N rows, created over the last two retention periods (half of them expired), ids 1..N. */
async function seed(db: DataSource, rows: number): Promise<void> {
  const started = Date.now();
  const users = Math.max(1, Math.floor(rows / 10));
  const stepUs = Math.floor((2 * RETENTION_DAYS * DAY_MS * 1000) / rows);
  await db.query(
    'ALTER TABLE audit_logs DROP INDEX IDX_audit_logs_user_id_id, DROP INDEX IDX_audit_logs_created_at',
  );
  const chunk = 1_000_000;
  for (let from = 1; from <= rows; from += chunk) {
    const to = Math.min(rows, from + chunk - 1);
    await db.query(
      `INSERT INTO audit_logs (id, user_id, action, outcome, ip, user_agent, request_id, meta,
         created_at, prev_hash, hash)
       SELECT seq, ${uuidSql(`seq MOD ${users}`)}, 'login', 'success', '203.0.113.7',
         'Mozilla/5.0 (X11; Linux x86_64) audit-scale', ${uuidSql('seq')},
         '{"session_id":"00000000-0000-4000-8000-000000000000"}',
         DATE_SUB(UTC_TIMESTAMP(3), INTERVAL (${rows} - seq) * ${stepUs} MICROSECOND),
         SHA2(seq, 256), SHA2(seq + 1, 256)
       FROM seq_${from}_to_${to}`,
    );
  }
  // Pages as full as random inserts leave them (~70 %), not packed: a packed index would split
  // a page on nearly every append and overstate its cost.
  await db.query('SET GLOBAL innodb_fill_factor = 70');
  await db.query(
    'ALTER TABLE audit_logs ADD INDEX IDX_audit_logs_user_id_id (user_id, id), ' +
      'ADD INDEX IDX_audit_logs_created_at (created_at)',
  );
  await db.query('UPDATE audit_chain_head SET hash = SHA2(?, 256) WHERE id = 1', [rows + 1]);
  log(`seeded ${rows} rows in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

let serial = 0;
function entries(rows: number, users: number): AuditEntry[] {
  return Array.from({ length: rows }, () => ({
    userId: uuidOf(randomInt(users)),
    action: 'login',
    outcome: 'success' as const,
    ip: '203.0.113.7',
    userAgent: 'Mozilla/5.0 (X11; Linux x86_64) audit-scale',
    requestId: `bench-${(serial += 1)}`,
    meta: { session_id: '00000000-0000-4000-8000-000000000000' },
  }));
}

type Append = (batch: AuditEntry[]) => Promise<void>;

/** The previous design: one autocommit insert per batch after the head this writer remembers. */
function racingWriter(db: DataSource, crypto: CryptoService): Append {
  let head: string | undefined;
  return async (batch) => {
    if (head === undefined) {
      const [newest] = await db
        .getRepository(AuditLog)
        .find({ select: { hash: true }, order: { id: 'DESC' }, take: 1 });
      head = newest?.hash ?? GENESIS_HASH;
    }
    const createdAt = new Date();
    let prevHash = head;
    const rows = batch.map((entry) => {
      const content = { ...entry, meta: JSON.stringify(entry.meta), createdAt };
      const hash = chainHash((value) => crypto.sha256(value), prevHash, content);
      const row = { ...content, prevHash, hash };
      prevHash = hash;
      return row;
    });
    await db
      .createQueryBuilder()
      .insert()
      .into(AuditLog)
      .values(rows)
      .updateEntity(false)
      .execute();
    head = prevHash;
  };
}

/**
 * An experiment, not what the service does: before each append, read the per-user index pages
 * the insert will write (each user's newest entry), 8 queries at once, so the disk reads run in
 * parallel instead of one after another inside the insert.
 */
function prefetchingWriter(db: DataSource, audit: AuditService): Append {
  return async (batch) => {
    const users = [...new Set(batch.map((entry) => entry.userId))];
    const groups = Array.from({ length: 8 }, (_, g) => users.filter((_, i) => i % 8 === g));
    await Promise.all(
      groups
        .filter((group) => group.length > 0)
        .map((group) =>
          db.query(
            `SELECT user_id, MAX(id) FROM audit_logs WHERE user_id IN (${group.map(() => '?').join(',')}) GROUP BY user_id`,
            group,
          ),
        ),
    );
    await audit.append(batch);
  };
}

/** Rows/s of one writer appending BATCH-row batches back to back for `seconds`. */
async function ceiling(
  append: Append,
  users: number,
  seconds: number,
  until?: () => boolean,
): Promise<number> {
  const started = Date.now();
  let rows = 0;
  while (Date.now() - started < seconds * 1000 && !(until?.() ?? false)) {
    await append(entries(BATCH, users));
    rows += BATCH;
  }
  return rows / ((Date.now() - started) / 1000);
}

async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const started = Date.now();
  const result = await work();
  return [result, Date.now() - started];
}

/** MariaDB's ANALYZE runs the query and shows the plan with the rows it really read (r_rows). */
async function analyze(db: DataSource, sql: string, parameters: unknown[] = []): Promise<string> {
  const started = Date.now();
  const plan = (await db.query(`ANALYZE ${sql}`, parameters)) as Array<Record<string, unknown>>;
  const steps = plan.map(
    (row) => `${row.type} key=${row.key} r_rows=${row.r_rows} (${row.Extra ?? ''})`,
  );
  return `${Date.now() - started} ms: ${steps.join('; ')}`;
}

async function measureSize(port: number, rows: number): Promise<void> {
  log(`--- ${rows} rows`);
  const bench = await openDatabase(port, `scale_${rows}`);
  const { db, audit, queries, crypto } = bench;
  const users = Math.max(1, Math.floor(rows / 10));
  if (rows > 0) await seed(db, rows);

  const now = await ceiling((batch) => audit.append(batch), users, SECONDS);
  log(`append ceiling, head-row lock, no UQ on prev_hash: ${now.toFixed(0)} rows/s`);
  if (rows > 0) {
    const prefetched = await ceiling(prefetchingWriter(db, audit), users, SECONDS);
    log(
      `  the same, user index pages read ahead in parallel (experiment): ${prefetched.toFixed(0)} rows/s`,
    );
  }

  const [, buildMs] = await timed(() =>
    db.query('ALTER TABLE audit_logs ADD UNIQUE INDEX UQ_audit_logs_prev_hash (prev_hash)'),
  );
  const before = await ceiling(racingWriter(db, crypto), users, SECONDS);
  log(
    `append ceiling, as before (autocommit inserts, UQ on prev_hash): ${before.toFixed(0)} rows/s` +
      ` (UQ built in ${(buildMs / 1000).toFixed(0)} s)`,
  );
  await db.query('ALTER TABLE audit_logs DROP INDEX UQ_audit_logs_prev_hash');
  if (rows === 0) return close(bench);

  if (BIG_POOL_MB > 0 && rows === Math.max(...SIZES)) {
    // The same, with a buffer pool that holds the per-user index (resized online, then back).
    await db.query(`SET GLOBAL innodb_buffer_pool_size = ${BIG_POOL_MB * 1024 * 1024}`);
    await sleep(5000);
    await db.query('SELECT COUNT(*) FROM audit_logs FORCE INDEX (IDX_audit_logs_user_id_id)');
    const big = await ceiling((batch) => audit.append(batch), users, SECONDS);
    log(`append ceiling, head-row lock, ${BIG_POOL_MB} MB buffer pool: ${big.toFixed(0)} rows/s`);
    await db.query(`SET GLOBAL innodb_buffer_pool_size = ${128 * 1024 * 1024}`);
    await sleep(5000);
  }

  const purgeAt = new Date();
  const cutoff = new Date(purgeAt.getTime() - RETENTION_DAYS * DAY_MS);
  queries.capturing = true;
  const newest = await audit.newestIdBefore(cutoff);
  queries.capturing = false;
  const lookup = queries.queries.find((query) => query.sql.includes('created_at'));
  if (!lookup) throw new Error('the cutoff lookup was not captured');
  log(`cutoff lookup now (id ${newest}): ${await analyze(db, lookup.sql, lookup.parameters)}`);
  const oldLookup = 'SELECT id FROM audit_logs WHERE created_at < ? ORDER BY id DESC LIMIT 1';
  log(`cutoff lookup as before: ${await analyze(db, oldLookup, [cutoff])}`);

  if (LOGIN_SECONDS > 0) await measureLogins(bench, purgeAt);

  // The append rate without and during the purge, on the same table state.
  const retention = bench.retention();
  const without = await ceiling((batch) => audit.append(batch), users, SECONDS);
  const expired = newest ?? 0;
  let purged = 0;
  let finished = false;
  const stopper = setTimeout(() => retention.onApplicationShutdown(), PURGE_SECONDS * 1000);
  const [, purgeMs] = await timed(async () => {
    const purging = retention.purge(purgeAt).then((deleted) => {
      purged = deleted;
      finished = true;
    });
    const during = await ceiling(
      (batch) => audit.append(batch),
      users,
      PURGE_SECONDS + 60,
      () => finished,
    );
    await purging;
    log(
      `appends without a purge ${without.toFixed(0)} rows/s, during it ${during.toFixed(0)} rows/s` +
        ` (${((during / without - 1) * 100).toFixed(1)} %)`,
    );
  });
  clearTimeout(stopper);
  const rate = purged / (purgeMs / 1000);
  log(
    `purge: ${purged} of ${expired} expired rows in ${(purgeMs / 1000).toFixed(1)} s, ` +
      `batches of ≤${PURGE_BATCH_ROWS} (${Math.ceil(purged / PURGE_BATCH_ROWS)} batches), ` +
      `${rate.toFixed(0)} rows/s` +
      (purged < expired
        ? `; stopped at ${PURGE_SECONDS} s, all ${expired} would take ~${(expired / rate / 60).toFixed(0)} min`
        : ''),
  );
  await close(bench);
}

/**
 * Logins per second through the built service on this database, without a purge and during one
 * (stopped after LOGIN_SECONDS; the rest of the expired rows stay for the append measurement).
 * LOGIN_LOOPS loops, each logging its own user in (force) back to back.
 */
async function measureLogins(bench: Bench, purgeAt: Date): Promise<void> {
  const service = await startService(bench);
  try {
    const users = await makeUsers(service, LOGIN_LOOPS, `scale${Date.now().toString(36)}`);
    const loginRate = async (seconds: number) => {
      const started = Date.now();
      let answered = 0;
      await Promise.all(
        users.map(async ({ email }) => {
          while (Date.now() - started < seconds * 1000) {
            await loginUntilOk(service.base, email);
            answered += 1;
          }
        }),
      );
      return answered / ((Date.now() - started) / 1000);
    };
    await loginRate(Math.min(10, LOGIN_SECONDS)); // warm-up
    const without = await loginRate(LOGIN_SECONDS);
    const retention = bench.retention();
    const purging = retention.purge(purgeAt);
    const during = await loginRate(LOGIN_SECONDS);
    retention.onApplicationShutdown();
    const purged = await purging;
    log(
      `logins without a purge ${without.toFixed(1)}/s, during it ${during.toFixed(1)}/s` +
        ` (${((during / without - 1) * 100).toFixed(1)} %; ${purged} rows purged meanwhile)`,
    );
  } finally {
    await service.stop();
  }
}

/** `node dist/src/main.js` on the bench's database, its own retention purge out of the way. */
async function startService(bench: Bench): Promise<Server> {
  const dir = mkdtempSync(join(tmpdir(), 'audit-scale-service-'));
  const port = await freePort();
  const child = spawn(process.execPath, [join(__dirname, '..', 'dist', 'src', 'main.js')], {
    cwd: join(__dirname, '..'),
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'production',
      PORT: String(port),
      LOG_LEVEL: 'warn',
      SECRET_KEY: process.env.SECRET_KEY,
      THROTTLE_ENABLED: 'false',
      DOCS_ENABLED: 'false',
      DB_TYPE: 'mysql',
      DB_HOST: '127.0.0.1',
      DB_PORT: String(bench.port),
      DB_USER: 'root',
      DB_NAME: bench.db.options.database as string,
      MAIL_OUTBOX_DIR: join(dir, 'outbox'),
      // Nothing is old enough for the service's own daily purge: only the script purges.
      AUDIT_RETENTION_DAYS: '36500',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const service: Server = {
    base: `http://127.0.0.1:${port}`,
    process: child,
    outbox: join(dir, 'outbox'),
    async stop() {
      await stopProcess(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    await waitUntilOk(`${service.base}/health/ready`);
  } catch (error) {
    await service.stop();
    throw error;
  }
  return service;
}

async function close({ db }: Bench): Promise<void> {
  const name = db.options.database as string;
  await db.query(`DROP DATABASE ${name}`);
  await db.destroy();
}

async function main(): Promise<void> {
  process.env.SECRET_KEY ??= 'audit-scale-bench-key-not-a-secret-0123456789';
  const server = await startMariadb();
  try {
    for (const rows of [0, ...SIZES]) await measureSize(server.port, rows);
  } finally {
    await server.stop();
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
