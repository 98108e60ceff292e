import { randomUUID } from 'node:crypto';
import { OidcProviderHandle, startOidcProvider } from '../support/oidc-provider';
import { Cluster, Instance } from './harness';

const CLIENT_PAGE = 'https://app.example.com/auth/done';

/**
 * Social login over two instances: the flow (state, nonce, PKCE verifier) and the exchange code
 * live in the shared database, so a sign-in started on one instance finishes on the other, and
 * each is spent once whichever instance is asked.
 */
describe('several instances: social login', () => {
  let c: Cluster;
  let google: OidcProviderHandle;

  beforeAll(async () => {
    google = await startOidcProvider({
      redirectUris: ['http://auth.test/auth/oauth/google/callback'],
    });
    c = await Cluster.start({
      OAUTH_PROVIDERS: 'google',
      OAUTH_GOOGLE_CLIENT_ID: google.clientId,
      OAUTH_GOOGLE_CLIENT_SECRET: google.clientSecret,
      OAUTH_GOOGLE_ISSUER: google.issuer,
      OAUTH_REDIRECT_URIS: CLIENT_PAGE,
    });
  }, 120_000);

  afterAll(async () => {
    await c?.close();
    await google?.stop();
  });

  /** A GET as a browser sends it, without following the redirect. */
  const open = (on: Instance, path: string, cookie?: string) =>
    fetch(`${on.url}${path}`, { redirect: 'manual', headers: cookie ? { cookie } : {} });

  it('starts on one instance, comes back to the other, exchanges on the first; each secret works once', async () => {
    await google.setNextLogin({
      sub: `g-${randomUUID()}`,
      email: `g.${randomUUID().slice(0, 8)}@gmail.test`,
      email_verified: true,
    });
    const start = await open(
      c.a,
      `/auth/oauth/google/start?redirect_uri=${encodeURIComponent(CLIENT_PAGE)}`,
    );
    expect(start.status).toBe(302);
    const cookie = start.headers
      .getSetCookie()
      .find((header) => header.startsWith('oauth_browser='))
      ?.split(';')[0];
    expect(cookie).toBeDefined();
    const back = await google.authorize(start.headers.get('location') as string);
    const callbackPath = back.pathname + back.search;

    const onB = await open(c.b, callbackPath, cookie);
    expect(onB.status).toBe(302);
    const result = new URL(onB.headers.get('location') as string);
    expect(result.origin + result.pathname).toBe(CLIENT_PAGE);
    const code = result.searchParams.get('code');
    expect(code).toEqual(expect.any(String));
    expect((await open(c.a, callbackPath, cookie)).status).toBe(400);

    const tokens = await c.a.call('POST', '/auth/oauth/exchange', { body: { code } });
    expect(tokens.status).toBe(200);
    expect((await c.b.sessionActive(tokens.body.access_token as string)).status).toBe(200);
    const replay = await c.b.call('POST', '/auth/oauth/exchange', { body: { code } });
    expect({ status: replay.status, code: replay.body.code }).toEqual({
      status: 400,
      code: 'OAUTH_CODE_INVALID',
    });
  });
});
