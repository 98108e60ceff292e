/** Usernames: NFKC-normalised, 3-32 of letters, digits, `_ . -`; compared without regard to case. */
export const USERNAME_PATTERN = /^[A-Za-z0-9_.-]{3,32}$/;

export function normaliseUsername(username: string): string {
  return username.normalize('NFKC').trim();
}

export function usernameKey(username: string): string {
  return normaliseUsername(username).toLowerCase();
}
