/**
 * GitHub's side of "Sign in with GitHub" for the social-login tests (issue 30): GitHub cannot be
 * reached from the test machine and speaks plain OAuth 2.0, not OpenID Connect, so this small
 * in-process node:http server answers its four endpoints as GitHub's documentation describes
 * them. It is the only stand-in the suite allows (Google is a real OpenID Provider, see
 * oidc-provider.ts). One server plays both github.com (OAUTH_GITHUB_BASE_URL) and
 * api.github.com (OAUTH_GITHUB_API_URL):
 * - GET  /login/oauth/authorize     302 to redirect_uri with code and state, as the next user;
 * - POST /login/oauth/access_token  code (single use, 10 min, PKCE S256 when a challenge was
 *                                   sent) for a bearer token; errors are 200 with `error`;
 * - GET  /user, GET /user/emails    the token's user (emails need scope user:email or user).
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface GitHubEmail {
  email: string;
  primary: boolean;
  verified: boolean;
  visibility?: 'public' | 'private' | null;
}

export interface GitHubUser {
  id: number;
  login: string;
  name?: string | null;
  /** The public profile email /user shows; default null (GitHub's when it is kept private). */
  email?: string | null;
  emails: GitHubEmail[];
}

export interface GitHubStandIn {
  /** Plays https://github.com (OAUTH_GITHUB_BASE_URL). */
  baseUrl: string;
  /** Plays https://api.github.com (OAUTH_GITHUB_API_URL); the same server. */
  apiUrl: string;
  clientId: string;
  clientSecret: string;
  /** Who the next authorization logs in as (once). */
  setNextUser(user: GitHubUser): void;
  /**
   * A code this stand-in issued for `user`, handed to the test instead of redirected (e.g. to
   * deliver it to another provider's callback in a mix-up test).
   */
  issueCodeFor(
    user: GitHubUser,
    options: { redirectUri: string; codeChallenge?: string; scope?: string },
  ): string;
  stop(): Promise<void>;
}

interface IssuedCode {
  user: GitHubUser;
  redirectUri: string;
  codeChallenge?: string;
  scope: string;
  expiresAt: number;
}

const CODE_TTL_MS = 10 * 60_000;
const DOCS = 'https://docs.github.com';
const TOKEN_ERRORS = {
  incorrect_client_credentials: 'The client_id and/or client_secret passed are incorrect.',
  redirect_uri_mismatch:
    'The redirect_uri MUST match the registered callback URL for this application.',
  bad_verification_code: 'The code passed is incorrect or expired.',
} as const;

