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
    readonly extra: { errors?: FieldError[]; retryAfterSeconds?: number } = {},
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

export const Errors = {
  validation: (errors: FieldError[]) =>
    new DomainError(HttpStatus.BAD_REQUEST, 'VALIDATION_FAILED', 'The request body is not valid', {
      errors,
    }),
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
  unauthorized: (code: TokenRefusal, detail: string) =>
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
  /** A store the answer depends on failed (e.g. the audit row could not be written). */
  unavailable: (retryAfterSeconds: number) =>
    new DomainError(
      HttpStatus.SERVICE_UNAVAILABLE,
      'SERVICE_UNAVAILABLE',
      'The service is temporarily unavailable; try again shortly',
      { retryAfterSeconds },
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
export type TokenRefusal =
  'TOKEN_INVALID' | 'TOKEN_EXPIRED' | 'SESSION_ENDED' | 'SESSION_REPLACED' | 'SESSION_REVOKED';
