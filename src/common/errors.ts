import { HttpStatus } from '@nestjs/common';

export interface FieldError {
  field: string;
  message: string;
}

export type AuditOutcome = 'success' | 'failure';
export type AuditMeta = Record<string, string | number | boolean | null>;

/** A further event a request caused (a replaced session, a reused refresh token). */
export interface AuditEvent {
  action: string;
  outcome: AuditOutcome;
  userId?: string | null;
  meta?: AuditMeta;
}

/**
 * What a request concerned, for its audit row: the account, small metadata, further events.
 * Services say it with what they return, or with the error they throw (`concerning`).
 */
export interface AuditFacts {
  userId?: string | null;
  meta?: AuditMeta;
  events?: AuditEvent[];
}

/**
 * A failure a client should see, with a stable code. Services throw these; the problem-details
 * filter turns them into RFC 9457 bodies.
 */
export class DomainError extends Error {
  constructor(
    readonly status: HttpStatus,
    readonly code: string,
    readonly detail: string,
    readonly extra: {
      errors?: FieldError[];
      retryAfterSeconds?: number;
      authenticate?: string;
    } = {},
  ) {
    super(detail);
    this.name = 'DomainError';
  }

  /** What the refused request concerned (for its audit row); never shown to the client. */
  facts?: AuditFacts;

  concerning(facts: AuditFacts): this {
    this.facts = facts;
    return this;
  }
}

/** The part of a request a validation failure is about, in the words of its detail. */
export type RequestPart = 'body' | 'query' | 'path' | 'header';

