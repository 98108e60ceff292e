import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { CryptoService } from '../common/crypto.service';
import { Transactions } from '../common/transactions';
import { REFUSAL_FOR_STATUS, refuse } from './session-check';
import { newRefreshToken, sessionIdOfRefreshToken } from './session-tokens';
import { Session } from './session.entity';
import { IssuedSession, SessionsService } from './sessions.service';

/** Refresh-token rotation, with reuse detection. */
@Injectable()
export class SessionRotation {
  constructor(
    @InjectRepository(Session) private readonly sessions: Repository<Session>,
    private readonly lifecycle: SessionsService,
    private readonly transactions: Transactions,
    private readonly crypto: CryptoService,
  ) {}

  /**
   * Trades a refresh token for a new one. A token of ours that is no longer the current one
   * (already used, or used by a racing request a moment ago) is reuse: the whole session is
   * revoked. Refusals say which session they concerned (for the audit row).
   */
  async rotate(refreshToken: string): Promise<IssuedSession> {
    const sessionId = sessionIdOfRefreshToken(this.crypto, refreshToken);
    const session = sessionId ? await this.sessions.findOneBy({ id: sessionId }) : null;
    if (!session) throw refuse('TOKEN_INVALID');
    const facts = { userId: session.userId, meta: { session_id: session.id } };
    if (session.status !== 'active')
      throw refuse(REFUSAL_FOR_STATUS[session.status]).concerning(facts);
    if (session.expiresAt.getTime() <= Date.now()) {
      await this.lifecycle.endSessions({ id: session.id }, 'expired');
      throw refuse('TOKEN_EXPIRED').concerning(facts);
    }
    const presentedHash = this.crypto.sha256(refreshToken);
    const next = newRefreshToken(this.crypto, session.id);
    const rotated =
      this.crypto.safeEqual(presentedHash, session.refreshTokenHash) &&
      (await this.swapHash(session.id, presentedHash, this.crypto.sha256(next)));
    if (!rotated) {
      await this.lifecycle.endSessions({ id: session.id }, 'revoked');
      throw refuse('SESSION_REVOKED').concerning({
        ...facts,
        events: [{ action: 'token.reuse', outcome: 'failure', meta: facts.meta }],
      });
    }
    return { session, refreshToken: next };
  }

  /** Swaps the hash only if the presented token is still the current one of an active session. */
  private swapHash(sessionId: string, presentedHash: string, nextHash: string): Promise<boolean> {
    return this.transactions.run(async (manager) => {
      const result = await manager
        .createQueryBuilder()
        .update(Session)
        .set({ refreshTokenHash: nextHash, lastSeenAt: new Date() })
        .where("id = :sessionId AND refresh_token_hash = :presentedHash AND status = 'active'", {
          sessionId,
          presentedHash,
        })
        .execute();
      return result.affected === 1;
    });
  }
}
