import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import * as client from 'openid-client';
import { Errors } from '../common/errors';
import { GitHubProviderConfig, oauthConfig, ProviderConfig } from '../config/oauth.config';

/** Who the provider says signed in: its issuer and subject (the key), and the email it gave. */
export interface ProviderProfile {
  issuer: string;
  subject: string;
  email: string | null;
  /** Only true when the provider vouches for the email (Google: email_verified; GitHub: primary and verified). */
  emailVerified: boolean;
  /** A name to derive a username from (GitHub's login, the OIDC name or preferred_username). */
  nameHint: string | null;
}

/** What one sign-in attempt keeps between the start and the callback. */
export interface FlowChecks {
  state: string;
  nonce: string;
  codeVerifier: string;
}

/** Why the provider step failed, as the callback sends it back (`?error=`). */
export type ProviderFailure =
  'PROVIDER_DENIED' | 'PROVIDER_UNAVAILABLE' | 'PROVIDER_RESPONSE_INVALID';

export class ProviderError extends Error {
  constructor(
    readonly reason: ProviderFailure,
    /** The library's code (e.g. OAUTH_JWT_CLAIM_COMPARISON_FAILED), for the log and audit only. */
    readonly detail: string,
  ) {
    super(`${reason}: ${detail}`);
    this.name = 'ProviderError';
  }
}

const DISCOVERY_RETRY_AFTER_SECONDS = 30;
const REQUEST_TIMEOUT_SECONDS = 10;
const OIDC_SCOPE = 'openid email profile';
const GITHUB_SCOPE = 'read:user user:email';

interface GitHubEmail {
  email: string;
  primary: boolean;
  verified: boolean;
}

/**
 * The configured sign-in providers, through openid-client: discovery (cached; a failure is
 * retried at the next start), the authorization URL with state, nonce and PKCE S256, and the
 * code grant with every check the library makes (RFC 9207 `iss`, and for OpenID Connect the ID
 * token's signature by the provider's JWKS, iss, aud, nonce and exp). GitHub is plain OAuth 2.0:
 * its fixed endpoints, then `GET /user` and `/user/emails`.
 */
@Injectable()
export class OAuthProviders {
  private readonly logger = new Logger('OAuth');
  private readonly configurations = new Map<string, Promise<client.Configuration>>();

  constructor(@Inject(oauthConfig.KEY) private readonly config: ConfigType<typeof oauthConfig>) {}

  names(): string[] {
    return this.config.providers.map((provider) => provider.name);
  }

  /** The provider's configuration; PROVIDER_UNKNOWN for a name not in OAUTH_PROVIDERS. */
  settingsOf(name: string): ProviderConfig {
    const provider = this.config.providers.find((candidate) => candidate.name === name);
    if (!provider) throw Errors.providerUnknown();
    return provider;
  }

  /** Where the provider sends the browser back: `<APP_URL>/auth/oauth/<provider>/callback`. */
  callbackUrlOf(name: string): string {
    return `${this.config.appUrl}/auth/oauth/${name}/callback`;
  }

  isAllowedRedirect(uri: string): boolean {
    return this.config.redirectUris.includes(uri);
  }

  /** 503 PROVIDER_UNAVAILABLE when the provider's discovery cannot be fetched. */
  async authorizationUrl(name: string, checks: FlowChecks): Promise<URL> {
    const provider = this.settingsOf(name);
    const configuration = await this.configurationOf(provider);
    const parameters: Record<string, string> = {
      redirect_uri: this.callbackUrlOf(name),
      response_type: 'code',
      scope: provider.kind === 'github' ? GITHUB_SCOPE : OIDC_SCOPE,
      state: checks.state,
      code_challenge: await client.calculatePKCECodeChallenge(checks.codeVerifier),
      code_challenge_method: 'S256',
    };
    if (provider.kind === 'oidc') parameters.nonce = checks.nonce;
    return client.buildAuthorizationUrl(configuration, parameters);
  }

  /** Trades the callback's code for the user's profile; ProviderError when anything is off. */
  async profileFrom(name: string, query: string, checks: FlowChecks): Promise<ProviderProfile> {
    const provider = this.settingsOf(name);
    const configuration = await this.configurationOf(provider).catch(() => {
      throw new ProviderError('PROVIDER_UNAVAILABLE', 'discovery');
    });
    const callback = new URL(this.callbackUrlOf(name));
    callback.search = query;
    try {
      const tokens = await client.authorizationCodeGrant(configuration, callback, {
        pkceCodeVerifier: checks.codeVerifier,
        expectedState: checks.state,
        ...(provider.kind === 'oidc'
          ? { expectedNonce: checks.nonce, idTokenExpected: true }
          : { idTokenExpected: false }),
      });
      return provider.kind === 'github'
        ? await this.gitHubProfile(provider, configuration, tokens.access_token)
        : await this.oidcProfile(configuration, tokens);
    } catch (error) {
      throw this.failureOf(error);
    }
  }