export const Errors = {
  validation: (errors: FieldError[], part: RequestPart = 'body') =>
    new DomainError(
      HttpStatus.BAD_REQUEST,
      'VALIDATION_FAILED',
      `The request ${part} is not valid`,
      {
        errors,
      },
    ),
  invalidJson: () =>
    new DomainError(HttpStatus.BAD_REQUEST, 'INVALID_JSON', 'The request body is not valid JSON'),
  payloadTooLarge: () =>
    new DomainError(
      HttpStatus.PAYLOAD_TOO_LARGE,
      'PAYLOAD_TOO_LARGE',
      'The request body is larger than 100 kB',
    ),
  unsupportedMediaType: () =>
    new DomainError(
      HttpStatus.UNSUPPORTED_MEDIA_TYPE,
      'UNSUPPORTED_MEDIA_TYPE',
      'Only application/json request bodies are accepted',
    ),
  weakPassword: (field: string, message: string) =>
    new DomainError(HttpStatus.BAD_REQUEST, 'WEAK_PASSWORD', message, {
      errors: [{ field, message }],
    }),
  invalidToken: () =>
    new DomainError(
      HttpStatus.BAD_REQUEST,
      'INVALID_TOKEN',
      'The token is invalid, used or expired',
    ),
  emailTaken: () =>
    new DomainError(
      HttpStatus.CONFLICT,
      'EMAIL_TAKEN',
      'An account with this email already exists',
    ),
  usernameTaken: () =>
    new DomainError(HttpStatus.CONFLICT, 'USERNAME_TAKEN', 'This username is already taken'),
  invalidCredentials: () =>
    new DomainError(HttpStatus.UNAUTHORIZED, 'INVALID_CREDENTIALS', 'Invalid email or password'),
  emailNotVerified: () =>
    new DomainError(
      HttpStatus.FORBIDDEN,
      'EMAIL_NOT_VERIFIED',
      'Verify your email address before logging in',
    ),
  sessionActive: () =>
    new DomainError(HttpStatus.CONFLICT, 'SESSION_ACTIVE', 'Session already active'),
  /** A wrong, used or replayed TOTP code or recovery code (never says which). */
  mfaCodeInvalid: () =>
    new DomainError(HttpStatus.UNAUTHORIZED, 'MFA_CODE_INVALID', 'The code is not valid'),
  /** The login's mfa_token is unknown, expired, used, or spent by five wrong codes. */
  mfaTokenInvalid: () =>
    new DomainError(
      HttpStatus.UNAUTHORIZED,
      'MFA_TOKEN_INVALID',
      'The two-factor login has expired or failed; log in again',
    ),
  /** Two-factor login is on and the request carries no code. */
  mfaCodeRequired: () =>
    new DomainError(
      HttpStatus.UNAUTHORIZED,
      'MFA_CODE_REQUIRED',
      'Two-factor login is on: a code from the authenticator app or a recovery code is required',
    ),
  mfaAlreadyEnabled: () =>
    new DomainError(HttpStatus.CONFLICT, 'MFA_ALREADY_ENABLED', 'Two-factor login is already on'),
  mfaNotEnabled: () =>
    new DomainError(
      HttpStatus.CONFLICT,
      'MFA_NOT_ENABLED',
      'Two-factor login is not on (or no setup is waiting to be confirmed)',
    ),
  /** A token-introspection client without valid HTTP Basic credentials (RFC 7662, 6749). */
  invalidClient: () =>
    new DomainError(HttpStatus.UNAUTHORIZED, 'INVALID_CLIENT', 'Client authentication failed', {
      authenticate: 'Basic realm="introspection", charset="UTF-8"',
    }),
  accountDisabled: () =>
    new DomainError(HttpStatus.FORBIDDEN, 'ACCOUNT_DISABLED', 'This account has been disabled'),
  /** A cookie-mode request whose Origin is missing or not APP_URL's (cookie mode is same-origin). */
  originNotAllowed: () =>
    new DomainError(
      HttpStatus.FORBIDDEN,
      'ORIGIN_NOT_ALLOWED',
      'Cookie mode is only for pages served from this service (the Origin header must be its own)',
    ),
  /** The caller's roles do not grant what the route needs. */
  forbidden: () =>
    new DomainError(HttpStatus.FORBIDDEN, 'FORBIDDEN', 'You are not allowed to do this'),
  alreadyVerified: () =>
    new DomainError(
      HttpStatus.CONFLICT,
      'ALREADY_VERIFIED',
      'The email address is already verified',
    ),
  userNotFound: () => new DomainError(HttpStatus.NOT_FOUND, 'USER_NOT_FOUND', 'No such account'),
  lastAdmin: () =>
    new DomainError(
      HttpStatus.CONFLICT,
      'LAST_ADMIN',
      'This would leave no active admin; make another account admin first',
    ),
  /** Social login found a local account with the provider's email: never linked on email alone. */
  accountExists: () =>
    new DomainError(
      HttpStatus.CONFLICT,
      'ACCOUNT_EXISTS',
      'An account with this email already exists: log in with your password and link the provider from your account',
    ),
  identityInUse: () =>
    new DomainError(
      HttpStatus.CONFLICT,
      'IDENTITY_IN_USE',
      'This provider account is already linked to another account',
    ),
  lastLoginMethod: () =>
    new DomainError(
      HttpStatus.CONFLICT,
      'LAST_LOGIN_METHOD',
      'This is the last way to log in to the account: set a password or link another provider first',
    ),
  providerAlreadyLinked: () =>
    new DomainError(
      HttpStatus.CONFLICT,
      'PROVIDER_ALREADY_LINKED',
      'An account of this provider is already linked: unlink it first',
    ),
  /** The provider gave no email it vouches for (GitHub: no primary, verified address). */
  emailUnavailable: () =>
    new DomainError(
      HttpStatus.BAD_REQUEST,
      'EMAIL_UNAVAILABLE',
      'The provider did not give an email address it has verified',
    ),
  identityNotFound: () =>
    new DomainError(
      HttpStatus.NOT_FOUND,
      'IDENTITY_NOT_FOUND',
      'No identity of this provider is linked',
    ),
  providerUnknown: () =>
    new DomainError(
      HttpStatus.NOT_FOUND,
      'PROVIDER_UNKNOWN',
      'No such sign-in provider is configured',
    ),
  /** The provider's discovery document or keys could not be fetched. */
  providerUnavailable: (retryAfterSeconds: number) =>
    new DomainError(
      HttpStatus.SERVICE_UNAVAILABLE,
      'PROVIDER_UNAVAILABLE',
      'The sign-in provider cannot be reached; try again shortly',
      { retryAfterSeconds },
    ),
  redirectUriNotAllowed: () =>
    new DomainError(
      HttpStatus.BAD_REQUEST,
      'REDIRECT_URI_NOT_ALLOWED',
      'redirect_uri is not one of the configured OAUTH_REDIRECT_URIS',
      {
        errors: [
          { field: 'redirect_uri', message: 'must equal a configured redirect URI exactly' },
        ],
      },
    ),
  /** The callback's state is missing, unknown, used, expired, or not this browser's. */
  oauthStateInvalid: () =>
    new DomainError(
      HttpStatus.BAD_REQUEST,
      'OAUTH_STATE_INVALID',
      'The sign-in is unknown, expired or was started in another browser; start again',
    ),
  /** The exchange code is unknown, used or expired. */
  oauthCodeInvalid: () =>
    new DomainError(
      HttpStatus.BAD_REQUEST,
      'OAUTH_CODE_INVALID',
      'The sign-in code is invalid, used or expired; sign in again',
    ),
  unauthorized: (code: TokenRefusal, detail = TOKEN_REFUSAL_DETAILS[code]) =>
    new DomainError(HttpStatus.UNAUTHORIZED, code, detail),
  tooManyRequests: (retryAfterSeconds: number) =>
    new DomainError(
      HttpStatus.TOO_MANY_REQUESTS,
      'TOO_MANY_REQUESTS',
      'Too many requests; try again later',
      {
        retryAfterSeconds,
      },
    ),
  /** The database (or another store a request needs) is unreachable or not answering in time. */
  serviceUnavailable: (retryAfterSeconds: number) =>
    new DomainError(
      HttpStatus.SERVICE_UNAVAILABLE,
      'SERVICE_UNAVAILABLE',
      'The service is temporarily unavailable; try again shortly',
      { retryAfterSeconds },
    ),
  /** A unique key the request ran into (two requests racing for the same row). */
  conflict: () => new DomainError(HttpStatus.CONFLICT, 'CONFLICT', 'The resource already exists'),
  /** Anything unexpected: the client learns only that it failed (the log has the rest). */
  internal: () =>
    new DomainError(
      HttpStatus.INTERNAL_SERVER_ERROR,
      'INTERNAL_ERROR',
      'Something failed on our side',
    ),
  busy: (retryAfterSeconds: number) =>
    new DomainError(
      HttpStatus.SERVICE_UNAVAILABLE,
      'BUSY',
      'The service is busy; try again shortly',
      {
        retryAfterSeconds,
      },
    ),
};

/** Why a bearer token or refresh token was refused. */
export const TOKEN_REFUSALS = [
  'TOKEN_INVALID',
  'TOKEN_EXPIRED',
  'SESSION_ENDED',
  'SESSION_REPLACED',
  'SESSION_REVOKED',
] as const;
export type TokenRefusal = (typeof TOKEN_REFUSALS)[number];

const TOKEN_REFUSAL_DETAILS: Record<TokenRefusal, string> = {
  TOKEN_INVALID: 'The token is not valid',
  TOKEN_EXPIRED: 'The token has expired; log in again',
  SESSION_ENDED: 'The session has ended (logged out)',
  SESSION_REPLACED: 'The session was replaced by a newer login',
  SESSION_REVOKED: 'The session was revoked',
};
