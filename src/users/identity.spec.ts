import { normaliseEmail } from '../common/email';
import { normaliseUsername, USERNAME_PATTERN, usernameKey } from './identity';

describe('usernames', () => {
  it('are NFKC-normalised: full-width letters and digits become ASCII', () => {
    expect(normaliseUsername('ａｄａ＿ｌｏｖｅｌａｃｅ１８１５')).toBe('ada_lovelace1815');
  });

  it('are NFKC-normalised: compatibility ligatures are split', () => {
    expect(normaliseUsername('ﬁsh')).toBe('fish');
  });

  it('are trimmed', () => {
    expect(normaliseUsername('  ada  ')).toBe('ada');
  });

  it('keep their case for display', () => {
    expect(normaliseUsername('Ada_Lovelace')).toBe('Ada_Lovelace');
  });

  it('share one key without regard to case or width', () => {
    expect(usernameKey('Ada_Lovelace')).toBe('ada_lovelace');
    expect(usernameKey('ＡＤＡ_lovelace')).toBe(usernameKey('ada_LOVELACE'));
  });

  it.each(['ada', 'ada_lovelace', 'a.b-c_d', 'A1B2C3', 'x'.repeat(32)])('accept "%s"', (name) => {
    expect(USERNAME_PATTERN.test(normaliseUsername(name))).toBe(true);
  });

  it.each(['ab', 'x'.repeat(33), 'ada lovelace', 'ada@home', 'ada/..', '<ada>', ''])(
    'refuse "%s"',
    (name) => {
      expect(USERNAME_PATTERN.test(normaliseUsername(name))).toBe(false);
    },
  );

  it('accept a full-width name once normalised', () => {
    expect(USERNAME_PATTERN.test('ａｄａ')).toBe(false);
    expect(USERNAME_PATTERN.test(normaliseUsername('ａｄａ'))).toBe(true);
  });
});

describe('emails', () => {
  it('are trimmed and lower-cased', () => {
    expect(normaliseEmail('  Ada.Lovelace@Example.COM \n')).toBe('ada.lovelace@example.com');
  });
});
