import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import type * as CommonLanguage from '@zxcvbn-ts/language-common';
import type * as EnglishLanguage from '@zxcvbn-ts/language-en';

export const PASSWORD_MAX_LENGTH = 128;

/**
 * zxcvbn's defaults let one crafted 128-character password hold the event loop for over a
 * second. Only the first 64 UTF-16 units are estimated (a password whose start is strong is
 * strong), and few l33t substitutions are tried per word (3 finds the same common passwords as
 * the default 100 in our measurements), which bounds a check to tens of milliseconds.
 */
const ESTIMATED_LENGTH = 64;
const L33T_MAX_SUBSTITUTIONS = 3;

const GENERIC_ADVICE = 'Password is too easy to guess; use a longer one with uncommon words';

let estimator: ZxcvbnFactory | undefined;

/** Built on first use: the dictionaries cost ~0.2 s and ~25 MB of heap, so not at import. */
function passwordEstimator(): ZxcvbnFactory {
  if (!estimator) {
    /* eslint-disable @typescript-eslint/no-require-imports -- required here, not imported, so
       that they load on the first check rather than when the module is imported */
    const common = require('@zxcvbn-ts/language-common') as typeof CommonLanguage;
    const english = require('@zxcvbn-ts/language-en') as typeof EnglishLanguage;
    /* eslint-enable @typescript-eslint/no-require-imports */
    estimator = new ZxcvbnFactory({
      dictionary: { ...common.dictionary, ...english.dictionary },
      graphs: common.adjacencyGraphs,
      translations: english.translations,
      maxLength: ESTIMATED_LENGTH,
      l33tMaxSubstitutions: L33T_MAX_SUBSTITUTIONS,
    });
  }
  return estimator;
}

export interface PasswordContext {
  minLength: number;
  /** zxcvbn score (0-4) a password must reach; 0 accepts any password of a valid length. */
  minScore: number;
  username?: string;
  email?: string;
}

/**
 * The account's own names, which make a password easy to guess for whoever knows them: the
 * username, the email, its local part, and their pieces ("grace", "hopper" of grace.hopper).
 */
function contextWords({ username, email }: PasswordContext): string[] {
  const names = [username, email?.split('@')[0]].filter((name): name is string => Boolean(name));
  const pieces = names.flatMap((name) => name.split(/[^\p{L}\p{N}]+/u));
  const words = [...names, ...pieces, ...(email ? [email] : [])];
  return [...new Set(words.filter((word) => word.length >= 3))];
}

/**
 * NIST SP 800-63B style checks: length in characters, none of the account's own names, then
 * zxcvbn's estimate of how guessable the password is, knowing those names (which catches their
 * derivatives: reversed, l33t, a piece of them). Returns the reason a password is refused, or null.
 */
export function passwordProblem(password: string, context: PasswordContext): string | null {
  const length = [...password].length;
  if (length < context.minLength)
    return `Password must be at least ${context.minLength} characters`;
  if (length > PASSWORD_MAX_LENGTH)
    return `Password must be at most ${PASSWORD_MAX_LENGTH} characters`;
  // Checked apart because zxcvbn rates a name with a little padding ("x-<username>-x") at
  // score 3, while whoever knows the name needs only a few thousand guesses.
  const lowered = password.toLowerCase();
  const username = context.username?.toLowerCase();
  if (username && username.length >= 3 && lowered.includes(username)) {
    return 'Password must not contain the username';
  }
  const localPart = context.email?.split('@')[0]?.toLowerCase();
  if (localPart && localPart.length >= 3 && lowered.includes(localPart)) {
    return 'Password must not contain the email address';
  }
  if (context.minScore === 0) return null;
  const { score, feedback } = passwordEstimator().check(password, contextWords(context));
  if (score >= context.minScore) return null;
  return feedback.warning || feedback.suggestions[0] || GENERIC_ADVICE;
}
