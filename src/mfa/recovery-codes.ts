import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, IsNull, Repository } from 'typeorm';
import { CryptoService } from '../common/crypto.service';
import { Transactions } from '../common/transactions';
import { RecoveryCode } from './recovery-code.entity';

export const RECOVERY_CODE_COUNT = 10;
/** Crockford's base32 alphabet (no i, l, o, u): 24 characters carry 120 random bits. */
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
const LENGTH = 24;

/** What a user typed, as it was issued: case, spaces and hyphens ignored, i/l read as 1, o as 0. */
export function normaliseRecoveryCode(typed: string): string {
  return typed.toLowerCase().replace(/[\s-]/g, '').replace(/[il]/g, '1').replace(/o/g, '0');
}

/**
 * Single-use recovery codes. Each has 120 bits from the CSPRNG, so a fast hash (SHA-256) is
 * enough to store it (ASVS 5.0 6.5.2: at least 112 bits of entropy with a fast hash); codes are
 * shown in groups of four for typing.
 */
@Injectable()
export class RecoveryCodes {
  constructor(
    @InjectRepository(RecoveryCode) private readonly codes: Repository<RecoveryCode>,
    private readonly crypto: CryptoService,
    private readonly transactions: Transactions,
  ) {}

  /** A new set for the user; the old set is void. Returns the codes, for showing once. */
  async replaceAllOf(userId: string, manager: EntityManager): Promise<string[]> {
    await this.voidAllOf(userId, manager);
    const now = new Date();
    const issued = Array.from({ length: RECOVERY_CODE_COUNT }, () =>
      this.crypto.randomCode(LENGTH, ALPHABET),
    );
    await manager.insert(
      RecoveryCode,
      issued.map((code) => ({
        id: this.crypto.uuid(),
        userId,
        codeHash: this.crypto.sha256(code),
        usedAt: null,
        createdAt: now,
      })),
    );
    return issued.map((code) => code.match(/.{4}/g)!.join('-'));
  }

  voidAllOf(userId: string, manager: EntityManager): Promise<unknown> {
    return manager.delete(RecoveryCode, { userId });
  }

  /** Uses the code if it is one of the user's unused ones; of racing uses, one wins. */
  async consume(userId: string, typed: string): Promise<boolean> {
    const code = normaliseRecoveryCode(typed);
    if (code.length !== LENGTH) return false;
    const result = await this.transactions.run((manager) =>
      manager
        .createQueryBuilder()
        .update(RecoveryCode)
        .set({ usedAt: new Date() })
        .where('user_id = :userId AND code_hash = :codeHash AND used_at IS NULL', {
          userId,
          codeHash: this.crypto.sha256(code),
        })
        .execute(),
    );
    return result.affected === 1;
  }

  remaining(userId: string): Promise<number> {
    return this.codes.countBy({ userId, usedAt: IsNull() });
  }
}
