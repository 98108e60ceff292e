import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PASSWORD_MAX_LENGTH, passwordProblem } from './password-policy';

const context = { minLength: 8, username: 'ada_lovelace', email: 'grace.hopper@example.com' };

describe('passwordProblem', () => {
  it('accepts a long, uncommon password unrelated to the account', () => {
    expect(passwordProblem('Quiet-Lantern-Orbit-42', context)).toBeNull();
  });

  describe('length, counted in characters (code points), not UTF-16 units', () => {
    it('refuses one character short of the minimum', () => {
      expect(passwordProblem('Zq7#mXw', context)).toBe('Password must be at least 8 characters');
    });

    it('accepts exactly the minimum', () => {
      expect(passwordProblem('Zq7#mXwv', context)).toBeNull();
    });

    it('counts an emoji as one character', () => {
      // 7 emoji are 14 UTF-16 units but only 7 characters.
      expect(passwordProblem('🦊🌵🚲🎻🧊🪁🦉', context)).toMatch(/at least 8/);
      expect(passwordProblem('🦊🌵🚲🎻🧊🪁🦉🐙', context)).toBeNull();
    });

    it(`allows up to ${PASSWORD_MAX_LENGTH} characters and refuses more`, () => {
      expect(passwordProblem('🦊'.repeat(PASSWORD_MAX_LENGTH), context)).toBeNull();
      expect(passwordProblem('🦊'.repeat(PASSWORD_MAX_LENGTH + 1), context)).toBe(
        `Password must be at most ${PASSWORD_MAX_LENGTH} characters`,
      );
    });

    it('honours a configured minimum above 8', () => {
      const strict = { ...context, minLength: 15 };
      expect(passwordProblem('Zq7#mXwvLp2!dR', strict)).toBe(
        'Password must be at least 15 characters',
      );
      expect(passwordProblem('Zq7#mXwvLp2!dRk', strict)).toBeNull();
    });
  });

  describe('common passwords', () => {
    it.each(['password', 'password1', 'qwerty123', 'iloveyou', 'letmein1'])(
      'refuses "%s"',
      (password) => {
        expect(passwordProblem(password, context)).toBe(
          'Password is too common; choose a less guessable one',
        );
      },
    );

    it('compares without regard to case', () => {
      expect(passwordProblem('PassWord1', context)).toMatch(/too common/);
    });

    it('ships a list of at least 10,000 entries', () => {
      // Entries from the far end of the list are refused too, so the whole list is loaded.
      const list = readFileSync(join(__dirname, 'common-passwords.txt'), 'utf8')
        .split('\n')
        .filter((line) => line !== '' && !line.startsWith('#'));
      expect(list.length).toBeGreaterThanOrEqual(10_000);
      const lastLongEnough = [...list].reverse().find((entry) => [...entry].length >= 8);
      expect(passwordProblem(lastLongEnough as string, context)).toMatch(/too common/);
    });
  });

  describe("the account's own names", () => {
    it('refuses a password containing the username, in any case', () => {
      expect(passwordProblem('my-ADA_Lovelace-pw!', context)).toBe(
        'Password must not contain the username',
      );
    });

    it("refuses a password containing the email's local part", () => {
      expect(passwordProblem('xx-Grace.Hopper-99', context)).toBe(
        'Password must not contain the email address',
      );
    });

    it('does not judge by the email domain', () => {
      expect(passwordProblem('example.com-Lantern-42', context)).toBeNull();
    });

    it('ignores names shorter than three characters', () => {
      expect(
        passwordProblem('Quiet-Lantern-Orbit-42', {
          minLength: 8,
          username: 'Qu',
          email: 'or@example.com',
        }),
      ).toBeNull();
    });

    it('works without account context', () => {
      expect(passwordProblem('Quiet-Lantern-Orbit-42', { minLength: 8 })).toBeNull();
    });
  });
});
