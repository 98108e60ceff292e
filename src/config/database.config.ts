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
}));

export type DatabaseConfig = ReturnType<typeof databaseConfig>;
