import { cpus } from 'node:os';

/**
 * argon2 hashes in libuv's thread pool, which has 4 threads unless UV_THREADPOOL_SIZE says
 * otherwise, whatever the machine. One thread per core hashes fastest: on 2 cores, 2 threads
 * verified ~106/s against ~98/s with 4 (four 19 MiB hashes at once thrash the caches and take
 * turns on the cores), and a bigger machine gets all its cores. Hashes beyond the pool wait in
 * libuv's queue (ARGON2_MAX_CONCURRENCY, twice the cores), so a finished hash is followed at once.
 * An operator's UV_THREADPOOL_SIZE is kept.
 */
export function threadPoolSize(configured: string | undefined, cores = cpus().length): string {
  return configured?.trim() ? configured : String(Math.max(2, cores));
}

/** Sizes the pool; must run before anything uses it, so main.ts imports this module first. */
process.env.UV_THREADPOOL_SIZE = threadPoolSize(process.env.UV_THREADPOOL_SIZE);
