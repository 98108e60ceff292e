/**
 * npm run bench: RUNS times over, starts a fresh server in each storage mode (rate limits off)
 * and Better Auth beside them, drives each with autocannon from this (separate) process, and
 * reports every figure as the median of the runs: each scenario's rate and p99, each ratio to
 * its reference in the same run (GET / of the same server, the raw argon2 verify rate measured
 * right beside the logins, Better Auth's get-session), and each server's peak RSS.
 * Writes bench/results.md and bench/results.json.
 */
import { randomBytes } from 'node:crypto';
import { besideArgonReference } from './argon-reference';
import {
  algorithmOf,
  CONNECTIONS,
  DURATION_S,
  LOGIN_DURATION_S,
  LOGIN_WARMUP_S,
  MODES,
  RUNS,
  SCENARIOS,
  SIGNED_MODE_SCENARIOS,
  USERS,
  WARMUP_S,
} from './config';
import { drive, driveLoops, eachConnectionCycles, Measured } from './load';
import { peerSessions, startPeer } from './peer';
import { PASSWORD } from './raw-argon2';
import { PEER, printRun, Run, writeResults } from './report';
import { freePort, loginUntilOk, makeUsers, peakRssMb, post, startServer } from './server';

/** A warm-up of `WARMUP_S`, then the measured run. */
async function measure(
  run: (seconds: number) => Promise<Measured>,
  seconds = DURATION_S,
): Promise<Measured> {
  if (WARMUP_S > 0) await run(WARMUP_S);
  return run(seconds);
}

async function benchMode(mode: string): Promise<Omit<Run, 'run'>> {
  const server = await startServer(mode, await freePort());
  try {
    const tag = randomBytes(3).toString('hex');
    const sessions = await makeUsers(server, USERS, tag);
    const scenarios: Measured[] = [];
    let argon2: number | undefined;
    const json = { 'content-type': 'application/json' };
    const wanted = (scenario: string) =>
      SCENARIOS.includes(scenario) &&
      (!algorithmOf(mode) || SIGNED_MODE_SCENARIOS.includes(scenario));

    const floor = (seconds: number) => drive('GET /', { url: `${server.base}/` }, seconds);
    const session = (seconds: number) =>
      drive(
        'GET /session/active',
        {
          url: `${server.base}/session/active`,
          ...eachConnectionCycles(sessions, (s) => ({
            method: 'GET',
            headers: { authorization: `Bearer ${s.access}` },
          })),
        },
        seconds,
      );
    // This machine's speed drifts (it shares its host): GET / moved by up to a quarter between
    // runs a minute apart. So the floor is measured just before and just after the session
    // check, and the check's ratio is to the mean of the two.
    if (wanted('floor') && wanted('session')) {
      const before = await measure(floor);
      scenarios.push(await measure(session));
      const after = await measure(floor);
      console.log(`  GET / ${before.rps} req/s before the session check, ${after.rps} after`);
      scenarios.unshift({ ...after, rps: Math.round((before.rps + after.rps) / 2) });
    } else if (wanted('floor')) scenarios.push(await measure(floor));
    else if (wanted('session')) scenarios.push(await measure(session));

    if (wanted('login')) {
      const logins = (seconds: number) =>
        drive(
          'POST /auth/login (force)',
          {
            url: `${server.base}/auth/login`,
            ...eachConnectionCycles(sessions, ({ email }) => ({
              method: 'POST',
              headers: json,
              body: JSON.stringify({ email, password: PASSWORD, force: true }),
            })),
          },
          seconds,
        );
      // The long warm-up comes before the raw reference, which must stay right beside the
      // measured run; the scenario's own short warm-up then follows the reference's idle time.
      if (LOGIN_WARMUP_S > 0) await logins(LOGIN_WARMUP_S);
      argon2 = await besideArgonReference(async () => {
        scenarios.push(await measure(logins, LOGIN_DURATION_S));
      });
    }

    // Each loop refreshes its own session's chain (autocannon cannot carry a token from one
    // response to the next request of the same connection).
    if (wanted('refresh')) {
      const fresh = await Promise.all(
        sessions.slice(0, CONNECTIONS).map((s) => loginUntilOk(server.base, s.email)),
      );
      const refresh = (seconds: number) =>
        driveLoops(
          'POST /auth/refresh',
          fresh,
          async (login) => {
            const response = await post(server.base, '/auth/refresh', {
              refresh_token: login.body.refresh_token,
            });
            if (response.status === 200) login.body.refresh_token = response.body.refresh_token;
            else if (process.env.BENCH_DEBUG)
              console.log('refresh', response.status, response.body.code);
            return response.status;
          },
          seconds,
        );
      scenarios.push(await measure(refresh));
    }

    if (wanted('signup')) {
      let signups = 0;
      const signup = (seconds: number) =>
        drive(
          'POST /auth/signup',
          {
            url: `${server.base}/auth/signup`,
            requests: [
              {
                method: 'POST',
                headers: json,
                setupRequest: (request) => {
                  signups += 1;
                  const id = `${tag}s${signups}`;
                  return {
                    ...request,
                    body: JSON.stringify({
                      username: `b_${id}`,
                      email: `b.${id}@example.com`,
                      password: PASSWORD,
                    }),
                  };
                },
              },
            ],
          },
          seconds,
        );
      scenarios.push(await measure(signup));
    }
    return { mode, scenarios, argon2, peakRssMb: peakRssMb(server.process.pid!) };
  } finally {
    await server.stop();
  }
}

/** Better Auth's get-session, driven exactly as the session check is. */
async function benchPeer(): Promise<Omit<Run, 'run'>> {
  const peer = await startPeer(await freePort());
  try {
    const cookies = await peerSessions(peer, USERS, randomBytes(3).toString('hex'));
    const getSession = (seconds: number) =>
      drive(
        'GET /api/auth/get-session',
        {
          url: `${peer.base}/api/auth/get-session`,
          ...eachConnectionCycles(cookies, (cookie) => ({ method: 'GET', headers: { cookie } })),
        },
        seconds,
      );
    const scenarios = [await measure(getSession)];
    return { mode: PEER, scenarios, peakRssMb: peakRssMb(peer.process.pid!) };
  } finally {
    await peer.stop();
  }
}

async function main(): Promise<void> {
  const started = Date.now();
  const runs: Run[] = [];
  const targets: Array<[string, () => Promise<Omit<Run, 'run'>>]> = MODES.map((mode) => [
    mode,
    () => benchMode(mode),
  ]);
  if (SCENARIOS.includes('peer')) targets.unshift([PEER, benchPeer]);
  for (let run = 1; run <= RUNS; run += 1) {
    for (const [name, bench] of targets) {
      const minutes = ((Date.now() - started) / 60000).toFixed(1);
      console.log(`\n== run ${run}/${RUNS}: ${name} (${minutes} min in) ==`);
      const result = { run, ...(await bench()) };
      printRun(result);
      runs.push(result);
    }
  }
  writeResults(runs);
  console.log(`\nTook ${((Date.now() - started) / 60000).toFixed(1)} min.`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
