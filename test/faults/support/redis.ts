import { ChildProcess, spawn } from 'node:child_process';
import { exitOf, freePort, stopChild, track } from '../../support/processes';

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
    const child = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    );
    this.child = track(child);
    let output = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`redis-server did not start:\n${output}`)),
        10_000,
      );
      child.stdout?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('Ready to accept connections')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited with ${code}:\n${output}`));
      });
    });
    child.stdout?.removeAllListeners('data');
    child.stdout?.resume();
    child.removeAllListeners('exit');
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
