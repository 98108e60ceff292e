/**
 * Test side of the OpenID Provider that stands in for Google (issue 30): starts
 * test/support/oidc-provider/provider.mjs, a real oidc-provider 9 with discovery, a JWKS and
 * signed ID tokens. oidc-provider is ESM only, so it runs in a child process under plain `node`
 * (jest's CommonJS module loader cannot load it); this file generates its keys, passes them in,
 * and drives it over HTTP: who logs in next, a replaced id_token, and the user agent's part of
 * an authorization (following the provider's redirects with its cookies).
 */
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, importJWK, type JWK, SignJWT } from 'jose';
import { stopChild, track } from './processes';

export type { JWK } from 'jose';

export interface OidcAccount {
  sub: string;
  email?: string;
  email_verified?: boolean;
  name?: string;
}

export interface ForgeOptions {
  /** 'provider' (default) signs with the provider's own key: a valid signature. */
  key?: 'provider' | 'unknown';
  /** The header's kid; default the signing key's own. */
  kid?: string;
}

export interface OidcProviderHandle {
  /** http://127.0.0.1:<port>, no trailing slash. */
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** The provider's private RS256 signing key, for tokens forged with a valid signature. */
  signingJwk: JWK;
  /** Who the next authorization logs in as (used once; authorize() fails without one). */
  setNextLogin(account: OidcAccount): Promise<void>;
  /** The next successful token response carries this id_token instead of its own. */
  replaceNextIdToken(idToken: string): Promise<void>;
  /**
   * Plays the user agent from `authorizationUrl` on: follows the provider's redirects (login
   * and consent happen without a page, as the account from setNextLogin) with a fresh cookie
   * jar, and returns the redirect that leaves the provider (the client's callback with code,
   * state and iss, or with error). Throws with the provider's answer if it stops elsewhere.
   */
  authorize(authorizationUrl: string): Promise<URL>;
  /**
   * An RS256 ID token with `claims` over valid defaults (iss, aud, iat, exp in 10 minutes); a
   * claim given as undefined is left out.
   */
  forgeIdToken(claims: Record<string, unknown>, options?: ForgeOptions): Promise<string>;
  stop(): Promise<void>;
}

const PROVIDER_SCRIPT = join(__dirname, 'oidc-provider', 'provider.mjs');
const READY_TIMEOUT_MS = 15_000;

