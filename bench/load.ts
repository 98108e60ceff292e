/** Drives the server: autocannon for stateless requests, one loop per connection otherwise. */
import autocannon from 'autocannon';
import { CONNECTIONS, DRAIN_MS, sleep } from './config';

export interface Measured {
  scenario: string;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
}

function summarise(scenario: string, result: autocannon.Result): Measured {
  return {
    scenario,
    rps: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}

/**
 * Each connection cycles through its own share of the users (every CONNECTIONS-th, from its
 * index), so that together they cover all of them and, with at least as many users as
 * connections, no user is logged in by two connections at once. autocannon builds each
 * request's bytes once per connection, when it opens: with every user on every connection that
 * was 10,000 builds (~100 ms of CPU) inside each measured run. With a `setupRequest` it rebuilt
 * them for every request.
 */
export function eachConnectionCycles<T>(
  users: T[],
  request: (user: T) => autocannon.Request,
): Pick<autocannon.Options, 'setupClient'> {
  let clients = 0;
  return {
    setupClient: (client) => {
      const index = clients++ % CONNECTIONS;
      const share = users.filter((_, i) => i % CONNECTIONS === index);
      // fresh objects for each connection: autocannon keeps its built bytes on them
      client.setRequests((share.length > 0 ? share : [users[index % users.length]]).map(request));
    },
  };
}

/** autocannon for `seconds`, then a pause while the server answers what is still queued. */
export async function drive(
  scenario: string,
  options: autocannon.Options,
  seconds: number,
): Promise<Measured> {
  const result = await autocannon({ connections: CONNECTIONS, duration: seconds, ...options });
  await sleep(DRAIN_MS);
  return summarise(scenario, result);
}

/** One sequential loop per connection, each with its own state, for `seconds`. */
export async function driveLoops<T>(
  scenario: string,
  states: T[],
  step: (state: T) => Promise<number>,
  seconds: number,
): Promise<Measured> {
  const deadline = Date.now() + seconds * 1000;
  const latencies: number[] = [];
  let non2xx = 0;
  let errors = 0;
  await Promise.all(
    states.map(async (state) => {
      while (Date.now() < deadline) {
        const started = performance.now();
        try {
          const status = await step(state);
          if (status < 200 || status >= 300) non2xx += 1;
        } catch {
          errors += 1;
        }
        latencies.push(performance.now() - started);
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  const at = (q: number) =>
    Math.round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0);
  return {
    scenario,
    rps: Math.round(latencies.length / seconds),
    p50: at(0.5),
    p99: at(0.99),
    errors,
    non2xx,
  };
}
