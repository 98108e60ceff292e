import { PASSWORD_MAX_LENGTH, passwordProblem } from './password-policy';

const context = {
  minLength: 8,
  minScore: 2,
  username: 'ada_lovelace',
  email: 'grace.hopper@example.com',
};

describe('passwordProblem', () => {
  it('accepts a long, uncommon password unrelated to the account', async () => {
    expect(await passwordProblem('Quiet-Lantern-Orbit-42', context)).toBeNull();
  });

  describe('length, counted in characters (code points), not UTF-16 units', () => {
    it('refuses one character short of the minimum', async () => {
      expect(await passwordProblem('Zq7#mXw', context)).toBe(
        'Password must be at least 8 characters',
      );
    });

    it('accepts exactly the minimum', async () => {
      expect(await passwordProblem('Zq7#mXwv', context)).toBeNull();
    });

    it('counts an emoji as one character', async () => {
      // 7 emoji are 14 UTF-16 units but only 7 characters.
      expect(await passwordProblem('🦊🌵🚲🎻🧊🪁🦉', context)).toMatch(/at least 8/);
      expect(await passwordProblem('🦊🌵🚲🎻🧊🪁🦉🐙', context)).toBeNull();
    });

    it(`allows up to ${PASSWORD_MAX_LENGTH} characters and refuses more`, async () => {
      const longest = 'Quiet-Lantern-Orbit-42-'.repeat(6).slice(0, PASSWORD_MAX_LENGTH - 1) + '🦊';
      expect([...longest]).toHaveLength(PASSWORD_MAX_LENGTH);
      expect(await passwordProblem(longest, context)).toBeNull();
      expect(await passwordProblem(longest + '🦊', context)).toBe(
        `Password must be at most ${PASSWORD_MAX_LENGTH} characters`,
      );
    });

    it('checks the length before the strength', async () => {
      expect(await passwordProblem('pass', context)).toBe('Password must be at least 8 characters');
    });

    it('honours a configured minimum above 8', async () => {
      const strict = { ...context, minLength: 15 };
      expect(await passwordProblem('Zq7#mXwvLp2!dR', strict)).toBe(
        'Password must be at least 15 characters',
      );
      expect(await passwordProblem('Zq7#mXwvLp2!dRk', strict)).toBeNull();
    });
  });

  describe('guessability, estimated by zxcvbn (default minimum score 2)', () => {
    it('accepts SecurePass123', async () => {
      expect(await passwordProblem('SecurePass123', context)).toBeNull();
    });

    it.each(['password123', 'admin123', 'letmein123', 'qwertyuiop1', 'P@ssw0rd!', 'iloveyou2'])(
      'refuses "%s" with a reason a person can act on',
      async (password) => {
        expect(await passwordProblem(password, context)).toMatch(/^[A-Z].{10,}\.$/);
      },
    );

    it("gives zxcvbn's own warning as the reason", async () => {
      expect(await passwordProblem('password123', context)).toBe(
        'This is a commonly used password.',
      );
      expect(await passwordProblem('P@ssw0rd!', context)).toBe(
        'This is similar to a commonly used password.',
      );
    });

    it('gives a generic reason when zxcvbn has no advice (it has none from score 3 up)', async () => {
      expect(await passwordProblem('Hopper2024!', { minLength: 8, minScore: 4 })).toBe(
        'Password is too easy to guess; use a longer one with uncommon words',
      );
    });

    it('honours the configured score: 0 turns the estimate off, 4 is stricter', async () => {
      expect(await passwordProblem('password123', { ...context, minScore: 0 })).toBeNull();
      expect(
        await passwordProblem('Quiet-Lantern-Orbit-42', { ...context, minScore: 4 }),
      ).toBeNull();
    });

    it('estimates a crafted long password (which zxcvbn alone would chew on for a second)', async () => {
      const crafted = '4@8({[</369&#!1/|0$5+7%2/'.repeat(6).slice(0, PASSWORD_MAX_LENGTH);
      expect(await passwordProblem(crafted, context)).toBeNull();
    });
  });

  describe("the account's own names", () => {
    it('refuses a password containing the username, in any case', async () => {
      expect(await passwordProblem('my-ADA_Lovelace-pw!', context)).toBe(
        'Password must not contain the username',
      );
      // However strong the rest: zxcvbn alone rates "x-<name>-x" at score 3.
      expect(await passwordProblem('ada_lovelace-Quiet-Lantern-Orbit-42', context)).toMatch(
        /username/,
      );
    });

    it("refuses a password containing the email's local part", async () => {
      expect(await passwordProblem('xx-Grace.Hopper-99', context)).toBe(
        'Password must not contain the email address',
      );
    });

    it('ignores names shorter than three characters for containment', async () => {
      expect(
        await passwordProblem('Quiet-Lantern-Orbit-42', {
          ...context,
          username: 'Qu',
          email: 'or@example.com',
        }),
      ).toBeNull();
    });

    it.each(['ecalevol_ada!', 'Lovelace1!', '4d4_l0v3l4c3', 'gr4ce.h0pper!', 'reppoh.ecarg!'])(
      'refuses "%s", derived from them, through zxcvbn\'s context words',
      async (password) => {
        expect(await passwordProblem(password, context)).toBe(
          'There should not be any personal or page related data.',
        );
        // Without the account it would pass: the refusal comes from the context.
        expect(await passwordProblem(password, { minLength: 8, minScore: 2 })).toBeNull();
      },
    );

    it('does not judge by the email domain', async () => {
      expect(await passwordProblem('example.com-Lantern-42', context)).toBeNull();
    });

    it('works without account context', async () => {
      expect(
        await passwordProblem('Quiet-Lantern-Orbit-42', { minLength: 8, minScore: 2 }),
      ).toBeNull();
    });
  });
});
