/**
 * Self-test of the social-login harness (issue 30), no service involved: the real OpenID
 * Provider standing in for Google (test/support/oidc-provider.ts) and the GitHub stand-in
 * (test/support/github-stand-in.ts) behave as the service's tests rely on. Each step a client
 * makes is done here by hand with fetch, and ID tokens are checked with jose against the JWKS.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import { GitHubStandIn, GitHubUser, startGitHubStandIn } from '../support/github-stand-in';
import { OidcProviderHandle, startOidcProvider } from '../support/oidc-provider';

const CALLBACK = 'http://127.0.0.1:9/auth/oauth/google/callback';
const GITHUB_CALLBACK = 'http://127.0.0.1:9/auth/oauth/github/callback';

function pkce() {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

interface Discovery {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  jwks_uri: string;
  code_challenge_methods_supported: string[];
  authorization_response_iss_parameter_supported: boolean;
}

describe('OpenID Provider standing in for Google', () => {
  let op: OidcProviderHandle;
  let discovery: Discovery;

  beforeAll(async () => {
    op = await startOidcProvider({ redirectUris: [CALLBACK] });
    const response = await fetch(`${op.issuer}/.well-known/openid-configuration`);
    expect(response.status).toBe(200);
    discovery = (await response.json()) as Discovery;
  });
  afterAll(() => op?.stop());

  /** The provider's authorization endpoint for our client with `params`. */
  function authorizationUrl(params: Record<string, string>): string {
    const url = new URL(discovery.authorization_endpoint);
    url.search = new URLSearchParams({
      client_id: op.clientId,
      response_type: 'code',
      redirect_uri: CALLBACK,
      ...params,
    }).toString();
    return url.href;
  }

  /** Authorization request (state, nonce, PKCE S256) through to the callback redirect. */
  async function authorizeAs(sub: string) {
    const state = randomBytes(16).toString('base64url');
    const nonce = randomBytes(16).toString('base64url');
    const { verifier, challenge } = pkce();
    const url = authorizationUrl({
      scope: 'openid email profile',
      state,
      nonce,
      code_challenge: challenge,
      code_challenge_method: 'S256',
    });
    await op.setNextLogin({ sub, email: `${sub}@example.com`, email_verified: true, name: sub });
    return { callback: await op.authorize(url), state, nonce, verifier };
  }

  function exchange(code: string, verifier: string, auth: 'basic' | 'post' = 'basic') {
    const body = new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: CALLBACK,
      code_verifier: verifier,
    });
    const headers: Record<string, string> = {};
    if (auth === 'basic') {
      headers.authorization = `Basic ${Buffer.from(`${op.clientId}:${op.clientSecret}`).toString('base64')}`;
    } else {
      body.set('client_id', op.clientId);
      body.set('client_secret', op.clientSecret);
    }
    return fetch(discovery.token_endpoint, { method: 'POST', headers, body });
  }

  it('publishes discovery with its issuer, a JWKS, PKCE S256 and RFC 9207 iss', async () => {
    expect(op.issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(discovery.issuer).toBe(op.issuer);
    expect(discovery.code_challenge_methods_supported).toContain('S256');
    expect(discovery.authorization_response_iss_parameter_supported).toBe(true);
    const jwks = (await (await fetch(discovery.jwks_uri)).json()) as { keys: { kid: string }[] };
    expect(jwks.keys.map((key) => key.kid)).toEqual([op.signingJwk.kid]);
    expect(jwks.keys[0]).not.toHaveProperty('d');
  });

  it('runs the authorization-code flow with PKCE to an ID token that verifies against the JWKS', async () => {
    const { callback, state, nonce, verifier } = await authorizeAs('alice');
    expect(`${callback.origin}${callback.pathname}`).toBe(CALLBACK);
    expect(callback.searchParams.get('state')).toBe(state);
    expect(callback.searchParams.get('iss')).toBe(op.issuer);
    const code = callback.searchParams.get('code') ?? '';
    expect(code).not.toBe('');

    const response = await exchange(code, verifier);
    expect(response.status).toBe(200);
    const tokens = (await response.json()) as { id_token: string; access_token: string };
    const { payload, protectedHeader } = await jwtVerify(
      tokens.id_token,
      createRemoteJWKSet(new URL(discovery.jwks_uri)),
      { issuer: op.issuer, audience: op.clientId },
    );
    expect(protectedHeader).toMatchObject({ alg: 'RS256', kid: op.signingJwk.kid });
    expect(payload).toMatchObject({
      sub: 'alice',
      nonce,
      email: 'alice@example.com',
      email_verified: true,
      name: 'alice',
    });

    // The code is single use.
    expect((await exchange(code, verifier)).status).toBe(400);
  });

  it('accepts client_secret_post and refuses a wrong PKCE verifier', async () => {
    const first = await authorizeAs('bob');
    const refused = await exchange(first.callback.searchParams.get('code') ?? '', pkce().verifier);
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ error: 'invalid_grant' });

    const second = await authorizeAs('bob');
    const accepted = await exchange(
      second.callback.searchParams.get('code') ?? '',
      second.verifier,
      'post',
    );
    expect(accepted.status).toBe(200);
  });

  it('requires PKCE', async () => {
    const callback = await op.authorize(authorizationUrl({ scope: 'openid', state: 'some-state' }));
    expect(callback.searchParams.get('error')).toBe('invalid_request');
    expect(callback.searchParams.get('error_description')).toMatch(/PKCE/);
  });

  it('replaces the next id_token once', async () => {
    const forged = await op.forgeIdToken({ sub: 'mallory', nonce: 'not-yours' });
    await op.replaceNextIdToken(forged);

    const first = await authorizeAs('carol');
    const replaced = (await (
      await exchange(first.callback.searchParams.get('code') ?? '', first.verifier)
    ).json()) as { id_token: string };
    expect(replaced.id_token).toBe(forged);

    const second = await authorizeAs('carol');
    const own = (await (
      await exchange(second.callback.searchParams.get('code') ?? '', second.verifier)
    ).json()) as { id_token: string };
    expect(decodeJwt(own.id_token)).toMatchObject({ sub: 'carol', nonce: second.nonce });
  });

  it('forges ID tokens that verify with the provider key and fail with an unknown one', async () => {
    const jwks = createRemoteJWKSet(new URL(discovery.jwks_uri));
    const expected = { issuer: op.issuer, audience: op.clientId };

    const valid = await op.forgeIdToken({ sub: 'dave', iss: 'https://evil.example' });
    await expect(jwtVerify(valid, jwks)).resolves.toMatchObject({
      payload: { sub: 'dave', iss: 'https://evil.example', aud: op.clientId },
    });
    await expect(jwtVerify(valid, jwks, expected)).rejects.toMatchObject({
      code: 'ERR_JWT_CLAIM_VALIDATION_FAILED',
      claim: 'iss',
    });

    const expired = await op.forgeIdToken({ sub: 'dave', exp: Math.floor(Date.now() / 1000) - 60 });
    await expect(jwtVerify(expired, jwks, expected)).rejects.toMatchObject({
      code: 'ERR_JWT_EXPIRED',
    });

    const noAudience = await op.forgeIdToken({ sub: 'dave', aud: undefined });
    expect(decodeJwt(noAudience)).not.toHaveProperty('aud');

    const unknown = await op.forgeIdToken({ sub: 'dave' }, { key: 'unknown' });
    await expect(jwtVerify(unknown, jwks, expected)).rejects.toMatchObject({
      code: 'ERR_JWKS_NO_MATCHING_KEY',
    });
    const unknownSameKid = await op.forgeIdToken(
      { sub: 'dave' },
      { key: 'unknown', kid: op.signingJwk.kid },
    );
    await expect(jwtVerify(unknownSameKid, jwks, expected)).rejects.toMatchObject({
      code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
    });
  });

  it('says so when no account was set for the login', async () => {
    const url = authorizationUrl({
      scope: 'openid',
      code_challenge: pkce().challenge,
      code_challenge_method: 'S256',
    });
    await expect(op.authorize(url)).rejects.toThrow(/setNextLogin/);
  });

  it('fails to start with the child process output when its configuration is refused', async () => {
    await expect(startOidcProvider({ redirectUris: ['not a url'] })).rejects.toThrow(
      /exited .* before it was ready; its stderr:\n.*redirect_uris/s,
    );
  });
});

