import { ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createConnection, RowDataPacket } from 'mysql2/promise';
import { exitOf, freePort, stopChild, track, waitFor } from '../../support/processes';

const run = promisify(execFile);

/**
 * A private mariadbd in a temporary datadir, on a free port, so that it can be stopped, frozen
 * and killed without touching anyone else's database. Root has no password.
 */
export class MariaDb {
  private child: ChildProcess | null = null;

  private constructor(
    readonly port: number,
    private readonly dir: string,
  ) {}

  static async start(): Promise<MariaDb> {
    const dir = mkdtempSync(join(tmpdir(), 'auth-faults-mariadb-'));
    try {
      await run(
        'mariadb-install-db',
        [
          '--no-defaults',
          `--datadir=${join(dir, 'data')}`,
          '--auth-root-authentication-method=normal',
          '--skip-test-db',
          ...(process.getuid?.() === 0 ? ['--user=root'] : []),
        ],
        { timeout: 60_000 },
      );
    } catch (error) {
      rmSync(dir, { recursive: true, force: true });
      throw error;
    }
    const server = new MariaDb(await freePort(), dir);
    try {
      await server.restart();
    } catch (error) {
      await server.close();
      throw error;
    }
    return server;
  }

  get connection() {
    return { host: '127.0.0.1', port: this.port, user: 'root', password: '' };
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Starts mariadbd on the same datadir and port; resolves once it answers a query. */
  async restart(): Promise<void> {
    const child = spawn(
      'mariadbd',
      [
        '--no-defaults',
        `--datadir=${join(this.dir, 'data')}`,
        `--port=${this.port}`,
        '--bind-address=127.0.0.1',
        `--socket=${join(this.dir, 'mariadb.sock')}`,
        `--pid-file=${join(this.dir, 'mariadb.pid')}`,
        `--log-error=${join(this.dir, 'error.log')}`,
        '--skip-log-bin',
        '--innodb-buffer-pool-size=32M',
        '--max-connections=200',
        ...(process.getuid?.() === 0 ? ['--user=root'] : []),
      ],
      { stdio: 'ignore' },
    );
    this.child = track(child);
    await waitFor('mariadbd answering', 30_000, async () => {
      if (child.exitCode !== null) throw new Error(`mariadbd exited:\n${this.errorLog()}`);
      await this.query('SELECT 1');
      return true;
    }).catch((error: Error) => {
      throw new Error(`${error.message}\n${this.errorLog()}`);
    });
  }

  /** Starts it again if a scenario left it stopped or frozen (e.g. after a failed assertion). */
  async ensureRunning(): Promise<void> {
    if (this.child) this.thaw();
    else await this.restart();
  }

  /** A clean shutdown (SIGTERM), as an operator's `systemctl stop`. */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = null;
    await stopChild(child, 'SIGTERM', 30_000);
  }

  /** The process dies at once, as in a crash. */
  async kill(): Promise<void> {
    const child = this.child;
    this.child = null;
    await stopChild(child, 'SIGKILL');
  }

  /** SIGSTOP: connections stay open, nothing answers. */
  freeze(): void {
    this.child?.kill('SIGSTOP');
  }

  thaw(): void {
    this.child?.kill('SIGCONT');
  }

  async createDatabase(name: string): Promise<void> {
    await this.query(
      `CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
    );
  }

  async query<T extends RowDataPacket>(
    sql: string,
    params: unknown[] = [],
    database?: string,
  ): Promise<T[]> {
    const connection = await createConnection({
      ...this.connection,
      database,
      timezone: 'Z',
      connectTimeout: 2_000,
    });
    try {
      const [rows] = await connection.query<T[]>({ sql, timeout: 10_000 }, params);
      return rows;
    } finally {
      connection.destroy();
    }
  }

  /** Stops the server (whatever state it is in) and removes its datadir. */
  async close(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (child) {
      child.kill('SIGCONT');
      child.kill('SIGKILL');
      await exitOf(child, 10_000);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  private errorLog(): string {
    try {
      return readFileSync(join(this.dir, 'error.log'), 'utf8').slice(-2000);
    } catch {
      return '';
    }
  }
}
