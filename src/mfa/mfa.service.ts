import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, Not, Repository } from 'typeorm';
import { CryptoService } from '../common/crypto.service';
import { AuditEvent, AuditFacts, Errors } from '../common/errors';
import { Transactions } from '../common/transactions';
import { mfaConfig } from '../config/mfa.config';
import { MailService, mailTimestamp } from '../mail/mail.service';
import { LoginBackoff } from '../throttle/login-backoff';
import type { User } from '../users/user.entity';
import { UsersService } from '../users/users.service';
import { RecoveryCodes } from './recovery-codes';
import { Totp, TOTP_CODE } from './totp';
import { TotpCredential } from './totp-credential.entity';

export type SecondFactorMethod = 'totp' | 'recovery_code';

/** A second factor as a request gives it: a TOTP code or a recovery code. */
export interface SecondFactorProof {
  totp?: string;
  recoveryCode?: string;
}

/** A second factor that passed (and was spent), with the audit events it caused. */
export interface PassedFactor {
  method: SecondFactorMethod;
  events: AuditEvent[];
}

export interface MfaStatus {
  totp: { enabled: boolean; enabled_at: string | null };
  recovery_codes: { remaining: number };
}

export interface TotpEnrolment {
  secret: string;
  otpauth_uri: string;
  qr_svg: string;
}

/** A `code` field that takes either kind: six digits are a TOTP code, anything else a recovery code. */
export function proofOf(code: string): SecondFactorProof {
  return TOTP_CODE.test(code) ? { totp: code } : { recoveryCode: code };
}

/**
 * Two-factor login: TOTP enrolment, recovery codes, and checking a second factor, which every
 * login path (through LoginCompletion) and every sensitive change calls. A TOTP code is
 * accepted once: the last accepted time step is recorded with a conditional update, so of two
 * requests with one code, one wins. The secret is sealed under KEY_ENCRYPTION_KEY with the user
 * id as associated data.
 */
@Injectable()
export class MfaService {
  constructor(
    @InjectRepository(TotpCredential) private readonly totp: Repository<TotpCredential>,
    @Inject(mfaConfig.KEY) private readonly config: ConfigType<typeof mfaConfig>,
    private readonly recoveryCodes: RecoveryCodes,
    private readonly users: UsersService,
    private readonly crypto: CryptoService,
    private readonly transactions: Transactions,
    private readonly mail: MailService,
    private readonly backoff: LoginBackoff,
  ) {}

  async status(userId: string): Promise<MfaStatus> {
    const credential = await this.enabledCredentialOf(userId);
    return {
      totp: {
        enabled: credential !== null,
        enabled_at: credential?.enabledAt?.toISOString() ?? null,
      },
      recovery_codes: { remaining: credential ? await this.recoveryCodes.remaining(userId) : 0 },
    };
  }

  async isEnabled(userId: string): Promise<boolean> {
    return (await this.enabledCredentialOf(userId)) !== null;
  }

  /** A new pending secret (replacing a pending one), after the password; on until confirmed. */
  async setup(userId: string, password: string): Promise<TotpEnrolment> {
    const user = await this.users.findByIdWithPassword(userId, password);
    if (await this.isEnabled(userId)) throw Errors.mfaAlreadyEnabled();
    const secret = Totp.newSecret();
    const pending: TotpCredential = {
      userId,
      secret: this.crypto.seal(secret, userId),
      enabledAt: null,
      lastStep: null,
      createdAt: new Date(),
    };
    await this.transactions.run(async (manager) => {
      // Only a pending setup is replaced: one confirmed meanwhile stays.
      await manager.delete(TotpCredential, { userId, enabledAt: IsNull() });
      await manager.insert(TotpCredential, pending);
    });
    const { uri, svg } = await Totp.enrolment(this.config.issuer, user.email, secret);
    return { secret, otpauth_uri: uri, qr_svg: svg };
  }

  /** Turns TOTP on with a first code (its step counts as used); returns the recovery codes. */
  async confirm(userId: string, code: string): Promise<string[]> {
    const credential = await this.totp.findOneBy({ userId });
    if (credential?.enabledAt) throw Errors.mfaAlreadyEnabled();
    if (!credential) throw Errors.mfaNotEnabled();
    const step = await Totp.stepOf(this.crypto.open(credential.secret, userId), code, null);
    if (step === null) throw Errors.mfaCodeInvalid();
    const codes = await this.transactions.run(async (manager) => {
      const confirmed = await manager
        .createQueryBuilder()
        .update(TotpCredential)
        .set({ enabledAt: new Date(), lastStep: step })
        .where('user_id = :userId AND enabled_at IS NULL AND secret = :secret', {
          userId,
          secret: credential.secret,
        })
        .execute();
      // A racing confirm won, or a new setup replaced this secret.
      if (confirmed.affected !== 1) throw Errors.mfaNotEnabled();
      return this.recoveryCodes.replaceAllOf(userId, manager);
    });
    await this.tell(userId, 'Two-factor login was turned on for your account');
    return codes;
  }

