/**
 * The one place that reads process.env. Each reader names the key in its error so that a bad
 * value stops the start with a message an operator can act on.
 */
export class ConfigError extends Error {
  constructor(key: string, problem: string) {
    super(`Invalid configuration: ${key} ${problem}`);
    this.name = 'ConfigError';
  }
}

function raw(key: string): string | undefined {
  const value = process.env[key];
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

export const env = {
  str(key: string, fallback: string): string {
    return raw(key) ?? fallback;
  },

  optional(key: string): string | undefined {
    return raw(key);
  },

  int(
    key: string,
    fallback: number,
    min = Number.MIN_SAFE_INTEGER,
    max = Number.MAX_SAFE_INTEGER,
  ): number {
    const value = raw(key);
    if (value === undefined) return fallback;
    if (!/^-?\d+$/.test(value))
      throw new ConfigError(key, `must be a whole number, got "${value}"`);
    const parsed = Number(value);
    if (parsed < min || parsed > max) {
      throw new ConfigError(key, `must be between ${min} and ${max}, got ${parsed}`);
    }
    return parsed;
  },

  bool(key: string, fallback: boolean): boolean {
    const value = raw(key)?.toLowerCase();
    if (value === undefined) return fallback;
    if (['true', '1', 'yes', 'on'].includes(value)) return true;
    if (['false', '0', 'no', 'off'].includes(value)) return false;
    throw new ConfigError(key, `must be true or false, got "${value}"`);
  },

  oneOf<T extends string>(key: string, allowed: readonly T[], fallback: T): T {
    const value = raw(key);
    if (value === undefined) return fallback;
    const match = allowed.find((candidate) => candidate.toLowerCase() === value.toLowerCase());
    if (!match) throw new ConfigError(key, `must be one of ${allowed.join(', ')}, got "${value}"`);
    return match;
  },

  url(key: string, fallback: string): string {
    const value = raw(key) ?? fallback;
    try {
      const parsed = new URL(value.replace('{token}', 'token'));
      if (!['http:', 'https:'].includes(parsed.protocol)) throw new Error('protocol');
    } catch {
      throw new ConfigError(key, `must be an http(s) URL, got "${value}"`);
    }
    return value.replace(/\/+$/, '');
  },

  list(key: string): string[] {
    return (raw(key) ?? '')
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean);
  },

  isProduction(): boolean {
    return raw('NODE_ENV') === 'production';
  },
};