describe('GitHub stand-in', () => {
  let github: GitHubStandIn;
  const octocat: GitHubUser = {
    id: 583231,
    login: 'octocat',
    name: 'The Octocat',
    emails: [
      { email: 'octocat@example.com', primary: true, verified: true },
      { email: 'old@example.com', primary: false, verified: false },
    ],
  };

  beforeAll(async () => {
    github = await startGitHubStandIn({ redirectUris: [GITHUB_CALLBACK] });
  });
  afterAll(() => github?.stop());

  async function authorize(challenge: string, scope = 'read:user user:email') {
    github.setNextUser(octocat);
    const url = new URL('/login/oauth/authorize', github.baseUrl);
    url.search = new URLSearchParams({
      client_id: github.clientId,
      redirect_uri: GITHUB_CALLBACK,
      state: 'the-state',
      scope,
      code_challenge: challenge,
      code_challenge_method: 'S256',
    }).toString();
    const response = await fetch(url, { redirect: 'manual' });
    expect(response.status).toBe(302);
    return new URL(response.headers.get('location') ?? '');
  }

  function token(code: string, verifier: string, secret = github.clientSecret) {
    return fetch(`${github.baseUrl}/login/oauth/access_token`, {
      method: 'POST',
      headers: { accept: 'application/json' },
      body: new URLSearchParams({
        client_id: github.clientId,
        client_secret: secret,
        code,
        redirect_uri: GITHUB_CALLBACK,
        code_verifier: verifier,
      }),
    });
  }

  const api = (path: string, accessToken: string) =>
    fetch(`${github.apiUrl}${path}`, { headers: { authorization: `Bearer ${accessToken}` } });

  it('redirects with code and state, trades the code once for a token, and serves the user', async () => {
    const { verifier, challenge } = pkce();
    const callback = await authorize(challenge);
    expect(`${callback.origin}${callback.pathname}`).toBe(GITHUB_CALLBACK);
    expect(callback.searchParams.get('state')).toBe('the-state');
    const code = callback.searchParams.get('code') ?? '';

    const response = await token(code, verifier);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { access_token: string };
    expect(body).toEqual({
      access_token: expect.stringMatching(/^gho_/),
      token_type: 'bearer',
      scope: 'read:user,user:email',
    });

    const user = await api('/user', body.access_token);
    expect(user.status).toBe(200);
    expect(await user.json()).toMatchObject({
      id: 583231,
      login: 'octocat',
      name: 'The Octocat',
      email: null,
    });
    const emails = await api('/user/emails', body.access_token);
    expect(emails.status).toBe(200);
    expect(await emails.json()).toEqual([
      { email: 'octocat@example.com', primary: true, verified: true, visibility: 'private' },
      { email: 'old@example.com', primary: false, verified: false, visibility: null },
    ]);

    // Reused code: GitHub's 200 with an error.
    const reused = await token(code, verifier);
    expect(reused.status).toBe(200);
    expect(await reused.json()).toMatchObject({ error: 'bad_verification_code' });
  });

  it('refuses a wrong verifier, a wrong secret and an unknown token', async () => {
    const first = pkce();
    const wrongVerifier = await token(
      (await authorize(first.challenge)).searchParams.get('code') ?? '',
      pkce().verifier,
    );
    expect(await wrongVerifier.json()).toMatchObject({ error: 'bad_verification_code' });

    const second = pkce();
    const wrongSecret = await token(
      (await authorize(second.challenge)).searchParams.get('code') ?? '',
      second.verifier,
      'not-the-secret',
    );
    expect(await wrongSecret.json()).toMatchObject({ error: 'incorrect_client_credentials' });

    const unknown = await api('/user', 'gho_nothing');
    expect(unknown.status).toBe(401);
    expect(await unknown.json()).toMatchObject({ message: 'Bad credentials' });
  });

  it('answers form-encoded without Accept: application/json, and hides emails without the scope', async () => {
    const { verifier, challenge } = pkce();
    const code = (await authorize(challenge, 'read:user')).searchParams.get('code') ?? '';
    const response = await fetch(`${github.baseUrl}/login/oauth/access_token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        client_id: github.clientId,
        client_secret: github.clientSecret,
        code,
        code_verifier: verifier,
      }),
    });
    const form = new URLSearchParams(await response.text());
    expect(form.get('token_type')).toBe('bearer');
    expect(form.get('scope')).toBe('read:user');
    expect((await api('/user/emails', form.get('access_token') ?? '')).status).toBe(404);
  });

  it('sends an unregistered redirect_uri error to the registered callback', async () => {
    github.setNextUser(octocat);
    const url = new URL('/login/oauth/authorize', github.baseUrl);
    url.search = new URLSearchParams({
      client_id: github.clientId,
      redirect_uri: `${GITHUB_CALLBACK}/`,
      state: 's',
    }).toString();
    const response = await fetch(url, { redirect: 'manual' });
    const location = new URL(response.headers.get('location') ?? '');
    expect(`${location.origin}${location.pathname}`).toBe(GITHUB_CALLBACK);
    expect(location.searchParams.get('error')).toBe('redirect_uri_mismatch');
    expect(location.searchParams.get('code')).toBeNull();
  });

  it('issues a code to the test for a mix-up, usable once at its own token endpoint', async () => {
    const { verifier, challenge } = pkce();
    const code = github.issueCodeFor(octocat, {
      redirectUri: GITHUB_CALLBACK,
      codeChallenge: challenge,
      scope: 'user:email',
    });
    expect(await (await token(code, verifier)).json()).toMatchObject({ token_type: 'bearer' });
  });
});