  /** Turns two-factor login off, after the password and a code (TOTP or recovery code). */
  async disable(userId: string, password: string, code: string): Promise<PassedFactor> {
    const user = await this.users.findByIdWithPassword(userId, password);
    const passed = await this.requireEnabledAndPassed(user, code);
    await this.turnOff(userId);
    await this.tell(userId, 'Two-factor login was turned off for your account');
    return passed;
  }

  /** A new set of recovery codes, after the password and a code; the old set is void. */
  async regenerateRecoveryCodes(
    userId: string,
    password: string,
    code: string,
  ): Promise<PassedFactor & { codes: string[] }> {
    const user = await this.users.findByIdWithPassword(userId, password);
    const passed = await this.requireEnabledAndPassed(user, code);
    const codes = await this.transactions.run((manager) =>
      this.recoveryCodes.replaceAllOf(userId, manager),
    );
    await this.tell(
      userId,
      'New recovery codes were made for your account; the old ones no longer work',
    );
    return { ...passed, codes };
  }

  /**
   * An administrator turns the user's two-factor login off (a lost phone and lost codes): the
   * secret and the recovery codes are deleted and the user is mailed. Returns the facts of the
   * `mfa.reset` audit row.
   */
  async resetByAdmin(userId: string, actorId: string, reason: string): Promise<AuditFacts> {
    if (!(await this.turnOff(userId))) throw Errors.mfaNotEnabled().concerning({ userId });
    await this.tell(userId, 'An administrator turned two-factor login off for your account');
    return { userId, meta: { actor_id: actorId, reason } };
  }

  /**
   * For a sensitive change (password change): with TOTP on, `code` must be a valid code or
   * recovery code, and is spent. Null when two-factor login is off.
   */
  async requireSecondFactorFor(user: User, code: string | undefined): Promise<PassedFactor | null> {
    if (!(await this.isEnabled(user.id))) return null;
    if (code === undefined) throw Errors.mfaCodeRequired();
    return this.spend(user, code);
  }

  /**
   * Checks and spends a second factor of a user with TOTP on: a TOTP code of a step later than
   * the last accepted one (±1 step of now), or an unused recovery code (the user is mailed).
   * Null when it does not pass.
   */
  async verify(user: Pick<User, 'id'>, proof: SecondFactorProof): Promise<PassedFactor | null> {
    if (proof.recoveryCode !== undefined) {
      if (!(await this.isEnabled(user.id))) return null;
      if (!(await this.recoveryCodes.consume(user.id, proof.recoveryCode))) return null;
      const remaining = await this.recoveryCodes.remaining(user.id);
      await this.tell(
        user.id,
        `A recovery code was used to sign in or to confirm a change (${remaining} left)`,
      );
      return {
        method: 'recovery_code',
        events: [{ action: 'mfa.recovery_code.used', outcome: 'success', meta: { remaining } }],
      };
    }
    const credential = await this.enabledCredentialOf(user.id);
    if (!credential || proof.totp === undefined) return null;
    const secret = this.crypto.open(credential.secret, user.id);
    const step = await Totp.stepOf(secret, proof.totp, credential.lastStep);
    if (step === null) return null;
    const recorded = await this.transactions.run((manager) =>
      manager
        .createQueryBuilder()
        .update(TotpCredential)
        .set({ lastStep: step })
        .where(
          'user_id = :userId AND enabled_at IS NOT NULL AND (last_step IS NULL OR last_step < :step)',
          { userId: user.id, step },
        )
        .execute(),
    );
    // A racing request accepted this step (or a later one) first: this use is a replay.
    return recorded.affected === 1 ? { method: 'totp', events: [] } : null;
  }

  private async requireEnabledAndPassed(user: User, code: string): Promise<PassedFactor> {
    if (!(await this.isEnabled(user.id))) throw Errors.mfaNotEnabled();
    return this.spend(user, code);
  }

  /**
   * Checks and spends `code` (TOTP or recovery code); MFA_CODE_INVALID when it does not pass. A
   * wrong code counts toward the account's login back-off, as at the login's two-factor step, so
   * a stolen session plus the password cannot try codes without end (429 once blocked).
   */
  private async spend(user: User, code: string): Promise<PassedFactor> {
    await this.backoff.assertNotBlocked(user.email);
    const passed = await this.verify(user, proofOf(code));
    if (!passed) {
      await this.backoff.recordFailure(user.email);
      throw Errors.mfaCodeInvalid();
    }
    return passed;
  }

  /** Deletes the secret and the recovery codes; whether two-factor login was on. */
  private turnOff(userId: string): Promise<boolean> {
    return this.transactions.run(async (manager) => {
      const deleted = await manager.delete(TotpCredential, { userId, enabledAt: Not(IsNull()) });
      await this.recoveryCodes.voidAllOf(userId, manager);
      return deleted.affected === 1;
    });
  }

  private enabledCredentialOf(userId: string): Promise<TotpCredential | null> {
    return this.totp.findOneBy({ userId, enabledAt: Not(IsNull()) });
  }

  private async tell(userId: string, event: string): Promise<void> {
    const user = await this.users.findById(userId);
    if (!user) return;
    this.mail.sendInBackground('two-factor', user.email, {
      username: user.username,
      event,
      when: mailTimestamp(new Date()),
    });
  }
}