export async function startOidcProvider(options: {
  redirectUris: string[];
  clientId?: string;
  clientSecret?: string;
}): Promise<OidcProviderHandle> {
  const clientId = options.clientId ?? 'google-test-client';
  const clientSecret = options.clientSecret ?? randomBytes(24).toString('base64url');
  const signingJwk = await newSigningJwk();

  const child = track(
    spawn(process.execPath, [PROVIDER_SCRIPT], {
      env: {
        ...process.env,
        OIDC_PROVIDER_CONFIG: JSON.stringify({
          signingJwk,
          cookieKeys: [randomBytes(32).toString('base64url')],
          client: { clientId, clientSecret, redirectUris: options.redirectUris },
        }),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  // A provider a test forgot to stop must not keep jest alive; track() kills it at exit.
  child.unref();
  for (const stream of [child.stdout, child.stderr]) (stream as Socket | null)?.unref();
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-8_000);
  });
  const port = await readyPort(child, () => stderr).catch(async (error: unknown) => {
    await stopChild(child, 'SIGKILL');
    throw error;
  });
  const issuer = `http://127.0.0.1:${port}`;

  const control = async (path: string, body: unknown) => {
    const response = await fetch(`${issuer}/__control/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    }).catch((error: unknown) => {
      throw new Error(`OpenID Provider unreachable (${String(error)}); its stderr:\n${stderr}`);
    });
    if (!response.ok) throw new Error(`OpenID Provider control ${path}: ${await response.text()}`);
  };

  return {
    issuer,
    clientId,
    clientSecret,
    signingJwk,
    setNextLogin: (account) => control('next-login', account),
    replaceNextIdToken: (idToken) => control('next-id-token', { idToken }),
    authorize: (authorizationUrl) => followAuthorization(issuer, authorizationUrl),
    forgeIdToken: (claims, forge = {}) =>
      forgeIdToken({ issuer, clientId, signingJwk }, claims, forge),
    stop: () => stopChild(child),
  };
}

async function newSigningJwk(kid: string = randomUUID()): Promise<JWK> {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  return { ...(await exportJWK(privateKey)), kid, alg: 'RS256', use: 'sig' };
}

/** Resolves with the port the child printed; rejects with its stderr if it exits or stalls. */
function readyPort(child: ChildProcess, stderr: () => string): Promise<number> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    const fail = (why: string) => {
      clearTimeout(timer);
      reject(new Error(`OpenID Provider ${why}; its stderr:\n${stderr()}`));
    };
    const timer = setTimeout(
      () => fail(`not ready within ${READY_TIMEOUT_MS} ms`),
      READY_TIMEOUT_MS,
    );
    child.once('exit', (code, signal) => fail(`exited (${code ?? signal}) before it was ready`));
    child.once('error', (error) => fail(`did not start (${error.message})`));
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const line = /^\{"ready":true,"port":(\d+)\}$/m.exec(stdout);
      if (line) {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        child.stdout?.removeAllListeners('data');
        child.stdout?.resume();
        resolve(Number(line[1]));
      }
    });
  });
}

async function followAuthorization(issuer: string, authorizationUrl: string): Promise<URL> {
  const jar = new Map<string, string>();
  let url = new URL(authorizationUrl);
  if (url.origin !== issuer) {
    throw new Error(`authorize() takes the provider's URL (${issuer}/auth?...), not ${url.origin}`);
  }
  for (let hop = 0; hop < 20; hop += 1) {
    const cookie = [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
    const response = await fetch(url, {
      redirect: 'manual',
      headers: cookie ? { cookie } : {},
    });
    for (const header of response.headers.getSetCookie()) remember(jar, header);
    const location = response.headers.get('location');
    if (response.status < 300 || response.status >= 400 || !location) {
      throw new Error(
        `OpenID Provider answered ${url.href} with ${response.status}: ${await response.text()}`,
      );
    }
    await response.arrayBuffer();
    url = new URL(location, url);
    if (url.origin !== issuer) return url;
  }
  throw new Error('OpenID Provider: more than 20 redirects');
}

/** Keeps or drops one Set-Cookie (paths are ignored: every cookie goes back to the provider). */
function remember(jar: Map<string, string>, header: string) {
  const [pair, ...attributes] = header.split(';');
  const name = pair.slice(0, pair.indexOf('=')).trim();
  const value = pair.slice(pair.indexOf('=') + 1).trim();
  const expired = attributes.some((attribute) => {
    const [key, val = ''] = attribute.split('=').map((part) => part.trim());
    if (/^max-age$/i.test(key)) return Number(val) <= 0;
    if (/^expires$/i.test(key)) return Date.parse(val) <= Date.now();
    return false;
  });
  if (expired || value === '') jar.delete(name);
  else jar.set(name, value);
}

/**
 * An RS256 ID token for the attack tests: `claims` over valid defaults for `provider`, signed
 * with the provider's key (a valid signature) or with a key nobody published.
 */
export async function forgeIdToken(
  provider: Pick<OidcProviderHandle, 'issuer' | 'clientId' | 'signingJwk'>,
  claims: Record<string, unknown>,
  options: ForgeOptions = {},
): Promise<string> {
  const jwk = options.key === 'unknown' ? await newSigningJwk() : provider.signingJwk;
  const now = Math.floor(Date.now() / 1000);
  const payload = JSON.parse(
    JSON.stringify({
      iss: provider.issuer,
      aud: provider.clientId,
      iat: now,
      exp: now + 600,
      ...claims,
    }),
  ) as Record<string, unknown>;
  return new SignJWT(payload)
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: options.kid ?? jwk.kid })
    .sign(await importJWK(jwk, 'RS256'));
}
