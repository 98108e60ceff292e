import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const PASSWORD_MAX_LENGTH = 128;

let commonPasswords: Set<string> | undefined;

/** The shipped list of the 10,000 most common passwords, loaded once. */
function isCommon(password: string): boolean {
  commonPasswords ??= new Set(
    readFileSync(join(__dirname, 'common-passwords.txt'), 'utf8')
      .split('\n')
      .filter((line) => line !== '' && !line.startsWith('#')),
  );
  return commonPasswords.has(password.toLowerCase());
}

export interface PasswordContext {
  minLength: number;
  username?: string;
  email?: string;
}

/**
 * NIST SP 800-63B style checks: length in characters, no common passwords, nothing derived
 * from the account's own names. Returns the reason a password is refused, or null.
 */
export function passwordProblem(password: string, context: PasswordContext): string | null {
  const length = [...password].length;
  if (length < context.minLength)
    return `Password must be at least ${context.minLength} characters`;
  if (length > PASSWORD_MAX_LENGTH)
    return `Password must be at most ${PASSWORD_MAX_LENGTH} characters`;
  if (isCommon(password)) return 'Password is too common; choose a less guessable one';
  const lowered = password.toLowerCase();
  const username = context.username?.toLowerCase();
  if (username && username.length >= 3 && lowered.includes(username)) {
    return 'Password must not contain the username';
  }
  const localPart = context.email?.split('@')[0]?.toLowerCase();
  if (localPart && localPart.length >= 3 && lowered.includes(localPart)) {
    return 'Password must not contain the email address';
  }
  return null;
}
