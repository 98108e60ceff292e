// A typed client of the auth service: openapi-fetch driven by the `paths` generated from the
// service's OpenAPI document (schema.d.ts), so paths, bodies, queries, answers and problem details
// are all checked at compile time. Regenerate schema.d.ts with `npm run client:generate`.
import createClient, { type Client, type ClientOptions, type Middleware } from 'openapi-fetch';
import type { components, paths } from './schema';

export type { components, operations, paths } from './schema';
export type Schemas = components['schemas'];
/** Every error answer: RFC 9457 problem details whose `code` is the stable, machine-readable part. */
export type Problem = Schemas['ProblemResponse'];
export type AuthClient = Client<paths>;

export interface AuthClientOptions extends Omit<ClientOptions, 'baseUrl'> {
  /** Read before every request: the access token to send as `Authorization: Bearer`, if any. */
  accessToken?: () => string | undefined;
}

/**
 * `const auth = createAuthClient('https://auth.example.com', { accessToken: () => tokens?.access })`,
 * then e.g. `const { data, error } = await auth.POST('/auth/login', { body: { email, password } })`:
 * `data` is the typed success body, `error` the typed problem details.
 */
export function createAuthClient(baseUrl: string, options: AuthClientOptions = {}): AuthClient {
  const { accessToken, ...clientOptions } = options;
  const client = createClient<paths>({ ...clientOptions, baseUrl });
  if (accessToken) client.use(bearerToken(accessToken));
  return client;
}

/** Sends the current access token, unless the request already carries its own Authorization. */
function bearerToken(accessToken: () => string | undefined): Middleware {
  return {
    onRequest({ request }) {
      const token = accessToken();
      if (token && !request.headers.has('Authorization')) {
        request.headers.set('Authorization', `Bearer ${token}`);
      }
      return request;
    },
  };
}
