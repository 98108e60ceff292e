import { ChildProcess, execSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createConnection } from 'mysql2/promise';
import { sleep } from '../support/hostile';

const ROOT = resolve(__dirname, '..', '..');
const MAIN = join(ROOT, 'dist', 'src', 'main.js');
const MYSQL = process.env.DB_TYPE === 'mysql';
const MYSQL_ADMIN = {
  host: process.env.DB_HOST ?? '127.0.0.1',
  port: Number(process.env.DB_PORT ?? 3306),
  user: process.env.DB_USER ?? 'root',
  password: process.env.DB_PASSWORD ?? '',
};

async function mysqlAdmin(sql: string): Promise<void> {
  const connection = await createConnection(MYSQL_ADMIN);
  try {
    await connection.query(sql);
  } finally {
    await connection.end();
  }
}

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

interface Run {
  child: ChildProcess;
  exited: Promise<number | null>;
  stderr: () => string;
}

/** The built service as an operator starts it, with only the environment given here. */
function startService(dir: string, env: Record<string, string>): Run {
  const child = spawn(process.execPath, [MAIN], {
    cwd: dir, // no ./.env and no ./data of the repository
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      DB_TYPE: 'sqlite',
      DB_PATH: join(dir, 'auth.sqlite'),
      MAIL_OUTBOX_DIR: join(dir, 'outbox'),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  child.stdout?.resume();
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  return { child, exited, stderr: () => stderr };
}

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, fail) => {
    timer = setTimeout(() => fail(new Error(`${what} did not happen within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

describe('Production start-up safety (node dist/src/main.js, NODE_ENV=production)', () => {
  let dir: string;
  const running: ChildProcess[] = [];

  beforeAll(() => {
    if (!existsSync(MAIN)) execSync('npm run build', { cwd: ROOT, stdio: 'ignore' });
    dir = mkdtempSync(join(tmpdir(), 'auth-prod-'));
  }, 120_000);

  afterAll(() => {
    for (const child of running) if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it.each([
    ['unset', undefined],
    ['the sample "mysecretkey"', 'mysecretkey'],
    ['a 20-character key', 'k'.repeat(20)],
  ])('refuses to start with SECRET_KEY %s, naming the key', async (_label, key) => {
    const run = startService(dir, key === undefined ? {} : { SECRET_KEY: key });
    running.push(run.child);
    const code = await within(run.exited, 10_000, 'exit');
    expect(code).not.toBe(0);
    expect(code).not.toBeNull();
    expect(run.stderr()).toContain('SECRET_KEY');
    if (key) expect(run.stderr()).not.toContain(key); // the log never shows the secret itself
    expect(run.stderr()).not.toMatch(/\n\s+at /); // one clear line, not a stack trace
  });

  const GOOD_SECRET = randomBytes(36).toString('base64url');
  it.each([
    ['unset', undefined],
    ['the sample "changeme"', 'changeme'],
    ['a 20-character key', 'k'.repeat(20)],
    ['SECRET_KEY itself', GOOD_SECRET],
  ])('refuses to start with KEY_ENCRYPTION_KEY %s, naming the key', async (_label, key) => {
    const env: Record<string, string> = { SECRET_KEY: GOOD_SECRET, ALGORITHM: 'ES256' };
    if (key !== undefined) env.KEY_ENCRYPTION_KEY = key;
    const run = startService(dir, env);
    running.push(run.child);
    const code = await within(run.exited, 10_000, 'exit');
    expect(code).not.toBe(0);
    expect(code).not.toBeNull();
    expect(run.stderr()).toContain('KEY_ENCRYPTION_KEY');
    if (key) expect(run.stderr()).not.toContain(key);
    expect(run.stderr()).not.toMatch(/\n\s+at /);
  });

  it('serves with a good 48-character key, and hides /docs when DOCS_ENABLED=false', async () => {
    const port = await freePort();
    const dbName = `auth_prod_${randomBytes(6).toString('hex')}`;
    const database: Record<string, string> = MYSQL
      ? {
          DB_TYPE: 'mysql',
          DB_HOST: MYSQL_ADMIN.host,
          DB_PORT: String(MYSQL_ADMIN.port),
          DB_USER: MYSQL_ADMIN.user,
          DB_PASSWORD: MYSQL_ADMIN.password,
          DB_NAME: dbName,
        }
      : {};
    if (MYSQL) await mysqlAdmin(`CREATE DATABASE \`${dbName}\` CHARACTER SET utf8mb4`);
    const run = startService(dir, {
      SECRET_KEY: randomBytes(36).toString('base64url'), // 48 characters
      KEY_ENCRYPTION_KEY: randomBytes(36).toString('base64url'),
      PORT: String(port),
      DOCS_ENABLED: 'false',
      ...database,
    });
    running.push(run.child);
    try {
      const base = `http://127.0.0.1:${port}`;
      const deadline = Date.now() + 20_000;
      let root: globalThis.Response | undefined;
      while (!root && Date.now() < deadline && run.child.exitCode === null) {
        root = await fetch(`${base}/`).catch(() => undefined);
        if (!root) await sleep(200);
      }
      expect({ exitCode: run.child.exitCode, stderr: run.stderr(), up: !!root }).toEqual({
        exitCode: null,
        stderr: expect.any(String),
        up: true,
      });
      expect(root!.status).toBe(200);
      expect(await root!.json()).toMatchObject({ status: 'ok' });
      for (const path of ['/docs', '/docs/', '/docs-json']) {
        const response = await fetch(`${base}${path}`);
        expect({ path, status: response.status }).toEqual({ path, status: 404 });
        expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      }
    } finally {
      run.child.kill('SIGTERM');
      await within(run.exited, 10_000, 'shutdown').catch(() => run.child.kill('SIGKILL'));
      if (MYSQL) await mysqlAdmin(`DROP DATABASE IF EXISTS \`${dbName}\``);
    }
  });
});
