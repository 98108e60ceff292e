import { EntityManager, EntityTarget, IsNull } from 'typeorm';
import type { CryptoService } from '../common/crypto.service';
import type { OneTimeTokenRecord } from './one-time-token.entity';

/**
 * Issue and consume single-use emailed tokens of one kind (verification or reset): 32 random
 * bytes, base64url, stored only as SHA-256; a newer token voids the user's older ones.
 */
export class OneTimeTokens<T extends OneTimeTokenRecord> {
  constructor(
    private readonly entity: EntityTarget<T>,
    private readonly crypto: CryptoService,
    private readonly lifetimeMs: number,
  ) {}

  /** Voids the user's unused tokens of this kind and returns a fresh one. Run in a transaction. */
  async issue(userId: string, manager: EntityManager): Promise<string> {
    const now = new Date();
    await this.voidAllOf(userId, manager, now);
    const token = this.crypto.randomToken();
    await manager.insert(this.entity, {
      id: this.crypto.uuid(),
      userId,
      tokenHash: this.crypto.sha256(token),
      expiresAt: new Date(now.getTime() + this.lifetimeMs),
      usedAt: null,
      createdAt: now,
    } as never);
    return token;
  }

  /**
   * Marks a live token used and returns its user id, or null when it is unknown, used or
   * expired. The conditional update makes exactly one of several racing callers win.
   */
  async consume(token: string, manager: EntityManager): Promise<string | null> {
    const now = new Date();
    const record = await manager.findOne(this.entity, {
      where: { tokenHash: this.crypto.sha256(token), usedAt: IsNull() } as never,
    });
    if (!record || record.expiresAt.getTime() <= now.getTime()) return null;
    const claimed = await manager
      .createQueryBuilder()
      .update(this.entity)
      .set({ usedAt: now } as never)
      .where('id = :id AND used_at IS NULL', { id: record.id })
      .execute();
    return claimed.affected === 1 ? record.userId : null;
  }

  async voidAllOf(userId: string, manager: EntityManager, now = new Date()): Promise<void> {
    await manager
      .createQueryBuilder()
      .update(this.entity)
      .set({ usedAt: now } as never)
      .where('user_id = :userId AND used_at IS NULL', { userId })
      .execute();
  }
}
