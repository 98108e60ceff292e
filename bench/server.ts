/** Starts the built service for one storage mode and makes verified users on it. */
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { createConnection } from 'mysql2/promise';
import { algorithmOf, ROOT, SERVER_FLAGS, sleep, storageOf } from './config';
import { PASSWORD } from './raw-argon2';

export interface Server {
  base: string;
  process: ChildProcess;
  outbox: string;
  stop(): Promise<void>;
}

/** Starts the built service as `npm start` does (plain `node dist/src/main.js`), rate limits off. */
export async function startServer(mode: string, port: number): Promise<Server> {
  const dir = mkdtempSync(join(tmpdir(), 'auth-bench-'));
  const dbName = `auth_bench_${randomBytes(4).toString('hex')}`;
  const mysql = storageOf(mode).startsWith('mysql');
  const algorithm = algorithmOf(mode);
  if (mysql) await adminQuery(`CREATE DATABASE \`${dbName}\` CHARACTER SET utf8mb4`);
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    NODE_ENV: 'production',
    PORT: String(port),
    LOG_LEVEL: 'warn',
    SECRET_KEY: randomBytes(32).toString('base64url'),
    KEY_ENCRYPTION_KEY: randomBytes(48).toString('base64url'),
    THROTTLE_ENABLED: 'false',
    DOCS_ENABLED: 'false',
    DB_TYPE: mysql ? 'mysql' : 'sqlite',
    DB_PATH: join(dir, 'auth.sqlite'),
    DB_HOST: '127.0.0.1',
    DB_NAME: dbName,
    MAIL_OUTBOX_DIR: join(dir, 'outbox'),
    ...(storageOf(mode).includes('redis') ? { REDIS_URL: 'redis://127.0.0.1:6379/14' } : {}),
    ...(algorithm ? { ALGORITHM: algorithm } : {}),
  };
  const child = spawn(process.execPath, [...SERVER_FLAGS, 'dist/src/main.js'], {
    cwd: ROOT,
    env,
    stdio: ['ignore', process.env.BENCH_SERVER_STDOUT ? 'inherit' : 'ignore', 'inherit'],
  });
  const base = `http://127.0.0.1:${port}`;
  const server = {
    base,
    process: child,
    outbox: join(dir, 'outbox'),
    async stop() {
      await stopProcess(child);
      rmSync(dir, { recursive: true, force: true });
      if (mysql) await adminQuery(`DROP DATABASE IF EXISTS \`${dbName}\``);
    },
  };
  try {
    await waitUntilOk(`${base}/health/ready`);
  } catch (error) {
    await server.stop();
    throw error;
  }
  return server;
}

/** SIGTERM, and wait until it has exited. */
export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/** Polls `url` until it answers 2xx (up to 20 s). */
export async function waitUntilOk(url: string): Promise<void> {
  for (let i = 0; i < 100; i += 1) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  throw new Error(`${url} did not answer within 20 s`);
}

/** A process's peak resident memory so far (VmHWM), in MB. */
export function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Math.round(Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
    probe.on('error', reject);
  });
}

async function adminQuery(sql: string): Promise<void> {
  const connection = await createConnection({ host: '127.0.0.1', user: 'root' });
  await connection.query(sql);
  await connection.end();
}

export async function post(
  base: string,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
) {
  const response = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

export async function loginUntilOk(base: string, email: string) {
  for (;;) {
    const login = await post(base, '/auth/login', { email, password: PASSWORD, force: true });
    if (login.status === 200) return login;
    if (login.status !== 503) throw new Error(`login failed: ${JSON.stringify(login.body)}`);
    await sleep(200);
  }
}

/** Signs up `count` users, verifies each through the link in the outbox, logs each in. */
export async function makeUsers(server: Server, count: number, tag: string) {
  const emails: string[] = [];
  for (let start = 0; start < count; start += 8) {
    await Promise.all(
      Array.from({ length: Math.min(8, count - start) }, async (_, offset) => {
        const i = start + offset;
        const email = `bench.${tag}.${i}@example.com`;
        const created = await post(server.base, '/auth/signup', {
          username: `bench_${tag}_${i}`,
          email,
          password: PASSWORD,
        });
        if (created.status !== 201)
          throw new Error(`signup failed: ${JSON.stringify(created.body)}`);
        emails.push(email);
      }),
    );
  }
  const written = () => (existsSync(server.outbox) ? readdirSync(server.outbox).length : 0);
  for (let i = 0; i < 100 && written() < count; i += 1) await sleep(100);
  const tokens = await Promise.all(
    readdirSync(server.outbox).map(async (file) => {
      const mail = await simpleParser(readFileSync(join(server.outbox, file)));
      return /token=([A-Za-z0-9_-]+)/.exec(mail.text ?? '')?.[1];
    }),
  );
  for (const token of tokens) if (token) await post(server.base, '/verify/confirm', { token });
  const sessions: Array<{ email: string; access: string; refresh: string }> = [];
  for (const email of emails) {
    const login = await post(server.base, '/auth/login', {
      email,
      password: PASSWORD,
      force: true,
    });
    if (login.status !== 200) throw new Error(`login failed: ${JSON.stringify(login.body)}`);
    sessions.push({
      email,
      access: String(login.body.access_token),
      refresh: String(login.body.refresh_token),
    });
  }
  return sessions;
}
