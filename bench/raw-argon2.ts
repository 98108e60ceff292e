/**
 * The raw argon2 verify rate with the service's parameters, in a process of its own (its libuv
 * pool is sized by UV_THREADPOOL_SIZE, set by bench/run.ts). Keeps `inFlight` verifies going for
 * `seconds`, then prints its verifies per second.
 *   node dist/bench/raw-argon2.js <seconds> <inFlight>   (compiled by `npm run bench`)
 */
import * as argon2 from 'argon2';

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
  // The verifies in flight at the deadline (up to `inFlight`) finish after it and are counted,
  // so the rate is over the whole time they took, not over `seconds`.
  const elapsedS = (performance.now() - started) / 1000;
  console.log(Math.round(done / elapsedS));
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
