import { registerAs } from '@nestjs/config';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, env } from './env';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

function packageInfo(): { name: string; version: string } {
  const file = join(__dirname, '..', '..', '..', 'package.json');
  const fallback = join(__dirname, '..', '..', 'package.json');
  for (const candidate of [file, fallback]) {
    try {
      const parsed = JSON.parse(readFileSync(candidate, 'utf8')) as {
        name: string;
        version: string;
      };
      return { name: parsed.name, version: parsed.version };
    } catch {
      // try the next layout (ts source vs. compiled dist)
    }
  }
  return { name: 'nest-auth-service', version: '0.0.0' };
}

export const appConfig = registerAs('app', () => {
  const port = env.int('PORT', 3000, 0, 65535);
  const appUrl = env.url('APP_URL', `http://localhost:${port}`);
  const corsOrigins = env.list('CORS_ORIGINS');
  for (const origin of corsOrigins) {
    if (!/^https?:\/\/[^/\s]+$/.test(origin)) {
      throw new ConfigError(
        'CORS_ORIGINS',
        `entries must be origins like https://app.example.com, got "${origin}"`,
      );
    }
  }
  return {
    ...packageInfo(),
    production: env.isProduction(),
    // Neither production nor a test run (Jest sets NODE_ENV=test): logs may be made readable.
    development: !['production', 'test'].includes(env.str('NODE_ENV', 'development')),
    port,
    logLevel: env.oneOf('LOG_LEVEL', LOG_LEVELS, 'info'),
    appUrl,
    /** The service's cookies (refresh token, sign-in binding) are Secure when it runs on https. */
    secureCookies: new URL(appUrl).protocol === 'https:',
    corsOrigins,
    trustProxy: env.bool('TRUST_PROXY', false),
    docsEnabled: env.bool('DOCS_ENABLED', true),
  };
});

export type AppConfig = ReturnType<typeof appConfig>;
