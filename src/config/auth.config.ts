import { registerAs } from '@nestjs/config';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname } from 'node:path';
import { ConfigError, env } from './env';

const SAMPLE_SECRETS = ['mysecretkey', 'changeme', 'secret', 'change-me-to-a-long-random-string'];

/** The signing algorithms: HMAC with SECRET_KEY, or key pairs kept in `signing_keys`. */
export const HMAC_ALGORITHMS = ['HS256', 'HS384', 'HS512'] as const;
export const KEY_PAIR_ALGORITHMS = ['ES256', 'EdDSA', 'RS256'] as const;
export type SigningAlgorithm =
  (typeof HMAC_ALGORITHMS)[number] | (typeof KEY_PAIR_ALGORITHMS)[number];

/**
 * A secret that production must be given (at least 32 characters, no sample value); outside
 * production a missing one is generated once into `file` and kept, so it survives a restart.
 */
function strongSecret(key: string, file: string, production: boolean): string {
  const configured = env.optional(key);
  if (production) {
    if (!configured) throw new ConfigError(key, 'is required when NODE_ENV=production');
    if (SAMPLE_SECRETS.includes(configured.toLowerCase())) {
      throw new ConfigError(key, 'is a sample value; set a long random secret');
    }
    if (configured.length < 32) {
      throw new ConfigError(key, 'must be at least 32 characters when NODE_ENV=production');
    }
    return configured;
  }
  if (configured) return configured;
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const generated = randomBytes(48).toString('base64url');
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, generated, { mode: 0o600 });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new ConfigError(
      key,
      `is not set, and ${file} (the generated one) cannot be written (${code}): set ${key}, or make ./data writable`,
    );
  }
  return generated;
}

/** Earlier key-encryption keys, still able to open what they sealed until `npm run keys:rewrap`. */
function previousKeyEncryptionKeys(): string[] {
  const previous = env.list('KEY_ENCRYPTION_KEY_PREVIOUS');
  for (const value of previous) {
    if (value.length < 32)
      throw new ConfigError(
        'KEY_ENCRYPTION_KEY_PREVIOUS',
        'entries must be at least 32 characters',
      );
  }
  return previous;
}

export const authConfig = registerAs('auth', () => {
  const production = env.isProduction();
  const config = {
    secretKey: strongSecret('SECRET_KEY', './data/.secret_key', production),
    algorithm: env.oneOf<SigningAlgorithm>(
      'ALGORITHM',
      [...HMAC_ALGORITHMS, ...KEY_PAIR_ALGORITHMS],
      'HS256',
    ),
    // Seals private signing keys (AES-256-GCM through HKDF); never the same as SECRET_KEY.
    keyEncryptionKey: strongSecret('KEY_ENCRYPTION_KEY', './data/.key_encryption_key', production),
    previousKeyEncryptionKeys: previousKeyEncryptionKeys(),
    issuer: env.str('JWT_ISSUER', 'nest-auth-service'),
    audience: env.str('JWT_AUDIENCE', 'nest-auth-service'),
    accessTokenMinutes: env.int('ACCESS_TOKEN_EXPIRE_MINUTES', 30, 1, 24 * 60),
    refreshTokenDays: env.int('REFRESH_TOKEN_EXPIRE_DAYS', 7, 1, 365),
    sessionPolicy: env.oneOf('SESSION_POLICY', ['reject', 'replace'] as const, 'reject'),
    // OWASP's argon2id minimum is m=19 MiB, t=2, p=1: configurable upward only.
    argon2: {
      memoryKib: env.int('ARGON2_MEMORY_KIB', 19456, 19456, 4 * 1024 * 1024),
      timeCost: env.int('ARGON2_TIME_COST', 2, 2, 100),
      parallelism: env.int('ARGON2_PARALLELISM', 1, 1, 64),
      // At most this many hashes at once; beyond the queue limit requests get 503 + Retry-After.
      maxConcurrent: env.int('ARGON2_MAX_CONCURRENCY', Math.max(1, cpus().length) * 2, 1, 256),
      queueLimit: env.int('ARGON2_QUEUE_LIMIT', 64, 0, 100000),
    },
    passwordMinLength: env.int('PASSWORD_MIN_LENGTH', 8, 8, 128),
    // zxcvbn score a new password must reach: 0 turns the estimate off, 4 is the strictest.
    passwordMinScore: env.int('PASSWORD_MIN_SCORE', 2, 0, 4),
  };
  if (config.keyEncryptionKey === config.secretKey)
    throw new ConfigError('KEY_ENCRYPTION_KEY', 'must differ from SECRET_KEY');
  return config;
});
