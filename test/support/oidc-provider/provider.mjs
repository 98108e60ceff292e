/**
 * A real OpenID Provider (panva's oidc-provider 9) standing in for Google in the social-login
 * tests. oidc-provider is ESM only, so it runs here, in a child process under plain `node`,
 * never inside jest's module loader; test/support/oidc-provider.ts starts it and talks to it.
 *
 * Input: env OIDC_PROVIDER_CONFIG = JSON { signingJwk, cookieKeys, client }.
 * Output: one stdout line `{"ready":true,"port":<port>}` once it listens on 127.0.0.1.
 * Besides the provider's own endpoints it serves:
 * - GET  /interaction/:uid        logs in the account set by /__control/next-login and grants
 *                                 the requested scopes and claims, with no page in between;
 * - POST /__control/next-login    body: the account ({ sub, email, email_verified, name });
 * - POST /__control/next-id-token body: { idToken }: the next token response carries it.
 */
import { createServer } from 'node:http';
import Provider from 'oidc-provider';

const config = JSON.parse(process.env.OIDC_PROVIDER_CONFIG ?? '{}');
const accounts = new Map();
let nextLogin = null;
let nextIdToken = null;

const readJson = (req) =>
  new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      try {
        resolve(JSON.parse(body || '{}'));
      } catch (error) {
        reject(error);
      }
    });
    req.on('error', reject);
  });

const send = (res, status, body) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};

const server = createServer();
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  const provider = new Provider(`http://127.0.0.1:${port}`, {
    clients: [
      {
        client_id: config.client.clientId,
        client_secret: config.client.clientSecret,
        redirect_uris: config.client.redirectUris,
        response_types: ['code'],
        grant_types: ['authorization_code'],
        // A client_secret_basic client may also send its secret in the body (client_secret_post).
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    jwks: { keys: [config.signingJwk] },
    cookies: { keys: config.cookieKeys },
    scopes: ['openid', 'email', 'profile'],
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    // Google puts the user's claims in the ID token of the code flow too.
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    features: { devInteractions: { enabled: false } },
    findAccount: (_ctx, sub) => {
      const account = accounts.get(sub);
      return account && { accountId: sub, claims: () => account };
    },
    renderError: (ctx, out) => {
      ctx.type = 'json';
      ctx.body = out;
    },
  });

  // Swaps the id_token of the next successful token response (for the forged-token tests).
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.oidc?.route === 'token' && ctx.status === 200 && nextIdToken !== null) {
      ctx.body = { ...ctx.body, id_token: nextIdToken };
      nextIdToken = null;
    }
  });

  const interact = async (req, res) => {
    const details = await provider.interactionDetails(req, res);
    if (details.prompt.name === 'login') {
      if (!nextLogin) throw new Error('no account set: call setNextLogin() first');
      accounts.set(nextLogin.sub, nextLogin);
      const accountId = nextLogin.sub;
      nextLogin = null;
      return provider.interactionFinished(
        req,
        res,
        { login: { accountId } },
        {
          mergeWithLastSubmission: false,
        },
      );
    }
    const grant = new provider.Grant({
      accountId: details.session.accountId,
      clientId: details.params.client_id,
    });
    const missing = details.prompt.details;
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    const grantId = await grant.save();
    return provider.interactionFinished(
      req,
      res,
      { consent: { grantId } },
      {
        mergeWithLastSubmission: true,
      },
    );
  };

  const handle = provider.callback();
  server.on('request', (req, res) => {
    const path = new URL(req.url, 'http://x').pathname;
    const fail = (error) => send(res, 500, { error: String(error?.message ?? error) });
    if (req.method === 'GET' && path.startsWith('/interaction/')) {
      interact(req, res).catch(fail);
    } else if (req.method === 'POST' && path === '/__control/next-login') {
      readJson(req)
        .then((account) => {
          nextLogin = account;
          send(res, 200, { ok: true });
        })
        .catch(fail);
    } else if (req.method === 'POST' && path === '/__control/next-id-token') {
      readJson(req)
        .then(({ idToken }) => {
          nextIdToken = idToken;
          send(res, 200, { ok: true });
        })
        .catch(fail);
    } else {
      handle(req, res);
    }
  });
  // Static clients are checked on first use; check ours now, so a bad one fails the start.
  provider.Client.find(config.client.clientId).then(
    () => process.stdout.write(`${JSON.stringify({ ready: true, port })}\n`),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
});

process.on('SIGTERM', () => process.exit(0));
