import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { LessThan, Repository } from 'typeorm';
import * as client from 'openid-client';
import { CryptoService } from '../common/crypto.service';
import { Errors } from '../common/errors';
import { Transactions } from '../common/transactions';
import { FlowPurpose, OAuthFlow } from './oauth-flow.entity';
import type { FlowChecks } from './oauth-providers';
import { OAuthResult } from './oauth-result.entity';

export const FLOW_LIFETIME_SECONDS = 600;
export const RESULT_LIFETIME_SECONDS = 60;

/** What a flow is for: a sign-in (with `force`), or linking to the account `userId`. */
export interface FlowIntent {
  provider: string;
  purpose: FlowPurpose;
  userId: string | null;
  redirectUri: string;
  force: boolean;
}

/** A flow taken at its callback: its intent and the checks its code grant must pass. */
export interface TakenFlow extends FlowIntent {
  checks: FlowChecks;
}

/**
 * The server-side half of a sign-in: flows (state, nonce, PKCE verifier) between start and
 * callback, and results (the exchange code) between callback and exchange. Both are stored only
 * as SHA-256 of their secret and are taken with one conditional update, so of two racing
 * requests with the same state or code, one wins.
 */
@Injectable()
export class OAuthFlows {
  constructor(
    @InjectRepository(OAuthFlow) private readonly flows: Repository<OAuthFlow>,
    @InjectRepository(OAuthResult) private readonly results: Repository<OAuthResult>,
    private readonly crypto: CryptoService,
    private readonly transactions: Transactions,
  ) {}

  /** Records a new flow bound to `browser` (the cookie's value) and returns its checks. */
  async begin(intent: FlowIntent, browser: string): Promise<FlowChecks> {
    const checks: FlowChecks = {
      state: client.randomState(),
      nonce: client.randomNonce(),
      codeVerifier: client.randomPKCECodeVerifier(),
    };
    const stateHash = this.crypto.sha256(checks.state);
    const now = new Date();
    await this.transactions.run(async (manager) => {
      await manager.delete(OAuthFlow, { expiresAt: LessThan(now) });
      await manager.insert(OAuthFlow, {
        stateHash,
        browserHash: this.crypto.sha256(browser),
        ...intent,
        // The verifier is a secret until the code is spent: sealed, bound to its state.
        codeVerifier: this.crypto.seal(checks.codeVerifier, stateHash),
        nonce: checks.nonce,
        usedAt: null,
        createdAt: now,
        expiresAt: new Date(now.getTime() + FLOW_LIFETIME_SECONDS * 1000),
      });
    });
    return checks;
  }

  /**
   * Spends the flow of `state` when it was started for `provider` in this browser and is live.
   * OAUTH_STATE_INVALID otherwise: missing, unknown, used, expired, another browser's, or
   * another provider's (a mix-up).
   */
  async take(
    provider: string,
    state: string | undefined,
    browser: string | undefined,
  ): Promise<TakenFlow> {
    if (!state || !browser) throw Errors.oauthStateInvalid();
    const stateHash = this.crypto.sha256(state);
    const taken = await this.claim(
      OAuthFlow,
      'state_hash = :stateHash AND browser_hash = :browserHash AND provider = :provider',
      { stateHash, browserHash: this.crypto.sha256(browser), provider },
      { stateHash },
    );
    if (!taken) throw Errors.oauthStateInvalid();
    const { purpose, userId, redirectUri, force } = taken;
    return {
      provider,
      purpose,
      userId,
      redirectUri,
      force,
      checks: {
        state,
        nonce: taken.nonce,
        codeVerifier: this.crypto.open(taken.codeVerifier, stateHash),
      },
    };
  }

  /**
   * Marks the live, unused row `where` names as used, with one conditional update, and returns
   * it; null when there is none (unknown, used, expired) or a racing request took it first.
   */
  private claim<T extends OAuthFlow | OAuthResult>(
    entity: new () => T,
    where: string,
    parameters: Record<string, string>,
    key: Partial<T>,
  ): Promise<T | null> {
    const now = new Date();
    return this.transactions.run(async (manager) => {
      const claimed = await manager
        .createQueryBuilder()
        .update(entity)
        .set({ usedAt: now } as never)
        .where(`${where} AND used_at IS NULL AND expires_at > :now`, { ...parameters, now })
        .execute();
      return claimed.affected === 1 ? manager.findOneBy(entity, key as never) : null;
    });
  }

  /** The one-time code a sign-in's result is fetched with (60 s). */
  async issueResult(userId: string, provider: string, force: boolean): Promise<string> {
    const code = this.crypto.randomToken();
    const now = new Date();
    await this.transactions.run(async (manager) => {
      await manager.delete(OAuthResult, { expiresAt: LessThan(now) });
      await manager.insert(OAuthResult, {
        codeHash: this.crypto.sha256(code),
        userId,
        provider,
        force,
        usedAt: null,
        createdAt: now,
        expiresAt: new Date(now.getTime() + RESULT_LIFETIME_SECONDS * 1000),
      });
    });
    return code;
  }

  /** Spends a result's code; OAUTH_CODE_INVALID when unknown, used or expired. */
  async redeemResult(code: string): Promise<OAuthResult> {
    const codeHash = this.crypto.sha256(code);
    const result = await this.claim(
      OAuthResult,
      'code_hash = :codeHash',
      { codeHash },
      { codeHash },
    );
    if (!result) throw Errors.oauthCodeInvalid();
    return result;
  }
}
