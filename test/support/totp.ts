import { createHmac } from 'node:crypto';

/**
 * RFC 6238 TOTP written out for the tests, independent of the service's library (otplib): the
 * tests compute the codes a user's authenticator app would show.
 */

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32, as authenticator apps read the secret. */
export function base32Decode(text: string): Buffer {
  let bits = '';
  for (const char of text.replace(/=+$/, '').toUpperCase()) {
    const value = BASE32.indexOf(char);
    if (value < 0) throw new Error(`not base32: ${char}`);
    bits += value.toString(2).padStart(5, '0');
  }
  const bytes = bits.match(/.{8}/g) ?? [];
  return Buffer.from(bytes.map((byte) => parseInt(byte, 2)));
}

/** RFC 4226 HOTP with HMAC-SHA-1 and dynamic truncation. */
export function hotp(key: Buffer, counter: number, digits = 6): string {
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac('sha1', key).update(message).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 10 ** digits).padStart(digits, '0');
}

/** The 30-second step a time (ms since the epoch) falls in. */
export const stepAt = (ms: number) => Math.floor(ms / 1000 / 30);

/** The code of a base32 secret at a time (default: now, as Date says, which tests may move). */
export function totp(secret: string, at = Date.now(), digits = 6): string {
  return hotp(base32Decode(secret), stepAt(at), digits);
}
