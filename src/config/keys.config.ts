import { registerAs } from '@nestjs/config';
import { ConfigError, env } from './env';

export interface IntrospectionClient {
  name: string;
  secret: string;
}

/** INTROSPECTION_CLIENTS: `name:secret,…`, each secret at least 32 characters. */
function introspectionClients(): IntrospectionClient[] {
  const clients = env.list('INTROSPECTION_CLIENTS').map((entry) => {
    const colon = entry.indexOf(':');
    const name = entry.slice(0, colon);
    const secret = entry.slice(colon + 1);
    if (colon < 1 || !/^[A-Za-z0-9._-]{1,64}$/.test(name))
      throw new ConfigError('INTROSPECTION_CLIENTS', 'entries must look like name:secret');
    if (secret.length < 32)
      throw new ConfigError(
        'INTROSPECTION_CLIENTS',
        `the secret of "${name}" is shorter than 32 characters`,
      );
    return { name, secret };
  });
  const names = clients.map((client) => client.name);
  const repeated = names.find((name, index) => names.indexOf(name) !== index);
  if (repeated) throw new ConfigError('INTROSPECTION_CLIENTS', `names "${repeated}" twice`);
  return clients;
}

/** Signing-key rotation, the JWKS and token introspection. */
export const keysConfig = registerAs('keys', () => ({
  rotationDays: env.int('SIGNING_KEY_ROTATION_DAYS', 90, 0, 3650),
  /** How long the JWKS response may be cached; a new key signs only after this has passed. */
  jwksMaxAgeSeconds: env.int('JWKS_MAX_AGE', 600, 0, 86400),
  /** How often each instance re-reads the key set (and moves rotations on). */
  refreshSeconds: env.int('SIGNING_KEYS_REFRESH_SECONDS', 10, 1, 600),
  introspectionClients: introspectionClients(),
}));
