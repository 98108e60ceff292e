import { normaliseRecoveryCode } from './recovery-codes';

describe('recovery codes as typed', () => {
  it('ignore case, spaces and hyphens', () => {
    expect(normaliseRecoveryCode(' 7K2M-Q9XD 4hvc-t8n3-pw6e-r1sb ')).toBe(
      '7k2mq9xd4hvct8n3pw6er1sb',
    );
  });

  it('read the letters Crockford base32 leaves out as the digits they look like', () => {
    expect(normaliseRecoveryCode('iIlLoO')).toBe('111100');
  });
});
