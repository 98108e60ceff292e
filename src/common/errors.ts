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
