/**
 * Prints each run as it ends; at the end, takes the median (and the spread) of the runs of every
 * figure, checks the floors and writes bench/results.md and bench/results.json.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CONNECTIONS,
  DURATION_S,
  FLOORS,
  LOGIN_DURATION_S,
  LOGIN_WARMUP_S,
  PEER_VERSION,
  ROOT,
  RUNS,
  storageOf,
  USERS,
  WARMUP_S,
} from './config';
import type { Measured } from './load';

/** The peer's name where a storage mode's would be. */
export const PEER = 'better-auth';

/** One server (a storage mode of ours, or the peer) in one run. */
export interface Run {
  run: number;
  mode: string;
  scenarios: Measured[];
  /** Raw argon2id verifies/s beside the login scenario. */
  argon2?: number;
  peakRssMb: number;
}

const FLOOR = 'GET /';
const SESSION = 'GET /session/active';
const LOGIN = 'POST /auth/login (force)';
const GET_SESSION = 'GET /api/auth/get-session';

/** Each scenario's reference, in the same run on the same server ('argon2': the raw verifies beside). */
const REFERENCES: Record<string, string> = {
  [SESSION]: FLOOR,
  [LOGIN]: 'argon2',
  'POST /auth/signup': 'argon2',
  'POST /auth/refresh': FLOOR,
};

/** The median of the runs, and their lowest and highest. */
interface Figure {
  median: number;
  min: number;
  max: number;
  runs: number[];
}

function figure(values: Array<number | undefined>): Figure | undefined {
  const runs = values.filter((v): v is number => v !== undefined && Number.isFinite(v));
  if (runs.length === 0) return undefined;
  const sorted = [...runs].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median =
    sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  return { median, min: sorted[0], max: sorted[sorted.length - 1], runs };
}

const round = (value: number, digits: number) => Number(value.toFixed(digits));

/** "median (min–max)", or "–" when not measured. */
function cell(f: Figure | undefined, digits = 0): string {
  if (!f) return '–';
  const show = (v: number) => round(v, digits).toString();
  return f.runs.length > 1 ? `${show(f.median)} (${show(f.min)}–${show(f.max)})` : show(f.median);
}

/** A scenario's value in one run, and the value of its reference in the same run. */
function rateIn(runs: Run[], mode: string, run: number, scenario: string): number | undefined {
  const found = runs.find((r) => r.mode === mode && r.run === run);
  if (scenario === 'argon2') return found?.argon2;
  return found?.scenarios.find((s) => s.scenario === scenario)?.rps;
}

/** The per-run ratio of `scenario` in `mode` to `reference` in `referenceMode`. */
function ratio(
  runs: Run[],
  mode: string,
  scenario: string,
  reference: string,
  referenceMode = mode,
): Figure | undefined {
  return figure(
    runs
      .filter((r) => r.mode === mode)
      .map((r) => {
        const value = rateIn(runs, mode, r.run, scenario);
        const base = rateIn(runs, referenceMode, r.run, reference);
        return value !== undefined && base ? value / base : undefined;
      }),
  );
}

function perScenario(runs: Run[], mode: string, scenario: string, key: 'rps' | 'p99') {
  return figure(
    runs
      .filter((r) => r.mode === mode)
      .map((r) => r.scenarios.find((s) => s.scenario === scenario)?.[key]),
  );
}

function perRun(runs: Run[], mode: string, key: 'argon2' | 'peakRssMb') {
  return figure(runs.filter((r) => r.mode === mode).map((r) => r[key]));
}

/** One server's run, on the console as it ends. */
export function printRun(run: Run): void {
  for (const s of run.scenarios)
    console.log(
      `  ${s.scenario.padEnd(28)} ${String(s.rps).padStart(7)} req/s  p50 ${s.p50} ms  p99 ${s.p99} ms  non-2xx ${s.non2xx}  errors ${s.errors}`,
    );
  if (run.argon2) console.log(`  raw argon2id verifies: ${run.argon2}/s`);
  console.log(`  peak RSS ${run.peakRssMb} MB`);
}

interface Check {
  floor: string;
  mode: string;
  /** The median the floor is checked on; undefined when not measured. */
  value?: number;
  met?: boolean;
  /** The value with its unit and the verdict, as the table shows it. */
  shown: string;
}

