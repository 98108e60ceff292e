/** Prints each mode as it ends and writes bench/results.md and bench/results.json. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ArgonReference } from './argon-reference';
import {
  CONNECTIONS,
  DURATION_S,
  LOGIN_TARGET,
  LOGIN_WARMUP_S,
  ROOT,
  TARGETS,
  USERS,
  WARMUP_S,
} from './config';
import type { Measured } from './load';

export interface ModeResult {
  mode: string;
  argon2?: ArgonReference;
  peakRssMb: number;
  scenarios: Measured[];
}

function ratio(value: number, reference: number): number {
  return reference > 0 ? Math.round((value / reference) * 1000) / 1000 : 0;
}

const argonLine = (mode: ModeResult) =>
  mode.argon2
    ? `${mode.argon2.rate}/s` +
      mode.argon2.byPool
        .map(
          (raw) =>
            ` · ${raw.threads} pool threads: ${raw.rate}/s (${raw.before} before the login scenario, ${raw.after} after; ${raw.cpuMs} CPU ms each, ${raw.stealMs} ms of steal)`,
        )
        .join('')
    : 'not measured (the login scenario did not run)';

const cpuCell = (value: number | undefined) => (value === undefined ? '' : value.toFixed(2));

/**
 * On 2 busy cores a login's ratio is bounded by the cores' time one raw verify takes (its CPU and
 * the steal beside it) over all the time a login takes of them: this says how much a login took
 * beside one raw verify, against what the target leaves (raw / 0.85 - raw), so that a miss says
 * where it comes from.
 */
function loginBudget(result: ModeResult): string | undefined {
  const login = result.scenarios.find((s) => s.scenario.startsWith('POST /auth/login'));
  const cpu = login?.cpuMsPerRequest;
  const argon = result.argon2;
  if (!cpu || !argon?.cpuMs) return undefined;
  const raw = argon.cpuMs + argon.stealMs;
  const total =
    cpu.serverMain + cpu.serverOther + cpu.databases + cpu.loadGenerator + cpu.rest + cpu.steal;
  const ms = (value: number) => `${value.toFixed(2)} ms`;
  return (
    `${result.mode}: a login took ${ms(total)} of the cores (CPU and steal) against ${ms(raw)} per raw verify ` +
    `(${ms(argon.cpuMs)} CPU, ${ms(argon.stealMs)} steal): ${ms(total - raw)} beside it (server's other threads ` +
    `${ms(cpu.serverOther - argon.cpuMs)} over the raw verify's CPU, main thread ${ms(cpu.serverMain)}, ` +
    `databases ${ms(cpu.databases)}, load generator ${ms(cpu.loadGenerator)}, rest of the machine ` +
    `${ms(cpu.rest)}, steal ${ms(cpu.steal - argon.stealMs)} over the raw verify's); the target leaves ` +
    `${ms(raw / LOGIN_TARGET - raw)}. The cores' time alone allows a ratio of ${ratio(raw, total)}.`
  );
}

/** The mode's raw reference, scenarios and login CPU budget, on the console. */
export function printMode(result: ModeResult): void {
  console.log(`  raw argon2 verify rate: ${argonLine(result)}`);
  for (const s of result.scenarios)
    console.log(
      `  ${s.scenario.padEnd(28)} ${String(s.rps).padStart(7)} req/s${s.rpsBeside ? ` (${s.rpsBeside.before} before the session check, ${s.rpsBeside.after} after)` : ''}  p50 ${s.p50} ms  p99 ${s.p99} ms  non-2xx ${s.non2xx}  errors ${s.errors}  peak RSS so far ${s.peakRssMb} MB\n` +
        `  ${''.padEnd(28)} CPU ms per request: server main ${s.cpuMsPerRequest?.serverMain}, server other threads ${s.cpuMsPerRequest?.serverOther}, databases ${s.cpuMsPerRequest?.databases}, load generator ${s.cpuMsPerRequest?.loadGenerator}, rest of the machine ${s.cpuMsPerRequest?.rest}, steal ${s.cpuMsPerRequest?.steal}`,
    );
  console.log(`  peak RSS ${result.peakRssMb} MB`);
  const budget = loginBudget(result);
  if (budget) console.log(`  login CPU: ${budget}`);
}

