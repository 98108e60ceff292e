import { ChildProcess } from 'node:child_process';
import { exitOf, freePort, spawnRedisServer, stopChild, track } from '../../support/processes';

/** A private redis-server (no persistence) on a free port: it can be killed or frozen freely. */
export class RedisServer {
  private child: ChildProcess | null = null;

  private constructor(readonly port: number) {}

  static async start(): Promise<RedisServer> {
    const server = new RedisServer(await freePort());
    await server.restart();
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async restart(): Promise<void> {
    this.child = track(await spawnRedisServer(this.port));
  }

  /** Starts it again if a scenario left it killed or frozen (e.g. after a failed assertion). */
  async ensureRunning(): Promise<void> {
    if (this.child) this.thaw();
    else await this.restart();
  }

  /** The process dies at once: connections are reset, nothing is kept. */
  async kill(): Promise<void> {
    const child = this.child;
    this.child = null;
    await stopChild(child, 'SIGKILL');
  }

  /** SIGSTOP: connections stay open, no command is answered. */
  freeze(): void {
    this.child?.kill('SIGSTOP');
  }

  thaw(): void {
    this.child?.kill('SIGCONT');
  }

  async close(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child) return;
    child.kill('SIGCONT');
    child.kill('SIGKILL');
    await exitOf(child, 5_000);
  }
}
