/** The bench's settings (BENCH_* variables) and the few things every part of it shares. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const DURATION_S = Number(process.env.BENCH_DURATION ?? 10);
/** Every scenario first runs unmeasured for this long, so that V8 has optimised its code. */
export const WARMUP_S = Number(process.env.BENCH_WARMUP ?? 5);
/**
 * Logins run ~100/s, not ~10,000/s: V8 keeps compiling their path for about a minute (at 5 s its
 * helper threads still spent ~0.45 ms per login in TurboFan, and a third of the main thread ran
 * unoptimised code). The login scenario is warmed this long first, so its ratio is the server's
 * steady state, as the raw verify it is compared with is.
 */
export const LOGIN_WARMUP_S = Number(process.env.BENCH_LOGIN_WARMUP ?? 60);
/** After a run: logins still queued for argon2 are answered before anything is measured. */
export const DRAIN_MS = 2000;
export const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
export const USERS = Number(process.env.BENCH_USERS ?? 200);
export const MODES = (process.env.BENCH_MODES ?? 'sqlite,mysql,mysql+redis').split(',');
export const SCENARIOS = (
  process.env.BENCH_SCENARIOS ?? 'floor,session,login,refresh,signup'
).split(',');
/**
 * The project's root. `npm run bench` compiles the bench to dist/bench/ and runs it with plain
 * node: under ts-node this process (the load generator) carried the TypeScript compiler in its
 * heap, and marking it in every major GC took CPU from the server on the same cores.
 */
export const ROOT = join(__dirname, '..', '..');
/** The server runs exactly as `npm start` runs it (same Node flags). */
export const START_FLAGS = (
  JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    scripts: { start: string };
  }
).scripts.start
  .split(' ')
  .filter((word) => word.startsWith('--'))
  // e.g. BENCH_SERVER_FLAGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile the server
  .concat((process.env.BENCH_SERVER_FLAGS ?? '').split(' ').filter(Boolean));

/** The login ratio's target: logins/s at least this share of raw argon2 verifies/s. */
export const LOGIN_TARGET = 0.85;

/** The session check's target ratio to `GET /`, by mode. */
export const TARGETS: Record<string, number> = { sqlite: 0.45, 'mysql+redis': 0.4, mysql: 0.18 };

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