/** The results files, and each target's PASS or FAIL on the console. */
export function writeResults(results: ModeResult[]): void {
  const lines = [
    '# Benchmark results',
    '',
    `${new Date().toISOString()} · ${CONNECTIONS} connections · ${DURATION_S}s per scenario after ${WARMUP_S}s of warm-up (logins ${LOGIN_WARMUP_S}s more) · ${USERS} users · Node ${process.version}`,
    '',
    "Raw argon2id verify rate (m=19 MiB, t=2, p=1), in a process of its own on a libuv pool of the server's size and on libuv's default of 4, just before and just after each mode's login scenario; the faster pool is the reference:",
    '',
    ...results.map((result) => `- ${result.mode}: **${argonLine(result)}**`),
    '',
    '| mode | scenario | req/s | p50 ms | p99 ms | non-2xx | ratio | reference | target |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | --- | --- |',
  ];
  const checks: Array<{ name: string; ok: boolean }> = [];
  for (const result of results) {
    const floor = result.scenarios.find((s) => s.scenario === 'GET /')?.rps ?? 0;
    for (const s of result.scenarios) {
      let reference = 'GET /';
      let value = ratio(s.rps, floor);
      let target = '';
      if (s.scenario.startsWith('POST /auth/login') || s.scenario === 'POST /auth/signup') {
        reference = 'argon2 verify/s';
        value = ratio(s.rps, result.argon2?.rate ?? 0);
      }
      if (s.scenario === 'GET /session/active') {
        target = `≥ ${TARGETS[result.mode]}, p99 < 30 ms`;
        checks.push({
          name: `${result.mode} session/active ratio ${value} ≥ ${TARGETS[result.mode]}`,
          ok: value >= TARGETS[result.mode],
        });
        checks.push({ name: `${result.mode} session/active p99 ${s.p99} ms < 30`, ok: s.p99 < 30 });
      }
      if (s.scenario.startsWith('POST /auth/login')) {
        target = `≥ ${LOGIN_TARGET}`;
        checks.push({
          name: `${result.mode} login ratio ${value} ≥ ${LOGIN_TARGET}`,
          ok: value >= LOGIN_TARGET,
        });
      }
      lines.push(
        `| ${result.mode} | ${s.scenario} | ${s.rps}${s.rpsBeside ? ` (mean of ${s.rpsBeside.before} and ${s.rpsBeside.after})` : ''} | ${s.p50} | ${s.p99} | ${s.non2xx} | ${s.scenario === 'GET /' ? '1' : value} | ${s.scenario === 'GET /' ? '' : reference} | ${target} |`,
      );
    }
    checks.push({
      name: `${result.mode} peak RSS ${result.peakRssMb} MB < 300`,
      ok: result.peakRssMb < 300,
    });
  }
  lines.push(
    '',
    '## Where the CPU goes',
    '',
    "CPU milliseconds per request (utime + stime from /proc, 10 ms ticks): the server's JavaScript thread,",
    "its other threads (argon2 in libuv's pool, V8's GC and compiler helpers), mariadbd and redis-server,",
    'the load generator, the rest of the machine (busy time in /proc/stat not in those: kernel',
    'threads, interrupts, other processes), and steal (time the hypervisor gave the busy CPUs to',
    'someone else: not CPU this machine spent, but time its work waited for).',
    '',
    '| mode | scenario | server main | server other | databases | load generator | rest | steal |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...results.flatMap((result) =>
      result.scenarios.map(
        (s) =>
          `| ${result.mode} | ${s.scenario} | ${cpuCell(s.cpuMsPerRequest?.serverMain)} | ${cpuCell(s.cpuMsPerRequest?.serverOther)} | ${cpuCell(s.cpuMsPerRequest?.databases)} | ${cpuCell(s.cpuMsPerRequest?.loadGenerator)} | ${cpuCell(s.cpuMsPerRequest?.rest)} | ${cpuCell(s.cpuMsPerRequest?.steal)} |`,
      ),
    ),
    '',
    '### A login beside one raw verify',
    '',
    ...results.flatMap((result) => {
      const budget = loginBudget(result);
      return budget ? [`- ${budget}`] : [];
    }),
    '',
    '## Targets',
    '',
    ...checks.map((c) => `- ${c.ok ? 'PASS' : 'FAIL'}: ${c.name}`),
    '',
  );
  writeFileSync(join(ROOT, 'bench', 'results.md'), lines.join('\n'));
  writeFileSync(
    join(ROOT, 'bench', 'results.json'),
    JSON.stringify(
      {
        date: new Date().toISOString(),
        connections: CONNECTIONS,
        durationSeconds: DURATION_S,
        results,
        checks,
      },
      null,
      2,
    ) + '\n',
  );
  console.log(
    `\n${checks.map((c) => `${c.ok ? 'PASS' : 'FAIL'} ${c.name}`).join('\n')}\n\nWrote bench/results.md and bench/results.json`,
  );
}