  private async oidcProfile(
    configuration: client.Configuration,
    tokens: client.TokenEndpointResponse & client.TokenEndpointResponseHelpers,
  ): Promise<ProviderProfile> {
    const claims = tokens.claims();
    if (!claims) throw new ProviderError('PROVIDER_RESPONSE_INVALID', 'no ID token');
    let source: Record<string, unknown> = claims;
    // Providers that keep email out of the ID token give it at the userinfo endpoint.
    if (typeof claims.email !== 'string' && configuration.serverMetadata().userinfo_endpoint)
      source = { ...(await client.fetchUserInfo(configuration, tokens.access_token, claims.sub)) };
    const email = typeof source.email === 'string' ? source.email : null;
    const hint = [source.preferred_username, source.name].find(
      (value) => typeof value === 'string',
    );
    return {
      issuer: claims.iss,
      subject: claims.sub,
      email,
      emailVerified: email !== null && source.email_verified === true,
      nameHint: (hint as string | undefined) ?? null,
    };
  }

  private async gitHubProfile(
    provider: GitHubProviderConfig,
    configuration: client.Configuration,
    accessToken: string,
  ): Promise<ProviderProfile> {
    const read = async <T>(path: string): Promise<T> => {
      const headers = new Headers({ Accept: 'application/vnd.github+json' });
      const response = await client.fetchProtectedResource(
        configuration,
        accessToken,
        new URL(`${provider.apiUrl}${path}`),
        'GET',
        undefined,
        headers,
      );
      if (!response.ok)
        throw new ProviderError('PROVIDER_RESPONSE_INVALID', `GitHub ${path} ${response.status}`);
      return (await response.json()) as T;
    };
    const user = await read<{ id?: unknown; login?: unknown }>('/user');
    if (typeof user.id !== 'number' && typeof user.id !== 'string')
      throw new ProviderError('PROVIDER_RESPONSE_INVALID', 'GitHub user without id');
    const emails = await read<GitHubEmail[]>('/user/emails');
    // Only the primary address, and only once GitHub has verified it.
    const primary = Array.isArray(emails)
      ? emails.find((entry) => entry.primary === true && entry.verified === true)
      : undefined;
    return {
      issuer: provider.baseUrl,
      subject: String(user.id),
      email: typeof primary?.email === 'string' ? primary.email : null,
      emailVerified: primary !== undefined,
      nameHint: typeof user.login === 'string' ? user.login : null,
    };
  }

  private configurationOf(provider: ProviderConfig): Promise<client.Configuration> {
    let cached = this.configurations.get(provider.name);
    if (!cached) {
      cached = this.configure(provider);
      this.configurations.set(provider.name, cached);
      // A failed discovery is not kept: the next sign-in tries again.
      cached.catch((error: unknown) => {
        this.configurations.delete(provider.name);
        this.logger.warn(
          { err: error, provider: provider.name },
          'Sign-in provider discovery failed',
        );
      });
    }
    return cached.catch(() => {
      throw Errors.providerUnavailable(DISCOVERY_RETRY_AFTER_SECONDS);
    });
  }

  private async configure(provider: ProviderConfig): Promise<client.Configuration> {
    const base = provider.kind === 'oidc' ? provider.issuer : provider.baseUrl;
    const execute = this.config.allowHttp(base) ? [client.allowInsecureRequests] : [];
    // OpenID Connect's default client authentication; GitHub documents the secret in the body.
    const auth =
      provider.kind === 'oidc'
        ? client.ClientSecretBasic(provider.clientSecret)
        : client.ClientSecretPost(provider.clientSecret);
    if (provider.kind === 'oidc') {
      return client.discovery(new URL(provider.issuer), provider.clientId, undefined, auth, {
        // The ID token's signature is checked against the provider's JWKS too, not only its
        // claims (openid-client otherwise relies on TLS to the token endpoint, as OIDC allows).
        execute: [...execute, client.enableNonRepudiationChecks],
        timeout: REQUEST_TIMEOUT_SECONDS,
      });
    }
    const configuration = new client.Configuration(
      {
        issuer: provider.baseUrl,
        authorization_endpoint: `${provider.baseUrl}/login/oauth/authorize`,
        token_endpoint: `${provider.baseUrl}/login/oauth/access_token`,
      },
      provider.clientId,
      undefined,
      auth,
    );
    configuration.timeout = REQUEST_TIMEOUT_SECONDS;
    execute.forEach((apply) => apply(configuration));
    return configuration;
  }

  private failureOf(error: unknown): ProviderError {
    if (error instanceof ProviderError) return error;
    if (error instanceof client.AuthorizationResponseError)
      return new ProviderError('PROVIDER_DENIED', error.error);
    const code = (error as { code?: unknown }).code;
    if (error instanceof client.ResponseBodyError)
      return new ProviderError('PROVIDER_RESPONSE_INVALID', error.error);
    if (error instanceof client.ClientError && typeof code === 'string')
      return new ProviderError('PROVIDER_RESPONSE_INVALID', code);
    // fetch failures and timeouts: the provider could not be reached.
    if (error instanceof TypeError || (error as Error).name === 'TimeoutError')
      return new ProviderError('PROVIDER_UNAVAILABLE', (error as Error).name);
    return new ProviderError('PROVIDER_RESPONSE_INVALID', String(code ?? (error as Error).name));
  }
}
