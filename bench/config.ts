/** The bench's settings (BENCH_* variables), its floors, and the few helpers every part shares. */
import { join } from 'node:path';

const number = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const list = (name: string, fallback: string) =>
  (process.env[name] ?? fallback).split(',').filter(Boolean);

/** Every figure is the median of this many runs; each run starts a fresh server. */
export const RUNS = number('BENCH_RUNS', 3);
/** Seconds measured per scenario (and per raw argon2 run). */
export const DURATION_S = number('BENCH_DURATION', 5);
/** Seconds the login scenario is measured: ~55 logins/s, so it needs longer than the others. */
export const LOGIN_DURATION_S = number('BENCH_LOGIN_DURATION', 10);
/** Every scenario first runs unmeasured for this long, so that V8 has optimised its code. */
export const WARMUP_S = number('BENCH_WARMUP', 3);
/**
 * Logins run ~55/s, not ~10,000/s: V8 keeps compiling their path for about a minute (at 5 s its
 * helper threads still spent ~0.45 ms per login in TurboFan). The login scenario is warmed this
 * long first, so its ratio is the server's steady state, as the raw verify it is compared with is.
 */
export const LOGIN_WARMUP_S = number('BENCH_LOGIN_WARMUP', 60);
/** After a run: logins still queued for argon2 are answered before anything else starts. */
export const DRAIN_MS = 2000;
export const CONNECTIONS = number('BENCH_CONNECTIONS', 50);
export const USERS = number('BENCH_USERS', 200);
/**
 * Storage modes, each optionally with the signing algorithm after a colon (`sqlite:EdDSA`;
 * without one, HS256). A mode with an algorithm runs only the floor and the session check:
 * the algorithm changes what verifying a token costs, not logins or signups.
 */
export const MODES = list('BENCH_MODES', 'sqlite,mysql,mysql+redis,sqlite:ES256,sqlite:EdDSA');
/** The storage part of a mode (`sqlite:EdDSA` → `sqlite`). */
export const storageOf = (mode: string) => mode.split(':')[0];
/** The signing algorithm of a mode, if it names one. */
export const algorithmOf = (mode: string): string | undefined => mode.split(':')[1];
/** The scenarios a mode with a signing algorithm runs. */
export const SIGNED_MODE_SCENARIOS = ['floor', 'session'];
/** `peer` is Better Auth's get-session, run once per run beside the modes. */
export const SCENARIOS = list('BENCH_SCENARIOS', 'floor,session,login,refresh,signup,peer');
/** The Better Auth release the peer runs (installed into a scratch folder, never the project). */
export const PEER_VERSION = process.env.BENCH_PEER_VERSION ?? '1.7.25';
/** Extra Node flags for the server, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"; none by default. */
export const SERVER_FLAGS = (process.env.BENCH_SERVER_FLAGS ?? '').split(' ').filter(Boolean);

/**
 * The project's root. `npm run bench` compiles the bench to dist/bench/ and runs it with plain
 * node, so that the load generator carries no TypeScript compiler on the server's cores.
 */
export const ROOT = join(__dirname, '..', '..');

/** The floors (issue 24), each checked against the median of the runs. */
export const FLOORS = {
  /** Our session check's rate over Better Auth's get-session. */
  peer: 10,
  /** The session check's rate over `GET /` of the same server, by mode. */
  session: { sqlite: 0.4, mysql: 0.18, 'mysql+redis': 0.35 } as Record<string, number>,
  /** The session check's p99, ms (at 50 connections). */
  p99Ms: 30,
  /** Logins/s over raw argon2id verifies/s. */
  login: 0.8,
  /** The server's peak RSS, MB. */
  rssMb: 300,
};

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
