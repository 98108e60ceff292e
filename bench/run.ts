/**
 * npm run bench: starts the built service in each storage mode with rate limits off, drives it
 * with autocannon from this (separate) process, and compares every scenario with its reference
 * in the same run: GET / (the framework floor) and the raw argon2 verify rate (the floor for logins),
 * measured right beside each login scenario. Reports CPU per request by thread and process.
 * Writes bench/results.md and bench/results.json.
 */
import { randomBytes } from 'node:crypto';
import { besideArgonReference, ArgonReference } from './argon-reference';
import {
  CONNECTIONS,
  LOGIN_WARMUP_S,
  MODES,
  SCENARIOS,
  USERS,
  WARMUP_S,
  DURATION_S,
} from './config';
import { peakRssMb, cpuPerRequest, sampleCpu } from './cpu';
import { drive, driveLoops, eachConnectionCycles, Measured } from './load';
import { PASSWORD } from './raw-argon2';
import { ModeResult, printMode, writeResults } from './report';
import { freePort, loginUntilOk, makeUsers, post, startServer } from './server';

async function benchMode(mode: string, port: number): Promise<ModeResult> {
  const server = await startServer(mode, port);
  try {
    const tag = randomBytes(3).toString('hex');
    const sessions = await makeUsers(server, USERS, tag);
    const scenarios: Measured[] = [];
    const pid = server.process.pid!;
    /**
     * Runs a scenario (if BENCH_SCENARIOS names it) once to warm up, then measured, with the
     * server's CPU sampled around the measured run only.
     */
    const measure = async (
      scenario: string,
      run: (seconds: number) => Promise<Measured>,
    ): Promise<void> => {
      if (!SCENARIOS.includes(scenario)) return;
      if (WARMUP_S > 0) await run(WARMUP_S);
      const cpuBefore = sampleCpu(pid);
      const measured = await run(DURATION_S);
      measured.cpuMsPerRequest = cpuPerRequest(
        cpuBefore,
        sampleCpu(pid),
        measured.rps * DURATION_S + measured.unfinished,
      );
      measured.peakRssMb = peakRssMb(pid);
      scenarios.push(measured);
    };
    const json = { 'content-type': 'application/json' };

    const floor = (seconds: number) => drive('GET /', { url: `${server.base}/` }, seconds);
    await measure('floor', floor);

    await measure('session', (seconds) =>
      drive(
        'GET /session/active',
        {
          url: `${server.base}/session/active`,
          ...eachConnectionCycles(sessions, (session) => ({
            method: 'GET',
            headers: { authorization: `Bearer ${session.access}` },
          })),
        },
        seconds,
      ),
    );

    // This machine's speed drifts (it shares its host): GET / moved by up to a quarter between
    // runs a minute apart. So the floor is measured again right after the session check, and the
    // check's ratio is to the mean of the two, as the login's is to the raw verifies around it.
    const before = scenarios.find((s) => s.scenario === 'GET /');
    if (before && SCENARIOS.includes('session')) {
      await measure('floor', floor);
      const after = scenarios.pop() as Measured;
      before.rpsBeside = { before: before.rps, after: after.rps };
      before.rps = Math.round((before.rps + after.rps) / 2);
    }

    let argonReference: ArgonReference | undefined;
    if (SCENARIOS.includes('login')) {
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
      const beside = await besideArgonReference(() => measure('login', logins));
      argonReference = beside.reference;
    }

    // Each loop refreshes its own session's chain (autocannon cannot carry a token from one
    // response to the next request of the same connection).
    if (SCENARIOS.includes('refresh')) {
      const fresh = await Promise.all(
        sessions.slice(0, CONNECTIONS).map((s) => loginUntilOk(server.base, s.email)),
      );
      await measure('refresh', (seconds) =>
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
        ),
      );
    }

    let signupCounter = 0;
    await measure('signup', (seconds) =>
      drive(
        'POST /auth/signup',
        {
          url: `${server.base}/auth/signup`,
          requests: [
            {
              method: 'POST',
              headers: json,
              setupRequest: (request) => {
                signupCounter += 1;
                const id = `${tag}s${signupCounter}`;
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
      ),
    );
    return { mode, argon2: argonReference, peakRssMb: peakRssMb(pid), scenarios };
  } finally {
    await server.stop();
  }
}

async function main(): Promise<void> {
  const results: ModeResult[] = [];
  for (const mode of MODES) {
    console.log(`\n== ${mode} ==`);
    const result = await benchMode(mode, await freePort());
    results.push(result);
    printMode(result);
  }
  writeResults(results);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
