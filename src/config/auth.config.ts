import { registerAs } from '@nestjs/config';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname } from 'node:path';
import { ConfigError, env } from './env';

const SAMPLE_SECRETS = ['mysecretkey', 'changeme', 'secret', 'change-me-to-a-long-random-string'];
const GENERATED_KEY_FILE = './data/.secret_key';

/** Outside production a missing key is generated once and kept, so tokens survive a restart. */
function secretKey(production: boolean): string {
  const configured = env.optional('SECRET_KEY');
  if (production) {
    if (!configured) throw new ConfigError('SECRET_KEY', 'is required when NODE_ENV=production');
    if (SAMPLE_SECRETS.includes(configured.toLowerCase())) {
      throw new ConfigError('SECRET_KEY', 'is a sample value; set a long random secret');
    }
    if (configured.length < 32) {
      throw new ConfigError(
        'SECRET_KEY',
        'must be at least 32 characters when NODE_ENV=production',
      );
    }
    return configured;
  }
  if (configured) return configured;
  if (existsSync(GENERATED_KEY_FILE)) return readFileSync(GENERATED_KEY_FILE, 'utf8').trim();
  const generated = randomBytes(48).toString('base64url');
  try {
    mkdirSync(dirname(GENERATED_KEY_FILE), { recursive: true });
    writeFileSync(GENERATED_KEY_FILE, generated, { mode: 0o600 });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new ConfigError(
      'SECRET_KEY',
      `is not set, and ${GENERATED_KEY_FILE} (the generated one) cannot be written (${code}): set SECRET_KEY, or make ./data writable`,
    );
  }
  return generated;
}

export const authConfig = registerAs('auth', () => {
  const production = env.isProduction();
  return {
    secretKey: secretKey(production),
    algorithm: env.oneOf('ALGORITHM', ['HS256', 'HS384', 'HS512'] as const, 'HS256'),
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
});
