import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { GOOD_PASSWORD } from '../support/factories';
import { SmtpPeer, tokenIn } from '../support/smtp-peer';
import { freePort, sleep } from '../support/processes';

// A minimal harness for the SQLite fault suites, until test/faults/support/ (the faults-db
// helper's) is merged: the built service as a child process, on a DB_PATH of the test's choice.

const ROOT = join(__dirname, '..', '..');
const ENTRY = join(ROOT, 'dist', 'src', 'main.js');

export { sleep };

export interface Reply {
  status: number;
  body: Record<string, unknown> & { code?: string };
  headers: Headers;
}

/** What a start that was refused printed, and how it ended. */
export interface Refusal {
  code: number | null;
  output: string;
}

/** `node dist/src/main.js` on SQLite, as production starts it, with every line it printed kept. */
export class SqliteService {
  private child: ChildProcess | null = null;
  private output = '';

  private constructor(
    readonly port: number,
    private readonly env: Record<string, string>,
    private readonly cwd: string,
  ) {}

  static async create(env: Record<string, string>, cwd = ROOT): Promise<SqliteService> {
    return new SqliteService(await freePort(), env, cwd);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Starts the process; resolves once /health/ready answers 200. */
  async start(): Promise<void> {
    const child = this.spawn();
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (child.exitCode !== null)
        throw new Error(`the service exited with ${child.exitCode}:\n${this.output}`);
      try {
        if ((await fetch(`${this.url}/health/ready`)).status === 200) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`the service is not ready:\n${this.output}`);
      await sleep(100);
    }
  }

  /**
   * Starts a process that is expected to refuse to start: resolves with its exit code and
   * output, or with code null (and the process killed) if it was still running after `ms`.
   */
  async startRefused(ms = 15_000): Promise<Refusal> {
    const child = this.spawn();
    const exited = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), ms);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
    if (!exited) await this.stop();
    else this.child = null;
    return { code: exited ? child.exitCode : null, output: this.output };
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exit = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exit;
    clearTimeout(timer);
  }

  logs(): string {
    return this.output.slice(-4000);
  }

  async call(method: string, path: string, body?: unknown, token?: string): Promise<Reply> {
    const headers: Record<string, string> = {};
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${this.url}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    });
    const text = await response.text();
    let parsed: Reply['body'] = {};
    try {
      parsed = text ? (JSON.parse(text) as Reply['body']) : {};
    } catch {
      parsed = { text };
    }
    return { status: response.status, body: parsed, headers: response.headers };
  }

  private spawn(): ChildProcess {
    this.output = '';
    const child = spawn(process.execPath, [ENTRY], {
      cwd: this.cwd,
      env: { PATH: process.env.PATH ?? '', ...this.env, PORT: String(this.port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    const keep = (chunk: Buffer) => {
      this.output += chunk.toString();
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    return child;
  }
}

/** The service's environment on SQLite at `dbPath`, mailing to `smtp` when given. */
export function sqliteEnv(dbPath: string, smtp?: SmtpPeer): Record<string, string> {
  return {
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    DB_TYPE: 'sqlite',
    DB_PATH: dbPath,
    SECRET_KEY: randomBytes(48).toString('base64url'),
    KEY_ENCRYPTION_KEY: randomBytes(48).toString('base64url'),
    APP_URL: 'http://auth.test',
    MAIL_FROM: 'no-reply@auth.test',
    THROTTLE_ENABLED: 'false',
    DOCS_ENABLED: 'false',
    ...(smtp
      ? { SMTP_SERVER: '127.0.0.1', SMTP_PORT: String(smtp.port), SMTP_EMAIL: 'no-reply@auth.test' }
      : {}),
  };
}

let identities = 0;

/** A new identity for signup. */
export function newIdentity(): { username: string; email: string; password: string } {
  identities += 1;
  const tag = `${randomBytes(4).toString('hex')}${identities}`;
  return { username: `fs_${tag}`, email: `fs.${tag}@example.com`, password: GOOD_PASSWORD };
}

/** Confirms the address of an account that was answered 201, from the link in its mail. */
export async function confirmFromMail(
  service: SqliteService,
  smtp: SmtpPeer,
  email: string,
): Promise<Reply> {
  const mail = await smtp.waitForMail(email, /Confirm/);
  return service.call('POST', '/verify/confirm', { token: tokenIn(mail) });
}

/** A tmpfs of `size` (e.g. '8m') at `dir`, read-only when asked: needs root, as CI runs. */
export function mountTmpfs(dir: string, size: string, readOnly = false): void {
  execFileSync('mount', [
    '-t',
    'tmpfs',
    '-o',
    `${readOnly ? 'ro,' : ''}size=${size}`,
    'tmpfs',
    dir,
  ]);
}

export function unmount(dir: string): void {
  try {
    execFileSync('umount', [dir]);
  } catch {
    // not mounted
  }
}

/** Writes `file` until the file system refuses: no free block is left. */
export function fillFileSystem(file: string): void {
  const fd = openSync(file, 'w');
  try {
    for (const size of [1 << 20, 64 << 10, 4 << 10, 512, 1]) {
      const chunk = Buffer.alloc(size, 1);
      try {
        for (;;) writeSync(fd, chunk);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
      }
    }
  } finally {
    closeSync(fd);
  }
}
