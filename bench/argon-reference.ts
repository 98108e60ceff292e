/** The raw argon2 verify rate, the login scenario's reference, measured right beside it. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { threadPoolSize } from '../src/config/thread-pool';
import { CONNECTIONS, DURATION_S } from './config';

/**
 * The raw verify rate with the service's parameters, in a child process while the server idles:
 * as many in flight as the server would have, on a libuv pool of `threads`.
 */
async function rawVerifiesPerSecond(threads: number): Promise<number> {
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
  return Number(output.trim());
}

/**
 * The server's libuv pool (one thread per core, src/config/thread-pool.ts) and libuv's default
 * of 4: whichever verifies faster on this machine is the reference, so that sizing the server's
 * pool can never flatter the ratio.
 */
const POOLS = [...new Set([Number(threadPoolSize(undefined)), 4])];

/**
 * Runs `login` between raw verify runs on each pool and returns the faster pool's mean rate of
 * the runs before and after it. This machine's speed drifts by ±10% over a minute (it shares
 * its host), so the reference is measured right beside the scenario it judges.
 */
export async function besideArgonReference(login: () => Promise<void>): Promise<number> {
  const before = [];
  for (const threads of POOLS) before.push(await rawVerifiesPerSecond(threads));
  await login();
  const rates = [];
  for (const [i, threads] of POOLS.entries())
    rates.push(Math.round((before[i] + (await rawVerifiesPerSecond(threads))) / 2));
  return Math.max(...rates);
}