export async function startGitHubStandIn(options: {
  clientId?: string;
  clientSecret?: string;
  redirectUris: string[];
}): Promise<GitHubStandIn> {
  const clientId = options.clientId ?? 'github-test-client';
  const clientSecret = options.clientSecret ?? randomBytes(20).toString('hex');
  const codes = new Map<string, IssuedCode>();
  const tokens = new Map<string, { user: GitHubUser; scope: string }>();
  let nextUser: GitHubUser | null = null;

  const issueCode = (user: GitHubUser, redirectUri: string, codeChallenge?: string, scope = '') => {
    const code = randomBytes(10).toString('hex');
    const scopes = scope
      .split(/[\s,]+/)
      .filter(Boolean)
      .join(',');
    codes.set(code, {
      user,
      redirectUri,
      codeChallenge,
      scope: scopes,
      expiresAt: Date.now() + CODE_TTL_MS,
    });
    return code;
  };

  const authorize = (query: URLSearchParams, res: ServerResponse) => {
    if (query.get('client_id') !== clientId) return send(res, 404, 'text/plain', 'Not Found');
    const requested = query.get('redirect_uri') ?? options.redirectUris[0];
    const state = query.get('state');
    if (!options.redirectUris.includes(requested)) {
      // GitHub sends this error to the registered callback, never to the unregistered one.
      return redirect(res, options.redirectUris[0], {
        error: 'redirect_uri_mismatch',
        error_description: TOKEN_ERRORS.redirect_uri_mismatch,
        state,
      });
    }
    const challenge = query.get('code_challenge') ?? undefined;
    if (challenge && query.get('code_challenge_method') !== 'S256') {
      return send(res, 400, 'text/plain', 'code_challenge_method must be S256');
    }
    if (!nextUser) return send(res, 500, 'text/plain', 'no user set: call setNextUser() first');
    const code = issueCode(nextUser, requested, challenge, query.get('scope') ?? '');
    nextUser = null;
    redirect(res, requested, { code, state });
  };

  const accessToken = (params: URLSearchParams, req: IncomingMessage, res: ServerResponse) => {
    const answer = (body: Record<string, string>) => {
      if (/application\/json/i.test(req.headers.accept ?? '')) {
        return send(res, 200, 'application/json; charset=utf-8', JSON.stringify(body));
      }
      send(
        res,
        200,
        'application/x-www-form-urlencoded; charset=utf-8',
        new URLSearchParams(body).toString(),
      );
    };
    const fail = (error: keyof typeof TOKEN_ERRORS) =>
      answer({
        error,
        error_description: TOKEN_ERRORS[error],
        error_uri: `${DOCS}/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors/#${error.replace(/_/g, '-')}`,
      });
    if (params.get('client_id') !== clientId || params.get('client_secret') !== clientSecret) {
      return fail('incorrect_client_credentials');
    }
    const code = params.get('code') ?? '';
    const issued = codes.get(code);
    codes.delete(code); // single use, whatever happens next
    if (!issued || issued.expiresAt < Date.now()) return fail('bad_verification_code');
    const redirectUri = params.get('redirect_uri');
    if (redirectUri !== null && redirectUri !== issued.redirectUri)
      return fail('redirect_uri_mismatch');
    if (issued.codeChallenge !== undefined) {
      const verifier = params.get('code_verifier') ?? '';
      if (createHash('sha256').update(verifier).digest('base64url') !== issued.codeChallenge) {
        return fail('bad_verification_code');
      }
    }
    const token = `gho_${randomBytes(18).toString('base64url')}`;
    tokens.set(token, { user: issued.user, scope: issued.scope });
    answer({ access_token: token, token_type: 'bearer', scope: issued.scope });
  };

  const api = (path: string, req: IncomingMessage, res: ServerResponse) => {
    const json = (status: number, body: unknown) =>
      send(res, status, 'application/json; charset=utf-8', JSON.stringify(body));
    if (!req.headers['user-agent']) {
      return send(
        res,
        403,
        'text/plain',
        'Request forbidden by administrative rules. Please make sure your request has a User-Agent header',
      );
    }
    const [scheme, token] = (req.headers.authorization ?? '').split(' ');
    if (!token)
      return json(401, {
        message: 'Requires authentication',
        documentation_url: `${DOCS}/rest`,
        status: '401',
      });
    const grant = /^(bearer|token)$/i.test(scheme) ? tokens.get(token) : undefined;
    if (!grant)
      return json(401, {
        message: 'Bad credentials',
        documentation_url: `${DOCS}/rest`,
        status: '401',
      });
    const { user } = grant;
    if (path === '/user') {
      return json(200, {
        login: user.login,
        id: user.id,
        type: 'User',
        name: user.name ?? null,
        email: user.email ?? null,
      });
    }
    if (!grant.scope.split(',').some((scope) => scope === 'user:email' || scope === 'user')) {
      return json(404, { message: 'Not Found', documentation_url: `${DOCS}/rest`, status: '404' });
    }
    json(
      200,
      user.emails.map((email) => ({
        email: email.email,
        primary: email.primary,
        verified: email.verified,
        visibility: email.visibility ?? (email.primary ? 'private' : null),
      })),
    );
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const route = `${req.method} ${url.pathname}`;
    if (route === 'GET /login/oauth/authorize') return authorize(url.searchParams, res);
    if (route === 'GET /user' || route === 'GET /user/emails') return api(url.pathname, req, res);
    if (route !== 'POST /login/oauth/access_token') {
      return send(res, 404, 'application/json', JSON.stringify({ message: 'Not Found' }));
    }
    readBody(req)
      .then((body) => {
        const params = new URLSearchParams(url.searchParams);
        const parsed = /application\/json/i.test(req.headers['content-type'] ?? '')
          ? new URLSearchParams(JSON.parse(body || '{}') as Record<string, string>)
          : new URLSearchParams(body);
        parsed.forEach((value, name) => params.set(name, value));
        accessToken(params, req, res);
      })
      .catch(() => send(res, 400, 'text/plain', 'Problems parsing JSON'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    baseUrl,
    apiUrl: baseUrl,
    clientId,
    clientSecret,
    setNextUser: (user) => {
      nextUser = user;
    },
    issueCodeFor: (user, { redirectUri, codeChallenge, scope }) =>
      issueCode(user, redirectUri, codeChallenge, scope),
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function send(res: ServerResponse, status: number, type: string, body: string) {
  res.writeHead(status, { 'content-type': type });
  res.end(body);
}

function redirect(res: ServerResponse, to: string, params: Record<string, string | null>) {
  const url = new URL(to);
  for (const [name, value] of Object.entries(params))
    if (value !== null) url.searchParams.set(name, value);
  res.writeHead(302, { location: url.href });
  res.end();
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}
