/** The raw argon2 verify rate, the login scenario's reference, measured right beside it. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { threadPoolSize } from '../src/config/thread-pool';
import { CONNECTIONS, DURATION_S } from './config';

interface RawArgon {
  /** libuv pool threads of the raw run. */
  threads: number;
  /** Verifies per second: the mean of the runs just before and just after the login scenario. */
  rate: number;
  before: number;
  after: number;
  /** CPU ms per verify, all threads of the raw run's process. */
  cpuMs: number;
  /** The machine's steal per verify (see CpuPerRequest.steal). */
  stealMs: number;
}

/** The faster pool's raw run, and every pool's. */
export interface ArgonReference extends RawArgon {
  byPool: RawArgon[];
}

/**
 * The raw verify rate with the service's parameters, in a child process with the server idle:
 * as many in flight as the server would have, on a libuv pool of `threads`.
 */
type RawRun = Pick<RawArgon, 'rate' | 'cpuMs' | 'stealMs'>;

async function rawArgonVerifies(threads: number): Promise<RawRun> {
  const child = spawn(
    process.execPath,
    [join(__dirname, 'raw-argon2.js'), String(DURATION_S), String(CONNECTIONS)],
    { env: { PATH: process.env.PATH, UV_THREADPOOL_SIZE: String(threads) } },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.pipe(process.stderr);
  const code = await new Promise((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`raw argon2 run exited with ${String(code)}`);
  return JSON.parse(output) as RawRun;
}

/**
 * The server's libuv pool (one thread per core, src/config/thread-pool.ts) and libuv's default
 * of 4: whichever verifies faster on this machine is the reference, so that sizing the server's
 * pool can never flatter the ratio.
 */
const RAW_POOLS = [...new Set([Number(threadPoolSize(undefined)), 4])];

const mean = (a: number, b: number) => Math.round(((a + b) / 2) * 100) / 100;

/**
 * Runs `login` between raw verify runs. This machine's speed drifts by ±10% over a minute
 * (it shares its host), so the reference is measured right beside the scenario it judges.
 */
export async function besideArgonReference<T>(
  login: () => Promise<T>,
): Promise<{ measured: T; reference: ArgonReference }> {
  const before = [];
  for (const threads of RAW_POOLS) before.push(await rawArgonVerifies(threads));
  const measured = await login();
  const byPool = [];
  for (const [i, threads] of RAW_POOLS.entries()) {
    const after = await rawArgonVerifies(threads);
    byPool.push({
      threads,
      rate: Math.round((before[i].rate + after.rate) / 2),
      before: before[i].rate,
      after: after.rate,
      cpuMs: mean(before[i].cpuMs, after.cpuMs),
      stealMs: mean(before[i].stealMs, after.stealMs),
    });
  }
  const best = byPool.reduce((a, b) => (b.rate > a.rate ? b : a));
  return { measured, reference: { ...best, byPool } };
}
