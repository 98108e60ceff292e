/**
 * The raw argon2 verify rate with the service's parameters, in a process of its own (its libuv
 * pool is sized by UV_THREADPOOL_SIZE, set by bench/run.ts). Keeps `inFlight` verifies going for
 * `seconds`, then prints {rate, cpuMs, stealMs} as one JSON line (CPU and the machine's steal per
 * verify).
 *   node dist/bench/raw-argon2.js <seconds> <inFlight>   (compiled by `npm run bench`)
 */
import * as argon2 from 'argon2';
import { machineTime } from './cpu';

export const ARGON = {
  type: argon2.argon2id,
  memoryCost: 19456,
  timeCost: 2,
  parallelism: 1,
} as const;
export const PASSWORD = 'Bench-Quiet-Lantern-42';

async function main(): Promise<void> {
  const [seconds, inFlight] = process.argv.slice(2).map(Number);
  const hash = await argon2.hash(PASSWORD, ARGON);
  const cpuBefore = process.cpuUsage();
  const stealBefore = machineTime().steal;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  let done = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (performance.now() < deadline) {
        await argon2.verify(hash, PASSWORD);
        done += 1;
      }
    }),
  );
  const used = process.cpuUsage(cpuBefore);
  const stolen = machineTime().steal - stealBefore;
  // The verifies in flight at the deadline (up to `inFlight`) finish after it and are counted,
  // so the rate is over the whole time they took, not over `seconds`.
  const elapsedS = (performance.now() - started) / 1000;
  console.log(
    JSON.stringify({
      rate: Math.round(done / elapsedS),
      cpuMs: Math.round(((used.user + used.system) / 1000 / done) * 100) / 100,
      stealMs: Math.round((stolen / done) * 100) / 100,
    }),
  );
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
