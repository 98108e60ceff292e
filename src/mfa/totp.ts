import { generateSecret, generateURI, verify } from 'otplib';
import { toString as qrCode } from 'qrcode';

/** What an authenticator app shows: six digits. Anything else is not worth a check. */
export const TOTP_CODE = /^\d{6}$/;

/** RFC 6238 through otplib: SHA-1, 6 digits, 30 s steps, the authenticator apps' defaults. */
export const Totp = {
  /** A new 160-bit secret, base32 (RFC 4226's recommended length). */
  newSecret(): string {
    return generateSecret({ length: 20 });
  },

  /** The otpauth:// URI an authenticator app scans, and the same as an SVG QR code. */
  async enrolment(
    issuer: string,
    account: string,
    secret: string,
  ): Promise<{ uri: string; svg: string }> {
    const uri = generateURI({ issuer, label: account, secret });
    return { uri, svg: await qrCode(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 }) };
  },

  /**
   * The time step `code` belongs to, if it is one of now's, the one before or the one after,
   * and later than `after` (the last step accepted); otherwise null.
   */
  async stepOf(secret: string, code: string, after: number | null): Promise<number | null> {
    if (!TOTP_CODE.test(code)) return null;
    try {
      const result = await verify({
        secret,
        token: code,
        epochTolerance: 30,
        afterTimeStep: after ?? undefined,
      });
      return result.valid && 'timeStep' in result ? result.timeStep : null;
    } catch {
      return null; // e.g. `after` lies beyond the window (a clock set back): no code matches
    }
  },
};
