import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, WriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection, createPool, Pool, RowDataPacket } from 'mysql2/promise';
import { GOOD_PASSWORD } from '../support/factories';
import { SmtpPeer, tokenIn } from '../support/smtp-peer';
import { exitOf, freePort, sleep, spawnRedisServer } from '../support/processes';

export { freePort, sleep };

const ROOT = join(__dirname, '..', '..');
const ENTRY = join(ROOT, 'dist', 'src', 'main.js');

export const MYSQL = {
  host: process.env.DB_HOST ?? '127.0.0.1',
  port: Number(process.env.DB_PORT ?? 3306),
  user: process.env.DB_USER ?? 'root',
  password: process.env.DB_PASSWORD ?? '',
};

/** A private redis-server on a free port, so it can be stopped without disturbing anyone else's. */
export class RedisServer {
  private process: ChildProcess | null = null;

  private constructor(
    readonly port: number,
    private readonly dir: string,
  ) {}

  static async start(dir: string): Promise<RedisServer> {
    const server = new RedisServer(await freePort(), dir);
    await server.restart();
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async restart(): Promise<void> {
    // No persistence of its own; a snapshot is only written by stop({ keepData: true }).
    this.process = await spawnRedisServer(this.port, [
      '--dir',
      this.dir,
      '--dbfilename',
      'redis.rdb',
    ]);
  }

  /**
   * Stops the server. keepData: it comes back with the entries it had (a Redis with persistence,
   * or one that was only unreachable); otherwise it comes back empty.
   */
  async stop({ keepData = false } = {}): Promise<void> {
    const child = this.process;
    this.process = null;
    if (!child) return;
    rmSync(join(this.dir, 'redis.rdb'), { force: true });
    if (keepData) execFileSync('redis-cli', ['-p', String(this.port), 'SAVE']);
    child.kill('SIGTERM');
    if (!(await exitOf(child, 5_000))) {
      child.kill('SIGKILL');
      await exitOf(child, 5_000);
    }
  }
}

export interface Reply {
  status: number;
  body: Record<string, unknown> & { code?: string };
  headers: Headers;
}

/** One service process: `node dist/src/main.js`, exactly as production starts it. */
export class Instance {
  process: ChildProcess | null = null;
  private log: WriteStream | null = null;

  constructor(
    readonly name: string,
    readonly port: number,
    private readonly env: Record<string, string>,
    private readonly logFile: string,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.log = createWriteStream(this.logFile, { flags: 'a' });
    const child = spawn(process.execPath, [ENTRY], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', ...this.env, PORT: String(this.port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.process = child;
    child.stdout?.pipe(this.log, { end: false });
    child.stderr?.pipe(this.log, { end: false });
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (child.exitCode !== null) {
        throw new Error(`instance ${this.name} exited with ${child.exitCode}:\n${this.logs()}`);
      }
      try {
        if ((await fetch(`${this.url}/health/ready`)).status === 200) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline)
        throw new Error(`instance ${this.name} not ready:\n${this.logs()}`);
      await sleep(100);
    }
  }

  /** Sends a signal; resolves with how the process ended and how long that took. */
  async signal(
    signal: NodeJS.Signals,
    waitMs = 15_000,
  ): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number } | null> {
    const child = this.process;
    if (!child) return null;
    const started = Date.now();
    child.kill(signal);
    const exit = await exitOf(child, waitMs);
    if (exit) this.process = null;
    return exit && { ...exit, ms: Date.now() - started };
  }

  async stop(): Promise<void> {
    if (this.process && !(await this.signal('SIGTERM'))) await this.signal('SIGKILL');
    this.log?.end();
  }

  logs(): string {
    try {
      return readFileSync(this.logFile, 'utf8').slice(-4000);
    } catch {
      return '';
    }
  }

