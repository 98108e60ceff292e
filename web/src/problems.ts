// What the dashboard says for each problem `code` the API can answer: one sentence a person
// understands. problems.spec.ts fails when the API gains a code that has no sentence here.
// No DOM here: the unit suite imports this file under Node.

export const SENTENCES: Record<string, string> = {
  // Input
  VALIDATION_FAILED: 'Some of the fields are not filled in correctly.',
  BAD_REQUEST: 'The request was not understood. Reload the page and try again.',
  INVALID_JSON: 'The request was not understood. Reload the page and try again.',
  PAYLOAD_TOO_LARGE: 'What you entered is too long.',
  UNSUPPORTED_MEDIA_TYPE: 'The request was not understood. Reload the page and try again.',
  WEAK_PASSWORD: 'Choose a stronger password.',
  // Sign up and links
  EMAIL_TAKEN: 'An account with this email address already exists. Log in, or reset your password.',
  USERNAME_TAKEN: 'This username is taken. Choose another one.',
  INVALID_TOKEN:
    'This link is not valid any more: it was used, has expired, or a newer one was sent.',
  ALREADY_VERIFIED: 'This email address is already verified.',
  // Logging in
  INVALID_CREDENTIALS: 'The email address or password is not right.',
  EMAIL_NOT_VERIFIED: 'Verify your email address first: open the link we mailed you.',
  ACCOUNT_DISABLED: 'This account has been disabled. Contact the administrator.',
  SESSION_ACTIVE: 'You are already signed in on another device.',
  MFA_CODE_INVALID: 'That code is not right, or it was already used. Try the next code.',
  MFA_TOKEN_INVALID: 'The two-factor step took too long or had too many wrong codes. Log in again.',
  MFA_CODE_REQUIRED: 'Enter a code from your authenticator app, or a recovery code.',
  MFA_ALREADY_ENABLED: 'Two-factor login is already on.',
  MFA_NOT_ENABLED: 'Two-factor login is not on, or its setup was not started.',
  ORIGIN_NOT_ALLOWED:
    'This page is not allowed to use your session. Open the dashboard from its own address.',
  // Social login (sign in with a provider, linked accounts)
  ACCOUNT_EXISTS:
    'An account with this email address already exists. Log in with your password, then link this provider from your account page, under Linked accounts.',
  EMAIL_UNAVAILABLE:
    'The provider did not give us an email address it has verified. Verify your email address there, then try again.',
  PROVIDER_DENIED: 'The sign-in was cancelled at the provider, or the provider refused it.',
  PROVIDER_RESPONSE_INVALID:
    "The provider's answer did not pass our checks, so we did not use it. Try again.",
  PROVIDER_UNAVAILABLE: 'The provider could not be reached. Try again in a minute.',
  PROVIDER_UNKNOWN: 'This sign-in provider is not set up here.',
  PROVIDER_ALREADY_LINKED:
    'Your account is already linked to an account at this provider. Unlink it first to link another one.',
  IDENTITY_IN_USE:
    'That account at the provider is already linked to another account here. Sign in to that one, or use another account at the provider.',
  IDENTITY_NOT_FOUND: 'This provider is not linked to your account.',
  LAST_LOGIN_METHOD:
    'This is the only way you can log in, so it cannot be unlinked. Set a password first (Forgot your password on the login page), or link another provider.',
  OAUTH_CODE_INVALID: 'This sign-in took too long or was already used. Start it again.',
  OAUTH_STATE_INVALID:
    'This sign-in took too long or was started in another browser. Start it again.',
  REDIRECT_URI_NOT_ALLOWED:
    'Sign-in with a provider is not set up for this page. Tell the administrator.',
  // The session ended
  TOKEN_INVALID: 'Your sign-in is no longer valid. Please log in again.',
  TOKEN_EXPIRED: 'Your session expired. Please log in again.',
  SESSION_ENDED: 'You were signed out because you logged out in another tab or window.',
  SESSION_REPLACED: 'You were signed out because you signed in on another device.',
  SESSION_REVOKED:
    'You were signed out because your session was ended: your password was reset or changed, or an administrator ended it.',
  // Permissions and administration
  FORBIDDEN: 'You are not allowed to do this.',
  INVALID_CLIENT: 'This client is not allowed to do this.',
  USER_NOT_FOUND: 'There is no such account.',
  LAST_ADMIN: 'This would leave no administrator. Make another account an administrator first.',
  NOT_FOUND: 'There is nothing here.',
  METHOD_NOT_ALLOWED: 'This action is not possible here.',
  CONFLICT: 'Someone else changed this at the same time. Reload the page and try again.',
  // The service
  TOO_MANY_REQUESTS: 'Too many attempts. Wait a minute, then try again.',
  BUSY: 'The service is busy. Try again in a few seconds.',
  SERVICE_UNAVAILABLE: 'The service is not available right now. Try again in a minute.',
  UNAVAILABLE: 'The service is not available right now. Try again in a minute.',
  INTERNAL_ERROR: 'Something went wrong on our side. Try again; if it keeps failing, tell us.',
  REQUEST_FAILED: 'That did not work. Try again.',
};

/** Shown when the service cannot be reached at all (offline, DNS, a proxy in the way). */
export const NETWORK_SENTENCE =
  'The service could not be reached. Check your connection and try again.';

/** The sentence for a code, or a plain one for a code this version does not know yet. */
export function sentenceFor(code: string | undefined): string {
  return (code && SENTENCES[code]) || SENTENCES.REQUEST_FAILED;
}