/** The floors of issue 24 for one storage mode, each on the median of the runs. */
function floorChecks(runs: Run[], mode: string, peer: boolean): Check[] {
  const target = FLOORS.session[storageOf(mode)];
  const floors: Array<[string, Figure | undefined, (v: number) => boolean, (v: number) => string]> =
    [
      [
        `session check ≥ ${FLOORS.peer}× Better Auth get-session`,
        peer ? ratio(runs, mode, SESSION, GET_SESSION, PEER) : undefined,
        (v) => v >= FLOORS.peer,
        (v) => `${round(v, 1)}×`,
      ],
      [
        "session check / GET / ≥ the mode's floor",
        ratio(runs, mode, SESSION, FLOOR),
        (v) => target !== undefined && v >= target,
        (v) => `${round(v, 3)} (≥ ${target})`,
      ],
      [
        `session check p99 < ${FLOORS.p99Ms} ms at ${CONNECTIONS} connections`,
        perScenario(runs, mode, SESSION, 'p99'),
        (v) => v < FLOORS.p99Ms,
        (v) => `${v} ms`,
      ],
      [
        `logins ≥ ${FLOORS.login} of raw argon2id verifies`,
        ratio(runs, mode, LOGIN, 'argon2'),
        (v) => v >= FLOORS.login,
        (v) => `${round(v, 3)}`,
      ],
      [
        `peak RSS < ${FLOORS.rssMb} MB`,
        perRun(runs, mode, 'peakRssMb'),
        (v) => v < FLOORS.rssMb,
        (v) => `${v} MB`,
      ],
    ];
  return floors.map(([floor, f, meets, show]) => {
    if (!f) return { floor, mode, shown: 'not measured' };
    const met = meets(f.median);
    return {
      floor,
      mode,
      value: f.median,
      met,
      shown: `${show(f.median)} ${met ? 'met' : '**NOT MET**'}`,
    };
  });
}

export function writeResults(runs: Run[]): void {
  const modes = [...new Set(runs.map((r) => r.mode))].filter((m) => m !== PEER);
  const peer = runs.some((r) => r.mode === PEER);
  const scenarios = (mode: string) => [
    ...new Set(
      runs.filter((r) => r.mode === mode).flatMap((r) => r.scenarios.map((s) => s.scenario)),
    ),
  ];

  const rows: string[] = [];
  const figures: Record<string, unknown> = {};
  for (const mode of [...(peer ? [PEER] : []), ...modes]) {
    for (const scenario of scenarios(mode)) {
      const rps = perScenario(runs, mode, scenario, 'rps');
      const p99 = perScenario(runs, mode, scenario, 'p99');
      const reference = REFERENCES[scenario];
      const toReference = reference ? ratio(runs, mode, scenario, reference) : undefined;
      const toPeer =
        scenario === SESSION && peer ? ratio(runs, mode, SESSION, GET_SESSION, PEER) : undefined;
      const name = reference === 'argon2' ? 'raw argon2id verifies' : reference;
      const ratios = [
        toReference ? `${cell(toReference, 3)} of ${name}` : '',
        toPeer ? `${cell(toPeer, 1)}× Better Auth` : '',
      ].filter(Boolean);
      rows.push(`| ${mode} | ${scenario} | ${cell(rps)} | ${cell(p99)} | ${ratios.join('; ')} |`);
      figures[`${mode} ${scenario}`] = { rps, p99, toReference, toPeer };
    }
  }

  const checks = modes.flatMap((mode) => floorChecks(runs, mode, peer));
  const floorNames = [...new Set(checks.map((c) => c.floor))];

  const lines = [
    '# Benchmark results',
    '',
    `${new Date().toISOString()} · Node ${process.version} · ${CONNECTIONS} connections · ${USERS} users · ` +
      `Better Auth ${PEER_VERSION} on SQLite (better-sqlite3).`,
    `Each figure is the median of ${RUNS} runs (lowest–highest in brackets), a fresh server each run; ` +
      `${DURATION_S} s per scenario after ${WARMUP_S} s of warm-up, logins ${LOGIN_DURATION_S} s after ` +
      `${LOGIN_WARMUP_S + WARMUP_S} s.`,
    '',
    '| mode | scenario | req/s | p99 ms | ratio |',
    '| --- | --- | ---: | ---: | --- |',
    ...rows,
    '',
    `| mode | raw argon2id verifies/s | peak RSS MB |`,
    '| --- | ---: | ---: |',
    ...[...(peer ? [PEER] : []), ...modes].map(
      (mode) =>
        `| ${mode} | ${cell(perRun(runs, mode, 'argon2'))} | ${cell(perRun(runs, mode, 'peakRssMb'))} |`,
    ),
    '',
    '## Floors (on the medians)',
    '',
    `| floor | ${modes.join(' | ')} |`,
    `| --- | ${modes.map(() => '---').join(' | ')} |`,
    ...floorNames.map(
      (floor) =>
        `| ${floor} | ${modes.map((mode) => checks.find((c) => c.floor === floor && c.mode === mode)?.shown).join(' | ')} |`,
    ),
    '',
  ];
  writeFileSync(join(ROOT, 'bench', 'results.md'), lines.join('\n'));
  writeFileSync(
    join(ROOT, 'bench', 'results.json'),
    JSON.stringify(
      {
        date: new Date().toISOString(),
        node: process.version,
        settings: {
          runs: RUNS,
          connections: CONNECTIONS,
          users: USERS,
          durationSeconds: DURATION_S,
          warmupSeconds: WARMUP_S,
          loginDurationSeconds: LOGIN_DURATION_S,
          loginWarmupSeconds: LOGIN_WARMUP_S,
          betterAuth: PEER_VERSION,
        },
        figures,
        checks,
        runs,
      },
      null,
      2,
    ) + '\n',
  );
  console.log(
    `\n${checks.map((c) => `${c.mode}: ${c.floor}: ${c.shown}`).join('\n')}\n\nWrote bench/results.md and bench/results.json`,
  );
}
