import { Injectable, Logger } from '@nestjs/common';
import type { ClientInfo } from '../common/client-info';
import { AuditEvent, AuditFacts, DomainError, Errors } from '../common/errors';
import { CompletedLogin, LoginCompletion } from '../auth/login-completion';
import { MfaService } from '../mfa/mfa.service';
import { UsersService } from '../users/users.service';
import { OAuthAccounts } from './oauth-accounts';
import { FlowIntent, OAuthFlows, TakenFlow } from './oauth-flows';
import { OAuthProviders, ProviderError, ProviderProfile } from './oauth-providers';

/** Where the callback sends the browser, and what the request concerned. */
export interface CallbackOutcome {
  location: string;
  facts: AuditFacts;
}

/** How the caller proves it is the account's owner before linking a provider. */
export interface LinkProof {
  password?: string;
  code?: string;
}

/** The errors the callback reports to the client page as `?error=CODE`. */
const REPORTED = new Set([
  'ACCOUNT_EXISTS',
  'IDENTITY_IN_USE',
  'PROVIDER_ALREADY_LINKED',
  'EMAIL_UNAVAILABLE',
  'CONFLICT',
]);

/**
 * Social login's three steps: start (a flow and the provider's authorization URL), callback
 * (the provider's answer checked and the account resolved or linked, the result left behind a
 * one-time code), and exchange (the code traded for what POST /auth/login answers, through the
 * same LoginCompletion as a password login).
 */
@Injectable()
export class OAuthService {
  private readonly logger = new Logger('OAuth');

  constructor(
    private readonly providers: OAuthProviders,
    private readonly flows: OAuthFlows,
    private readonly accounts: OAuthAccounts,
    private readonly completion: LoginCompletion,
    private readonly users: UsersService,
    private readonly mfa: MfaService,
  ) {}

  listProviders(): string[] {
    return this.providers.names();
  }

  /** The provider's authorization URL for a sign-in started in the browser `browser`. */
  async startSignIn(
    provider: string,
    redirectUri: string,
    force: boolean,
    browser: string,
  ): Promise<string> {
    return this.begin({ provider, purpose: 'login', userId: null, redirectUri, force }, browser);
  }

  /**
   * The authorization URL that links `provider` to the caller, once the caller proved to own the
   * account: its password, or with two-factor login on a code (TOTP or recovery code).
   */
  async startLink(
    userId: string,
    provider: string,
    proof: LinkProof,
    redirectUri: string,
    browser: string,
  ): Promise<{ url: string; facts: AuditFacts }> {
    this.providers.settingsOf(provider);
    this.assertAllowedRedirect(redirectUri);
    const events = await this.proveOwner(userId, proof);
    await this.accounts.assertNotLinked(userId, provider);
    const url = await this.begin(
      { provider, purpose: 'link', userId, redirectUri, force: false },
      browser,
    );
    return { url, facts: { userId, meta: { provider }, events } };
  }

  /**
   * Checks the callback's state against the flow and the browser (OAUTH_STATE_INVALID: there is
   * no trusted page to send the browser to), then the provider's answer. Every later failure goes
   * back to the flow's page as `?error=CODE`.
   */
  async callback(
    provider: string,
    query: Record<string, string | undefined>,
    rawQuery: string,
    browser: string | undefined,
  ): Promise<CallbackOutcome> {
    this.providers.settingsOf(provider);
    let flow: TakenFlow;
    try {
      flow = await this.flows.take(provider, query.state, browser);
    } catch (error) {
      throw error instanceof DomainError
        ? error.concerning({ meta: { provider, reason: error.code } })
        : error;
    }
    try {
      const profile = await this.providers.profileFrom(provider, rawQuery, flow.checks);
      return flow.purpose === 'link'
        ? await this.finishLink(flow, profile)
        : await this.finishSignIn(flow, profile);
    } catch (error) {
      const reason = this.reasonOf(error, provider);
      return {
        location: withParameters(flow.redirectUri, { error: reason }),
        facts: {
          userId: flow.userId,
          meta: { provider, purpose: flow.purpose },
          events: [failed(provider, reason, error)],
        },
      };
    }
  }

