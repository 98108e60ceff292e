/**
 * npm run bench:verify: what verifying one access token costs in each ALGORITHM, on the session
 * check's path (KeyRing.verify: the kid looked up, the signature and claims checked by fast-jwt),
 * without HTTP or a database. Several runs, medians; single-threaded, on this machine's core.
 * Two figures: a token the ring has not seen (more distinct tokens than its verifiers remember,
 * taken in turn, so every check verifies the signature) and the same token again (remembered).
 */
import { Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { performance } from 'node:perf_hooks';
import type { AuditService } from '../src/audit/audit.service';
import { CryptoService, KeyPairAlgorithm } from '../src/common/crypto.service';
import type { authConfig, SigningAlgorithm } from '../src/config/auth.config';
import type { keysConfig } from '../src/config/keys.config';
import { KeyRing, VERIFIED_TOKENS_REMEMBERED } from '../src/keys/key-ring';
import type { SigningKey } from '../src/keys/signing-key.entity';
import { SigningKeysService } from '../src/keys/signing-keys.service';

const ALGORITHMS: SigningAlgorithm[] = ['HS256', 'ES256', 'EdDSA', 'RS256'];
const RUNS = Number(process.env.BENCH_VERIFY_RUNS ?? 5);
const RUN_MS = Number(process.env.BENCH_VERIFY_MS ?? 1000);

const keys = {
  rotationDays: 90,
  jwksMaxAgeSeconds: 600,
  refreshSeconds: 10,
  introspectionClients: [],
};

/** A key ring as the service has it, its one key held in memory instead of `signing_keys`. */
async function ringFor(algorithm: SigningAlgorithm): Promise<KeyRing> {
  const auth = {
    secretKey: 'bench-secret-key-of-enough-length-0123456789',
    keyEncryptionKey: 'bench-key-encryption-key-of-enough-length-01',
    previousKeyEncryptionKeys: [],
    algorithm,
    issuer: 'nest-auth-service',
    audience: 'nest-auth-service',
    accessTokenMinutes: 30,
    argon2: { memoryKib: 19456, timeCost: 2, parallelism: 1, maxConcurrent: 1, queueLimit: 1 },
  } as unknown as ConfigType<typeof authConfig>;
  const crypto = new CryptoService(auth);
  const store = new SigningKeysService(
    null as never,
    null as never,
    crypto,
    auth,
    keys as ConfigType<typeof keysConfig>,
  );
  if (store.algorithm) {
    const pair = crypto.generateKeyPair(algorithm as KeyPairAlgorithm);
    const kid = crypto.jwkThumbprint(pair.publicJwk);
    const row: SigningKey = {
      kid,
      alg: algorithm,
      publicJwk: JSON.stringify(pair.publicJwk),
      privateKey: crypto.seal(pair.privateKeyPem, kid),
      status: 'current',
      slot: 'current',
      createdAt: new Date(),
      activatedAt: new Date(),
      retiredAt: null,
    };
    store.list = () => Promise.resolve([row]);
  }
  const ring = new KeyRing(
    store,
    crypto,
    null as unknown as AuditService,
    auth,
    keys as ConfigType<typeof keysConfig>,
  );
  if (store.algorithm) await ring.refresh();
  return ring;
}

/** Verifications for RUN_MS, taking the tokens in turn, after a warm-up; returns µs per token. */
async function microsPerToken(ring: KeyRing, tokens: string[]): Promise<number> {
  let count = 0;
  const started = performance.now();
  while (performance.now() - started < RUN_MS) {
    for (let i = 0; i < 100; i += 1) await ring.verify(tokens[(count + i) % tokens.length]);
    count += 100;
  }
  return ((performance.now() - started) * 1000) / count;
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function main(): Promise<void> {
  Logger.overrideLogger(false);
  console.log(
    `| algorithm | a new token, µs (median of ${RUNS}; lowest–highest) | the same token again, µs |`,
  );
  console.log('| --- | ---: | ---: |');
  for (const algorithm of ALGORITHMS) {
    const ring = await ringFor(algorithm);
    const now = Math.floor(Date.now() / 1000);
    const tokens = Array.from({ length: VERIFIED_TOKENS_REMEMBERED + 2000 }, (_, i) =>
      ring.sign({
        sub: '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
        sid: `3f2b8c1e-5d4a-4e6f-9a7b-${String(i).padStart(12, '0')}`,
        iat: now,
        exp: now + 1800,
        iss: 'nest-auth-service',
        aud: 'nest-auth-service',
      }),
    );
    const measure = async (set: string[]) => {
      await microsPerToken(ring, set); // warm-up
      const runs: number[] = [];
      for (let run = 0; run < RUNS; run += 1) runs.push(await microsPerToken(ring, set));
      return runs;
    };
    const fresh = await measure(tokens);
    const again = await measure(tokens.slice(0, 1));
    const show = (value: number) => value.toFixed(1);
    console.log(
      `| ${algorithm} | ${show(median(fresh))} (${show(Math.min(...fresh))}–${show(Math.max(...fresh))}) | ${show(median(again))} |`,
    );
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
