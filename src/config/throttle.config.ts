import { registerAs } from '@nestjs/config';
import { ConfigError, env } from './env';

export interface Rate {
  limit: number;
  windowSeconds: number;
}

/** "LIMIT/SECONDS", e.g. 10/900: ten requests per fifteen minutes. */
function rate(key: string, fallback: string): Rate {
  const value = env.str(key, fallback);
  const match = /^(\d+)\/(\d+)$/.exec(value);
  if (!match || Number(match[1]) < 1 || Number(match[2]) < 1) {
    throw new ConfigError(key, `must look like LIMIT/SECONDS (e.g. 10/900), got "${value}"`);
  }
  return { limit: Number(match[1]), windowSeconds: Number(match[2]) };
}

/** The rate-limited endpoints: per client IP and, where the body names an email, per account. */
export const RATE_LIMITED = [
  'login',
  'login_mfa',
  'signup',
  'verify_send',
  'verify_confirm',
  'forgot',
  'reset',
  'refresh',
  'oauth_start',
  'oauth_callback',
  'oauth_exchange',
] as const;
export type RateLimitedEndpoint = (typeof RATE_LIMITED)[number];

const DEFAULTS: Record<RateLimitedEndpoint, { ip: string; account?: string }> = {
  login: { ip: '30/300', account: '20/900' },
  login_mfa: { ip: '30/300' },
  signup: { ip: '10/3600', account: '5/3600' },
  verify_send: { ip: '10/900', account: '5/3600' },
  verify_confirm: { ip: '30/900' },
  forgot: { ip: '10/900', account: '5/3600' },
  reset: { ip: '20/900' },
  refresh: { ip: '120/300' },
  oauth_start: { ip: '30/300' },
  oauth_callback: { ip: '30/300' },
  oauth_exchange: { ip: '30/300' },
};

export const throttleConfig = registerAs('throttle', () => {
  const limits = {} as Record<RateLimitedEndpoint, { ip: Rate; account?: Rate }>;
  for (const endpoint of RATE_LIMITED) {
    const name = endpoint.toUpperCase();
    const defaults = DEFAULTS[endpoint];
    limits[endpoint] = {
      ip: rate(`THROTTLE_${name}_PER_IP`, defaults.ip),
      account: defaults.account
        ? rate(`THROTTLE_${name}_PER_ACCOUNT`, defaults.account)
        : undefined,
    };
  }
  return {
    enabled: env.bool('THROTTLE_ENABLED', true),
    limits,
    loginBackoff: {
      threshold: env.int('LOGIN_BACKOFF_THRESHOLD', 5, 1, 1000),
      windowSeconds: env.int('LOGIN_BACKOFF_WINDOW_SECONDS', 900, 1, 86400),
      baseSeconds: env.int('LOGIN_BACKOFF_BASE_SECONDS', 30, 1, 3600),
      maxSeconds: env.int('LOGIN_BACKOFF_MAX_SECONDS', 900, 1, 86400),
    },
    mailPerAddressPerHour: env.int('MAIL_CAP_PER_HOUR', 3, 1, 1000),
    // POST /oauth/introspect, per introspection client.
    introspectPerClient: rate('THROTTLE_INTROSPECT_PER_CLIENT', '1200/60'),
  };
});
