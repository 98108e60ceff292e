import { generateSync } from 'otplib';
import { base32Decode, hotp, totp } from '../support/totp';

// RFC 6238 appendix B, the SHA-1 rows: the test-support TOTP is sound before the e2e suites trust it.
describe('the tests’ own TOTP', () => {
  const seed = Buffer.from('12345678901234567890', 'ascii');

  it.each([
    [59, '94287082'],
    [1111111109, '07081804'],
    [1111111111, '14050471'],
    [1234567890, '89005924'],
    [2000000000, '69279037'],
    [20000000000, '65353130'],
  ])('at T=%i gives %s (RFC 6238)', (seconds, expected) => {
    expect(hotp(seed, Math.floor(seconds / 30), 8)).toBe(expected);
  });

  it('decodes base32 as RFC 4648 does', () => {
    expect(base32Decode('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ').toString('ascii')).toBe(
      '12345678901234567890',
    );
  });

  it('agrees with the service’s library on a random secret', () => {
    const secret = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
    const at = 1_800_000_000_000;
    expect(totp(secret, at)).toBe(generateSync({ secret, epoch: at / 1000 }));
  });
});
