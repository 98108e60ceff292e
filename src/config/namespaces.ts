import { appConfig } from './app.config';
import { auditConfig } from './audit.config';
import { authConfig } from './auth.config';
import { databaseConfig } from './database.config';
import { keysConfig } from './keys.config';
import { mailConfig } from './mail.config';
import { mfaConfig } from './mfa.config';
import { oauthConfig } from './oauth.config';
import { redisConfig } from './redis.config';
import { throttleConfig } from './throttle.config';

/** Every configuration namespace: loaded by ConfigModule, and validated once before start. */
export const CONFIG_NAMESPACES = [
  appConfig,
  databaseConfig,
  authConfig,
  keysConfig,
  mailConfig,
  mfaConfig,
  oauthConfig,
  auditConfig,
  throttleConfig,
  redisConfig,
];

/** Reads every key once, so a bad value stops the start with a ConfigError naming the key. */
export function validateConfiguration(): void {
  for (const namespace of CONFIG_NAMESPACES) namespace();
}
