import { registerAs } from '@nestjs/config';
import { env } from './env';

export const databaseConfig = registerAs('database', () => ({
  type: env.oneOf('DB_TYPE', ['sqlite', 'mysql'] as const, 'sqlite'),
  path: env.str('DB_PATH', './data/auth.sqlite'),
  host: env.str('DB_HOST', 'localhost'),
  port: env.int('DB_PORT', 3306, 1, 65535),
  user: env.str('DB_USER', 'root'),
  password: env.optional('DB_PASSWORD') ?? '',
  name: env.str('DB_NAME', 'auth_system'),
  migrate: env.bool('DB_MIGRATE', true),
  logging: env.bool('DB_LOGGING', false),
  /** The longest wait for a connection or a query (MySQL): past it, the request gets 503. */
  timeoutMs: env.int('DB_TIMEOUT_MS', 5000, 100, 600_000),
}));

export type DatabaseConfig = ReturnType<typeof databaseConfig>;
