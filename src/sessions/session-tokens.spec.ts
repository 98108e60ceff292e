import { testCrypto } from '../../test/support/crypto';
import { newRefreshToken, sessionIdOfRefreshToken } from './session-tokens';

const SESSION_ID = '3f2b8c1e-5d4a-4e6f-9a7b-0c1d2e3f4a5b';

/** The token with one character of the given part (0 sid, 1 random, 2 mac) changed. */
function changeOneChar(token: string, part: number): string {
  const parts = token.split('.');
  const chars = [...parts[part]];
  chars[3] = chars[3] === 'a' ? 'b' : 'a';
  parts[part] = chars.join('');
  return parts.join('.');
}

describe('refresh tokens', () => {
  const crypto = testCrypto('unit-test-secret-key-of-enough-length');

  it('are <session id>.<32 random bytes>.<mac>, different every time', () => {
    const token = newRefreshToken(crypto, SESSION_ID);
    const [sid, random, mac] = token.split('.');
    expect(sid).toBe(SESSION_ID);
    expect(Buffer.from(random, 'base64url')).toHaveLength(32);
    expect(mac).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(newRefreshToken(crypto, SESSION_ID)).not.toBe(token);
  });

  it('name their session when they are ours', () => {
    expect(sessionIdOfRefreshToken(crypto, newRefreshToken(crypto, SESSION_ID))).toBe(SESSION_ID);
  });

  it.each([
    ['the session id', 0],
    ['the random part', 1],
    ['the mac', 2],
  ])('are refused with one character of %s changed', (_name, part) => {
    const token = newRefreshToken(crypto, SESSION_ID);
    expect(sessionIdOfRefreshToken(crypto, changeOneChar(token, part))).toBeNull();
  });

  it('are refused when another key made them', () => {
    const foreign = newRefreshToken(testCrypto('another-secret-key-of-enough-length'), SESSION_ID);
    expect(sessionIdOfRefreshToken(crypto, foreign)).toBeNull();
  });

  it('are refused when the session id is swapped for another', () => {
    const [, random, mac] = newRefreshToken(crypto, SESSION_ID).split('.');
    const other = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d';
    expect(sessionIdOfRefreshToken(crypto, `${other}.${random}.${mac}`)).toBeNull();
  });

  it.each([
    ['empty', ''],
    ['garbage', 'garbage'],
    ['two parts', `${SESSION_ID}.abc`],
    ['four parts', `${SESSION_ID}.a.b.c`],
    ['a non-uuid id', 'session.abc.def'],
  ])('are refused when %s', (_name, token) => {
    expect(sessionIdOfRefreshToken(crypto, token)).toBeNull();
  });

  it('are refused when an upper-cased copy of our own id carries a valid mac for it', () => {
    const upper = SESSION_ID.toUpperCase();
    const body = `${upper}.${crypto.randomToken()}`;
    const token = `${body}.${crypto.mac(`refresh:${body}`)}`;
    expect(sessionIdOfRefreshToken(crypto, token)).toBeNull();
  });
});
