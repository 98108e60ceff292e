import { createPublicKey, sign, verify, createPrivateKey } from 'node:crypto';
import { testCrypto } from '../../test/support/crypto';

const OLD_KEK = 'an-earlier-key-encryption-key-0123456789';
const NEW_KEK = 'the-current-key-encryption-key-987654321';

describe('CryptoService: sealing private keys', () => {
  const crypto = testCrypto(undefined, OLD_KEK);

  it('opens what it sealed, only with the same context, and never shows the plaintext', () => {
    const sealed = crypto.seal('private key material', 'kid-1');
    expect(sealed).toMatch(/^v1\.[0-9a-f]{12}\.[\w-]{16}\.[\w-]+\.[\w-]{22}$/);
    expect(sealed).not.toContain('private');
    expect(crypto.open(sealed, 'kid-1')).toBe('private key material');
    expect(() => crypto.open(sealed, 'kid-2')).toThrow();
    expect(crypto.seal('private key material', 'kid-1')).not.toBe(sealed); // a fresh IV each time
  });

  it('refuses a changed ciphertext or tag', () => {
    const parts = crypto.seal('private key material', 'kid-1').split('.');
    const flip = (value: string) => (value[0] === 'A' ? 'B' : 'A') + value.slice(1);
    for (const index of [2, 3, 4]) {
      const tampered = parts.map((part, i) => (i === index ? flip(part) : part)).join('.');
      expect(() => crypto.open(tampered, 'kid-1')).toThrow();
    }
  });

  it('names its key-encryption key: a rotated one still opens old ciphertexts until rewrapped', () => {
    const sealed = crypto.seal('private key material', 'kid-1');
    const rotated = testCrypto(undefined, NEW_KEK, [OLD_KEK]);
    expect(rotated.open(sealed, 'kid-1')).toBe('private key material');
    expect(rotated.sealedByPreviousKey(sealed)).toBe(true);
    const rewrapped = rotated.seal(rotated.open(sealed, 'kid-1'), 'kid-1');
    expect(rotated.sealedByPreviousKey(rewrapped)).toBe(false);
    expect(() => testCrypto(undefined, NEW_KEK).open(sealed, 'kid-1')).toThrow(
      /unknown key-encryption key/,
    );
  });
});

describe('CryptoService: signing key pairs', () => {
  const crypto = testCrypto();

  it.each([
    ['ES256', { kty: 'EC', crv: 'P-256' }, 'sha256'],
    ['EdDSA', { kty: 'OKP', crv: 'Ed25519' }, null],
    ['RS256', { kty: 'RSA', e: 'AQAB' }, 'sha256'],
  ] as const)(
    'makes %s pairs whose public JWK verifies what the private key signs',
    (alg, shape, hash) => {
      const { publicJwk, privateKeyPem } = crypto.generateKeyPair(alg);
      expect(publicJwk).toMatchObject(shape);
      expect(publicJwk).not.toHaveProperty('d');
      const signature = sign(hash, Buffer.from('data'), createPrivateKey(privateKeyPem));
      const publicKey = createPublicKey(crypto.publicKeyPem(publicJwk));
      expect(verify(hash, Buffer.from('data'), publicKey, signature)).toBe(true);
      if (alg === 'RS256')
        expect(Buffer.from(publicJwk.n as string, 'base64url')).toHaveLength(256);
    },
  );

  it('computes RFC 7638 thumbprints (the RFC example)', () => {
    const jwk = {
      kty: 'RSA',
      n: '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw',
      e: 'AQAB',
      alg: 'RS256',
      kid: '2011-04-29',
    };
    expect(crypto.jwkThumbprint(jwk)).toBe('NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs');
  });
});
