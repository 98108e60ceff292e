import type { CryptoService } from '../common/crypto.service';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Refresh tokens: `<session id>.<32 random bytes>.<MAC>`, opaque to clients and stored only as
 * SHA-256. The MAC proves a presented token was issued by us, so an old (rotated) token can be
 * recognised as reuse without keeping every past hash, and a forged one cannot revoke a session.
 */
export function newRefreshToken(crypto: CryptoService, sessionId: string): string {
  const body = `${sessionId}.${crypto.randomToken()}`;
  return `${body}.${crypto.mac(`refresh:${body}`)}`;
}

/** The session id of a refresh token we issued, or null for anything else. */
export function sessionIdOfRefreshToken(crypto: CryptoService, token: string): string | null {
  const parts = token.split('.');
  if (parts.length !== 3 || !UUID.test(parts[0])) return null;
  const body = `${parts[0]}.${parts[1]}`;
  return crypto.safeEqual(parts[2], crypto.mac(`refresh:${body}`)) ? parts[0] : null;
}
