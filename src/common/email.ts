/** Emails are trimmed and lower-cased before they are stored, compared, counted or keyed. */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}
