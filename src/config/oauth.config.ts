import { registerAs } from '@nestjs/config';
import { appConfig } from './app.config';
import { ConfigError, env } from './env';

/** An OpenID Connect provider, found by discovery from its issuer. */
export interface OidcProviderConfig {
  kind: 'oidc';
  name: string;
  clientId: string;
  clientSecret: string;
  issuer: string;
}

/** GitHub: plain OAuth 2.0 with fixed endpoints under its web and API base URLs. */
export interface GitHubProviderConfig {
  kind: 'github';
  name: 'github';
  clientId: string;
  clientSecret: string;
  baseUrl: string;
  apiUrl: string;
}

export type ProviderConfig = OidcProviderConfig | GitHubProviderConfig;

const PROVIDER_NAME = /^[a-z][a-z0-9]{0,31}$/;
const KNOWN_ISSUERS: Record<string, string> = { google: 'https://accounts.google.com' };

function required(key: string): string {
  const value = env.optional(key);
  if (!value) throw new ConfigError(key, 'is required for a provider named in OAUTH_PROVIDERS');
  return value;
}

function providerOf(name: string): ProviderConfig {
  const prefix = `OAUTH_${name.toUpperCase()}`;
  const client = {
    clientId: required(`${prefix}_CLIENT_ID`),
    clientSecret: required(`${prefix}_CLIENT_SECRET`),
  };
  if (name === 'github')
    return {
      kind: 'github',
      name,
      ...client,
      baseUrl: env.url('OAUTH_GITHUB_BASE_URL', 'https://github.com'),
      apiUrl: env.url('OAUTH_GITHUB_API_URL', 'https://api.github.com'),
    };
  const issuerKey = `${prefix}_ISSUER`;
  const fallback = KNOWN_ISSUERS[name];
  if (!fallback && !env.optional(issuerKey))
    throw new ConfigError(issuerKey, `is required: "${name}" is an OpenID Connect provider`);
  return { kind: 'oidc', name, ...client, issuer: env.url(issuerKey, fallback ?? '') };
}

/** The dashboard's page (under APP_URL) that receives a sign-in's or a link's result. */
export const DASHBOARD_CALLBACK_PATH = '/app/oauth/callback';

/**
 * The exact client pages (besides the dashboard's) that may receive a sign-in's result;
 * compared as whole strings.
 */
function redirectUris(): string[] {
  const uris = env.list('OAUTH_REDIRECT_URIS');
  for (const uri of uris) {
    let parsed: URL;
    try {
      parsed = new URL(uri);
    } catch {
      throw new ConfigError('OAUTH_REDIRECT_URIS', `holds "${uri}", which is not a URL`);
    }
    if (!['http:', 'https:'].includes(parsed.protocol) || parsed.hash)
      throw new ConfigError(
        'OAUTH_REDIRECT_URIS',
        `holds "${uri}": http(s) URLs without a #fragment only`,
      );
  }
  return uris;
}

function isLoopback(url: string): boolean {
  const host = new URL(url).hostname;
  return host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** Social login (issue 30): the providers, their clients, and where results may go. */
export const oauthConfig = registerAs('oauth', () => {
  const names = env.list('OAUTH_PROVIDERS').map((name) => name.toLowerCase());
  for (const name of names) {
    if (!PROVIDER_NAME.test(name))
      throw new ConfigError('OAUTH_PROVIDERS', `holds "${name}": names are letters and digits`);
  }
  if (new Set(names).size !== names.length)
    throw new ConfigError('OAUTH_PROVIDERS', 'names a provider twice');
  const providers = names.map(providerOf);
  const { appUrl, secureCookies } = appConfig();
  // The dashboard's own page is always allowed: it is served by this service, on its origin.
  const dashboardPage = `${appUrl}${DASHBOARD_CALLBACK_PATH}`;
  return {
    providers,
    redirectUris: [...new Set([dashboardPage, ...redirectUris()])],
    appUrl,
    secureCookies,
    /** Providers over plain http: outside production, or on this machine (a local Keycloak). */
    allowHttp: (url: string) => !env.isProduction() || isLoopback(url),
  };
});
