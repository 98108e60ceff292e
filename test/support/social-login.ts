import { randomUUID } from 'node:crypto';
import type { Response } from 'supertest';
import type { OidcProviderHandle } from './oidc-provider';
import { bearer, GOOD_PASSWORD } from './factories';
import type { TestApp } from './test-app';

/** The client page the tests register in OAUTH_REDIRECT_URIS. */
export const CLIENT_PAGE = 'https://app.example.com/auth/done';

/** Where a provider sends the browser back to the app under test (APP_URL in startTestApp). */
export const callbackUrlOf = (provider: string) =>
  `http://localhost:3000/auth/oauth/${provider}/callback`;

/** A browser as the service sees it: its cookie for the flow binding. */
export interface Browser {
  cookie?: string;
}

/** Anything that plays the user at the provider and comes back with the callback URL. */
export interface ProviderSide {
  authorize(authorizationUrl: string): Promise<URL>;
}

/** Keeps the oauth_browser cookie the service set, as a browser would. */
export function keepCookie(browser: Browser, response: Response): void {
  const cookies = ([] as string[]).concat(response.headers['set-cookie'] ?? []);
  const binding = cookies.find((cookie) => cookie.startsWith('oauth_browser='));
  if (binding) browser.cookie = binding.split(';')[0];
}

/** GET /auth/oauth/{provider}/start as a browser would open it; the 302 and its Location. */
export async function startSignIn(
  t: TestApp,
  provider: string,
  browser: Browser = {},
  query: Record<string, string> = {},
) {
  const request = t.http
    .get(`/auth/oauth/${provider}/start`)
    .query({ redirect_uri: CLIENT_PAGE, ...query });
  const response = await (browser.cookie ? request.set('Cookie', browser.cookie) : request);
  keepCookie(browser, response);
  return response;
}

/** Follows the provider's callback URL into the service, with the browser's cookie. */
export function callback(t: TestApp, url: URL, browser: Browser) {
  const request = t.http.get(url.pathname + url.search);
  return browser.cookie ? request.set('Cookie', browser.cookie) : request;
}

/** Where the callback sent the browser: the client page's parameters. */
export function resultOf(response: Response): URLSearchParams {
  expect(response.status).toBe(302);
  const location = new URL(response.headers.location as string);
  expect(location.origin + location.pathname).toBe(CLIENT_PAGE);
  return location.searchParams;
}

/** A whole sign-in through a provider up to the client page: its ?code= or ?error=. */
export async function signInThrough(
  t: TestApp,
  provider: string,
  side: ProviderSide,
  query: Record<string, string> = {},
): Promise<URLSearchParams> {
  const browser: Browser = {};
  const start = await startSignIn(t, provider, browser, query);
  expect(start.status).toBe(302);
  const back = await side.authorize(start.headers.location as string);
  return resultOf(await callback(t, back, browser));
}

export const exchange = (t: TestApp, code: string | null) =>
  t.http.post('/auth/oauth/exchange').send({ code });

/** Links a provider to a logged-in account, through the browser, up to the client page. */
export async function linkThrough(
  t: TestApp,
  accessToken: string,
  provider: string,
  side: ProviderSide,
  proof: Record<string, string> = { password: GOOD_PASSWORD },
): Promise<URLSearchParams> {
  const browser: Browser = {};
  const started = await t.http
    .post(`/users/me/identities/${provider}`)
    .set(bearer(accessToken))
    .send({ ...proof, redirect_uri: CLIENT_PAGE })
    .expect(200);
  keepCookie(browser, started);
  const back = await side.authorize(started.body.authorization_url as string);
  return resultOf(await callback(t, back, browser));
}

export async function identitiesOf(t: TestApp, accessToken: string): Promise<string[]> {
  const listed = await t.http.get('/users/me/identities').set(bearer(accessToken)).expect(200);
  return (listed.body.identities as Array<{ provider: string }>).map((item) => item.provider);
}

export const claimsOf = (accessToken: string) =>
  JSON.parse(Buffer.from(accessToken.split('.')[1], 'base64url').toString('utf8')) as Record<
    string,
    unknown
  >;

/** No account has this email: a password signup with it is accepted. */
export async function expectNoAccount(t: TestApp, email: string): Promise<void> {
  const tag = Math.random().toString(36).slice(2, 10);
  await t.http
    .post('/auth/signup')
    .send({ username: `probe_${tag}`, email, password: GOOD_PASSWORD })
    .expect(201);
}

/** A Google account as the provider would sign it in: a fresh subject and address, verified. */
export function googleAccount(
  overrides: { email?: string; email_verified?: boolean; name?: string } = {},
) {
  const tag = randomUUID().slice(0, 8);
  return {
    sub: `g-${randomUUID()}`,
    email: `g.${tag}@gmail.test`,
    email_verified: true,
    name: `Grace ${tag}`,
    ...overrides,
  };
}

/** The service's settings for `provider` as its Google (OAUTH_REDIRECT_URIS left to the caller). */
export const googleSettings = (provider: OidcProviderHandle) => ({
  OAUTH_PROVIDERS: 'google',
  OAUTH_GOOGLE_CLIENT_ID: provider.clientId,
  OAUTH_GOOGLE_CLIENT_SECRET: provider.clientSecret,
  OAUTH_GOOGLE_ISSUER: provider.issuer,
});
