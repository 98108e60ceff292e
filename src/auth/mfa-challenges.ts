import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, LessThan, Repository } from 'typeorm';
import type { ClientInfo } from '../common/client-info';
import { CryptoService } from '../common/crypto.service';
import { DomainError, Errors } from '../common/errors';
import { Transactions } from '../common/transactions';
import { MfaService, PassedFactor, SecondFactorProof } from '../mfa/mfa.service';
import type { User } from '../users/user.entity';
import { UsersService } from '../users/users.service';
import { AuthService, LoginOutcome } from './auth.service';
import { LoginBackoff } from '../throttle/login-backoff';
import type { FirstFactor } from './login-completion';
import { MfaChallenge } from './mfa-challenge.entity';

export const MFA_TOKEN_LIFETIME_SECONDS = 300;
export const MFA_MAX_ATTEMPTS = 5;

/** What the password step answers when two-factor login is on. */
export interface MfaChallengeAnswer {
  mfa_required: true;
  mfa_token: string;
  mfa_methods: Array<'totp' | 'recovery_code'>;
  expires_in: number;
}

/** A login's second step that started a session: the session, and the factor it passed with. */
export interface PassedLogin extends LoginOutcome {
  userId: string;
  method: string;
  /** Events the factor caused in this request (a recovery code used); none on a forced retry. */
  events: PassedFactor['events'];
}

/**
 * The second step of a login with two-factor login on. The password step leaves an `mfa_token`
 * (five minutes, five codes). A right code marks it passed; the session then starts in the same
 * transaction that spends the token, so a 409 SESSION_ACTIVE leaves it passed, and a retry with
 * `force` needs no new code. Each code tried is counted before it is checked, so racing requests
 * cannot try more than five; wrong codes also count toward the account's login back-off.
 */
@Injectable()
export class MfaChallenges {
  constructor(
    @InjectRepository(MfaChallenge) private readonly challenges: Repository<MfaChallenge>,
    private readonly mfa: MfaService,
    private readonly auth: AuthService,
    private readonly users: UsersService,
    private readonly backoff: LoginBackoff,
    private readonly crypto: CryptoService,
    private readonly transactions: Transactions,
  ) {}

  async issue(user: User, firstFactor: FirstFactor): Promise<MfaChallengeAnswer> {
    const token = this.crypto.randomToken();
    const now = new Date();
    await this.transactions.run(async (manager) => {
      // The user's spent and stale logins go as a new one comes.
      await manager.delete(MfaChallenge, { userId: user.id, expiresAt: LessThan(now) });
      await manager.insert(MfaChallenge, {
        tokenHash: this.crypto.sha256(token),
        userId: user.id,
        passwordFingerprint: this.crypto.sha256(user.passwordHash ?? ''),
        firstFactor,
        attempts: 0,
        passedWith: null,
        usedAt: null,
        createdAt: now,
        expiresAt: new Date(now.getTime() + MFA_TOKEN_LIFETIME_SECONDS * 1000),
      });
    });
    return {
      mfa_required: true,
      mfa_token: token,
      mfa_methods: ['totp', 'recovery_code'],
      expires_in: MFA_TOKEN_LIFETIME_SECONDS,
    };
  }

  async pass(
    token: string,
    proof: SecondFactorProof,
    client: ClientInfo,
    force: boolean,
  ): Promise<PassedLogin> {
    const tokenHash = this.crypto.sha256(token);
    const challenge = await this.challenges.findOneBy({ tokenHash });
    const user = challenge && (await this.users.findById(challenge.userId));
    // A password changed since the first step voids the login.
    if (
      !challenge ||
      !user ||
      !this.live(challenge) ||
      !this.crypto.safeEqual(this.crypto.sha256(user.passwordHash ?? ''), challenge.passwordFingerprint)
    )
      throw Errors.mfaTokenInvalid().concerning({ userId: challenge?.userId });
    await this.backoff.assertNotBlocked(user.email);
    let passed: PassedFactor | null = null;
    if (!challenge.passedWith) {
      passed = await this.check(challenge, user, proof);
      await this.backoff.clear(user.email);
    }
    const method = passed?.method ?? challenge.passedWith ?? 'totp';
    const events = passed?.events ?? [];
    try {
      const outcome = await this.auth.login(user, client, {
        force,
        amr: [challenge.firstFactor, 'otp'],
        within: (manager) => this.spend(manager, tokenHash),
      });
      return { ...outcome, userId: user.id, method, events };
    } catch (error) {
      // The factor passed even so: its events (a recovery code used) are recorded.
      if (error instanceof DomainError)
        throw error.concerning({ userId: user.id, meta: { method, passed: true }, events });
      throw error;
    }
  }

  /** Counts the attempt, then checks the code; a wrong one also counts toward back-off. */
  private async check(
    challenge: MfaChallenge,
    user: User,
    proof: SecondFactorProof,
  ): Promise<PassedFactor> {
    const facts = {
      userId: user.id,
      meta: { method: proof.recoveryCode === undefined ? 'totp' : 'recovery_code' },
    };
    if (proof.totp === undefined && proof.recoveryCode === undefined)
      throw Errors.mfaCodeRequired().concerning(facts);
    if (!(await this.countAttempt(challenge.tokenHash)))
      throw Errors.mfaTokenInvalid().concerning(facts);
    const passed = await this.mfa.verify(user, proof);
    if (!passed) {
      await this.backoff.recordFailure(user.email);
      throw Errors.mfaCodeInvalid().concerning(facts);
    }
    await this.challenges.update({ tokenHash: challenge.tokenHash }, { passedWith: passed.method });
    return passed;
  }

  private async countAttempt(tokenHash: string): Promise<boolean> {
    const counted = await this.transactions.run((manager) =>
      manager
        .createQueryBuilder()
        .update(MfaChallenge)
        .set({ attempts: () => 'attempts + 1' })
        .where(
          'token_hash = :tokenHash AND attempts < :max AND passed_with IS NULL AND used_at IS NULL AND expires_at > :now',
          { tokenHash, max: MFA_MAX_ATTEMPTS, now: new Date() },
        )
        .execute(),
    );
    return counted.affected === 1;
  }

  /** Spends the token in the session's transaction: of racing retries, one starts a session. */
  private async spend(manager: EntityManager, tokenHash: string): Promise<void> {
    const spent = await manager
      .createQueryBuilder()
      .update(MfaChallenge)
      .set({ usedAt: new Date() })
      .where(
        'token_hash = :tokenHash AND passed_with IS NOT NULL AND used_at IS NULL AND expires_at > :now',
        { tokenHash, now: new Date() },
      )
      .execute();
    if (spent.affected !== 1) throw Errors.mfaTokenInvalid();
  }

  private live(challenge: MfaChallenge): boolean {
    return (
      challenge.usedAt === null &&
      challenge.expiresAt.getTime() > Date.now() &&
      (challenge.passedWith !== null || challenge.attempts < MFA_MAX_ATTEMPTS)
    );
  }
}