  async call(
    method: string,
    path: string,
    options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<Reply> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${this.url}${path}`, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    const text = await response.text();
    let body: Reply['body'] = {};
    try {
      body = text ? (JSON.parse(text) as Reply['body']) : {};
    } catch {
      body = { text };
    }
    return { status: response.status, body, headers: response.headers };
  }

  login(email: string, force = false, headers?: Record<string, string>): Promise<Reply> {
    return this.call('POST', '/auth/login', {
      body: { email, password: GOOD_PASSWORD, ...(force ? { force } : {}) },
      headers,
    });
  }

  sessionActive(token: string): Promise<Reply> {
    return this.call('GET', '/session/active', { token });
  }

  logout(token: string): Promise<Reply> {
    return this.call('POST', '/auth/logout', { token });
  }
}

/** The session id an access token names (its `sid` claim), read from the token we were given. */
export function sessionIdOf(accessToken: string): string {
  const payload = JSON.parse(Buffer.from(accessToken.split('.')[1], 'base64url').toString()) as {
    sid: string;
  };
  return payload.sid;
}

let identities = 0;

/**
 * Two service processes (A and B) on their own ports, sharing one fresh MariaDB database, one
 * private Redis and one SMTP peer, like instances behind a load balancer.
 */
export class Cluster {
  readonly instances: Instance[] = [];
  /** The environment both instances run with (for commands run against the same stores). */
  env: Record<string, string> = {};

  private constructor(
    readonly redis: RedisServer,
    readonly smtp: SmtpPeer,
    readonly db: Pool,
    private readonly dbName: string,
    private readonly dir: string,
  ) {}

  get a(): Instance {
    return this.instances[0];
  }

  get b(): Instance {
    return this.instances[1];
  }

  static async start(env: Record<string, string> = {}): Promise<Cluster> {
    const dbName = `auth_cluster_${randomBytes(6).toString('hex')}`;
    const admin = await createConnection(MYSQL);
    try {
      await admin.query(
        `CREATE DATABASE \`${dbName}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
      );
    } finally {
      await admin.end();
    }
    const dir = mkdtempSync(join(tmpdir(), 'auth-cluster-'));
    const [redis, smtp] = await Promise.all([RedisServer.start(dir), SmtpPeer.start()]);
    const db = createPool({ ...MYSQL, database: dbName, connectionLimit: 4, timezone: 'Z' });
    const cluster = new Cluster(redis, smtp, db, dbName, dir);
    const shared = {
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      DB_TYPE: 'mysql',
      DB_HOST: MYSQL.host,
      DB_PORT: String(MYSQL.port),
      DB_USER: MYSQL.user,
      DB_PASSWORD: MYSQL.password,
      DB_NAME: dbName,
      REDIS_URL: redis.url,
      SECRET_KEY: randomBytes(48).toString('base64url'),
      APP_URL: 'http://auth.test',
      SMTP_SERVER: '127.0.0.1',
      SMTP_PORT: String(smtp.port),
      SMTP_EMAIL: 'no-reply@auth.test',
      MAIL_FROM: 'no-reply@auth.test',
      SESSION_POLICY: 'reject',
      THROTTLE_ENABLED: 'false',
      DOCS_ENABLED: 'false',
      DB_MIGRATE: 'false',
      ...env,
    };
    cluster.env = shared;
    for (const name of ['A', 'B']) {
      const port = await freePort();
      cluster.instances.push(new Instance(name, port, shared, join(dir, `${name}.log`)));
    }
    try {
      // As deployed: migrations applied once by deploy/migrate.js, then the replicas start together.
      execFileSync(process.execPath, [join(ROOT, 'deploy', 'migrate.js')], {
        cwd: ROOT,
        env: { PATH: process.env.PATH ?? '', ...shared },
        stdio: 'pipe',
        timeout: 60_000,
      });
      await Promise.all(cluster.instances.map((instance) => instance.start()));
    } catch (error) {
      await cluster.close();
      throw error;
    }
    return cluster;
  }

  async close(): Promise<void> {
    await Promise.all(this.instances.map((instance) => instance.stop()));
    await Promise.all([this.redis.stop(), this.smtp.close()]);
    await this.db.end();
    const admin = await createConnection(MYSQL);
    try {
      await admin.query(`DROP DATABASE IF EXISTS \`${this.dbName}\``);
    } finally {
      await admin.end();
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  async query<T extends RowDataPacket>(sql: string, params: unknown[] = []): Promise<T[]> {
    const [rows] = await this.db.query<T[]>(sql, params);
    return rows;
  }

  /** Signs up on one instance and verifies through the emailed link's token on the other. */
  async verifiedUser(signupOn = this.a, confirmOn = this.b): Promise<{ email: string }> {
    identities += 1;
    const tag = `${randomBytes(4).toString('hex')}${identities}`;
    const identity = {
      username: `cl_${tag}`,
      email: `cl.${tag}@example.com`,
      password: GOOD_PASSWORD,
    };
    const signup = await signupOn.call('POST', '/auth/signup', { body: identity });
    if (signup.status !== 201)
      throw new Error(`signup: ${signup.status} ${JSON.stringify(signup.body)}`);
    const mail = await this.smtp.waitForMail(identity.email, /Confirm/);
    const confirm = await confirmOn.call('POST', '/verify/confirm', {
      body: { token: tokenIn(mail) },
    });
    if (confirm.status !== 200) throw new Error(`confirm: ${confirm.status}`);
    return { email: identity.email };
  }

  /** A verified user logged in on `on`; returns the access token. */
  async loggedInUser(on = this.a): Promise<{ email: string; token: string }> {
    const user = await this.verifiedUser();
    const login = await on.login(user.email);
    if (login.status !== 200)
      throw new Error(`login: ${login.status} ${JSON.stringify(login.body)}`);
    return { ...user, token: login.body.access_token as string };
  }
}