  /** The sign-in's result, answered as POST /auth/login answers (amr "fed"). */
  async exchange(code: string, client: ClientInfo): Promise<CompletedLogin> {
    const result = await this.flows.redeemResult(code);
    const user = await this.users.findById(result.userId);
    if (!user) throw Errors.oauthCodeInvalid();
    const facts = { userId: user.id, meta: { provider: result.provider } };
    if (user.status !== 'active') throw Errors.accountDisabled().concerning(facts);
    if (!user.isVerified) throw Errors.emailNotVerified().concerning(facts);
    try {
      const completed = await this.completion.complete(user, client, result.force, 'fed');
      return {
        answer: completed.answer,
        facts: { ...completed.facts, meta: { ...completed.facts.meta, provider: result.provider } },
      };
    } catch (error) {
      throw error instanceof DomainError ? error.concerning({ ...facts, ...error.facts }) : error;
    }
  }

  private async begin(intent: FlowIntent, browser: string): Promise<string> {
    this.providers.settingsOf(intent.provider);
    this.assertAllowedRedirect(intent.redirectUri);
    const checks = await this.flows.begin(intent, browser);
    const url = await this.providers.authorizationUrl(intent.provider, checks);
    return url.href;
  }

  private assertAllowedRedirect(redirectUri: string): void {
    if (!this.providers.isAllowedRedirect(redirectUri)) throw Errors.redirectUriNotAllowed();
  }

  private async finishSignIn(flow: TakenFlow, profile: ProviderProfile): Promise<CallbackOutcome> {
    const { user, created } = await this.accounts.resolveForSignIn(flow.provider, profile);
    const code = await this.flows.issueResult(user.id, flow.provider, flow.force);
    const meta = { provider: flow.provider, purpose: flow.purpose };
    return {
      location: withParameters(flow.redirectUri, { code }),
      facts: {
        userId: user.id,
        meta,
        events: created
          ? [
              {
                action: 'oauth.signup',
                outcome: 'success',
                meta: { provider: flow.provider, verified: user.isVerified },
              },
            ]
          : [],
      },
    };
  }

  private async finishLink(flow: TakenFlow, profile: ProviderProfile): Promise<CallbackOutcome> {
    const userId = flow.userId as string;
    await this.accounts.link(userId, flow.provider, profile);
    return {
      location: withParameters(flow.redirectUri, { linked: flow.provider }),
      facts: {
        userId,
        meta: { provider: flow.provider, purpose: flow.purpose },
        events: [
          { action: 'identity.linked', outcome: 'success', meta: { provider: flow.provider } },
        ],
      },
    };
  }

  /**
   * The owner's proof: the password when the account has one, and with two-factor login on a
   * code as well (TOTP or recovery code, spent). An account with neither (made by a provider,
   * no two-factor login) sets a password through forgot-password first. The events the factor
   * caused (a recovery code used).
   */
  private async proveOwner(userId: string, proof: LinkProof): Promise<AuditEvent[]> {
    const user = await this.users.findById(userId);
    if (!user) throw Errors.unauthorized('SESSION_REVOKED');
    const twoFactor = await this.mfa.isEnabled(userId);
    if (user.passwordHash !== null || !twoFactor)
      await this.users.findByIdWithPassword(userId, proof.password ?? '');
    const passed = await this.mfa.requireSecondFactorFor(user, proof.code);
    return passed?.events ?? [];
  }

  private reasonOf(error: unknown, provider: string): string {
    if (error instanceof ProviderError) {
      this.logger.warn({ provider, reason: error.reason, detail: error.detail }, 'Sign-in refused');
      return error.reason;
    }
    if (error instanceof DomainError && REPORTED.has(error.code)) return error.code;
    if (error instanceof DomainError && error.status === 503) return 'PROVIDER_UNAVAILABLE';
    this.logger.error({ err: error, provider }, 'Sign-in callback failed');
    return 'INTERNAL_ERROR';
  }
}

function failed(provider: string, reason: string, error: unknown): AuditEvent {
  const detail = error instanceof ProviderError ? error.detail.slice(0, 64) : null;
  return { action: 'oauth.failed', outcome: 'failure', meta: { provider, reason, detail } };
}

/** The client page with the result's parameters added (its own query kept). */
function withParameters(uri: string, parameters: Record<string, string>): string {
  const url = new URL(uri);
  for (const [name, value] of Object.entries(parameters)) url.searchParams.set(name, value);
  return url.href;
}
