import { ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { GOOD_PASSWORD } from '../../support/factories';
import { SmtpPeer, tokenIn } from '../../support/smtp-peer';
import { freePort, stopChild, track, waitFor } from '../../support/processes';

const ROOT = join(__dirname, '..', '..', '..');
const ENTRY = join(ROOT, 'dist', 'src', 'main.js');
const run = promisify(execFile);

export interface Reply {
  status: number;
  body: Record<string, unknown> & { code?: string };
  headers: Headers;
  ms: number;
}

/** One parsed stdout line of the service (JSON, or `{ text }` when it was not JSON). */
export type LogLine = Record<string, unknown>;

/**
 * The built service (`node dist/src/main.js`, as production starts it) as a child process, with
 * the environment given and every stdout/stderr line kept, parsed, for the test to count.
 */
export class Service {
  readonly lines: LogLine[] = [];
  private child: ChildProcess | null = null;

  private constructor(
    readonly port: number,
    readonly env: Record<string, string>,
  ) {}

  static async start(env: Record<string, string>): Promise<Service> {
    const service = new Service(await freePort(), env);
    await service.restart();
    return service;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Starts the process; resolves once `/health/ready` answers 200. */
  async restart(): Promise<void> {
    const child = spawn(process.execPath, [ENTRY], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', ...this.env, PORT: String(this.port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = track(child);
    for (const stream of [child.stdout, child.stderr]) {
      if (stream) createInterface({ input: stream }).on('line', (line) => this.keep(line));
    }
    await waitFor('the service ready', 60_000, async () => {
      if (child.exitCode !== null)
        throw new Error(`the service exited with ${child.exitCode}:\n${this.tail()}`);
      return (await fetch(`${this.url}/health/ready`)).status === 200;
    }).catch((error: Error) => {
      throw new Error(`${error.message}\n${this.tail()}`);
    });
  }

  /** SIGKILL: no shutdown hooks, no flushing; whatever was not committed is lost. */
  async kill(): Promise<void> {
    const child = this.child;
    this.child = null;
    await stopChild(child, 'SIGKILL');
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = null;
    await stopChild(child, 'SIGTERM', 15_000);
  }

  /** The lines written since `from` (an index into `lines`). */
  linesSince(from: number): LogLine[] {
    return this.lines.slice(from);
  }

  tail(count = 30): string {
    return this.lines
      .slice(-count)
      .map((line) => JSON.stringify(line))
      .join('\n');
  }

  async call(
    method: string,
    path: string,
    options: { token?: string; body?: unknown; timeoutMs?: number } = {},
  ): Promise<Reply> {
    const headers: Record<string, string> = {};
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const started = Date.now();
    const response = await fetch(`${this.url}${path}`, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
    });
    const text = await response.text();
    let body: Reply['body'] = {};
    try {
      body = text ? (JSON.parse(text) as Reply['body']) : {};
    } catch {
      body = { text };
    }
    return { status: response.status, body, headers: response.headers, ms: Date.now() - started };
  }

  login(email: string, password = GOOD_PASSWORD): Promise<Reply> {
    return this.call('POST', '/auth/login', { body: { email, password, force: true } });
  }

  /** Runs a TypeScript script of the project with the service's environment. */
  script(path: string): Promise<{ stdout: string; stderr: string }> {
    return run(process.execPath, ['-r', 'ts-node/register/transpile-only', path], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', ...this.env },
      timeout: 60_000,
    });
  }

  private keep(line: string): void {
    try {
      this.lines.push(JSON.parse(line) as LogLine);
    } catch {
      this.lines.push({ text: line });
    }
  }
}

/** The environment of a production-like service over the given database, SMTP peer and Redis. */
export function serviceEnv(
  database: { host: string; port: number; user: string; password: string; name: string },
  smtp: SmtpPeer,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    NODE_ENV: 'production',
    LOG_LEVEL: 'info',
    DB_TYPE: 'mysql',
    DB_HOST: database.host,
    DB_PORT: String(database.port),
    DB_USER: database.user,
    DB_PASSWORD: database.password,
    DB_NAME: database.name,
    SECRET_KEY: randomBytes(48).toString('base64url'),
    KEY_ENCRYPTION_KEY: randomBytes(48).toString('base64url'),
    APP_URL: 'http://auth.test',
    SMTP_SERVER: '127.0.0.1',
    SMTP_PORT: String(smtp.port),
    SMTP_EMAIL: 'no-reply@auth.test',
    MAIL_FROM: 'no-reply@auth.test',
    THROTTLE_ENABLED: 'false',
    DOCS_ENABLED: 'false',
    ...extra,
  };
}

let identities = 0;

/** A new account, signed up and confirmed through the mailed link's token. */
export async function verifiedUser(service: Service, smtp: SmtpPeer): Promise<{ email: string }> {
  identities += 1;
  const tag = `${randomBytes(4).toString('hex')}${identities}`;
  const identity = { username: `f_${tag}`, email: `f.${tag}@example.com`, password: GOOD_PASSWORD };
  const signup = await service.call('POST', '/auth/signup', { body: identity });
  if (signup.status !== 201)
    throw new Error(`signup: ${signup.status} ${JSON.stringify(signup.body)}`);
  const mail = await smtp.waitForMail(identity.email, /Confirm/);
  const confirm = await service.call('POST', '/verify/confirm', { body: { token: tokenIn(mail) } });
  if (confirm.status !== 200) throw new Error(`confirm: ${confirm.status}`);
  return { email: identity.email };
}

/** A verified account with a live session; returns its access and refresh tokens. */
export async function loggedInUser(
  service: Service,
  smtp: SmtpPeer,
): Promise<{ email: string; token: string; refreshToken: string }> {
  const user = await verifiedUser(service, smtp);
  const login = await service.login(user.email);
  if (login.status !== 200) throw new Error(`login: ${login.status} ${JSON.stringify(login.body)}`);
  return {
    ...user,
    token: login.body.access_token as string,
    refreshToken: login.body.refresh_token as string,
  };
}
