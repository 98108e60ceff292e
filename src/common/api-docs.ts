import { applyDecorators } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiExtraModels,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiResponse,
  getSchemaPath,
} from '@nestjs/swagger';
import { DomainError, Errors, TOKEN_REFUSALS } from './errors';
import { problem, PROBLEM_CONTENT_TYPE } from './problem-details';
import { ProblemResponse } from './problem.response';

/** One real answer per code, as the service sends it: the document's examples. */
const EXAMPLES = {
  VALIDATION_FAILED: Errors.validation([
    { field: 'email', message: 'email must be a valid email address' },
  ]),
  INVALID_JSON: Errors.invalidJson(),
  WEAK_PASSWORD: Errors.weakPassword('password', 'Password must be at least 8 characters'),
  INVALID_TOKEN: Errors.invalidToken(),
  INVALID_CREDENTIALS: Errors.invalidCredentials(),
  INVALID_CLIENT: Errors.invalidClient(),
  TOKEN_INVALID: Errors.unauthorized('TOKEN_INVALID'),
  TOKEN_EXPIRED: Errors.unauthorized('TOKEN_EXPIRED'),
  SESSION_ENDED: Errors.unauthorized('SESSION_ENDED'),
  SESSION_REPLACED: Errors.unauthorized('SESSION_REPLACED'),
  SESSION_REVOKED: Errors.unauthorized('SESSION_REVOKED'),
  EMAIL_NOT_VERIFIED: Errors.emailNotVerified(),
  EMAIL_TAKEN: Errors.emailTaken(),
  USERNAME_TAKEN: Errors.usernameTaken(),
  SESSION_ACTIVE: Errors.sessionActive(),
  MFA_CODE_INVALID: Errors.mfaCodeInvalid(),
  MFA_TOKEN_INVALID: Errors.mfaTokenInvalid(),
  MFA_CODE_REQUIRED: Errors.mfaCodeRequired(),
  MFA_ALREADY_ENABLED: Errors.mfaAlreadyEnabled(),
  MFA_NOT_ENABLED: Errors.mfaNotEnabled(),
  ACCOUNT_DISABLED: Errors.accountDisabled(),
  FORBIDDEN: Errors.forbidden(),
  ORIGIN_NOT_ALLOWED: Errors.originNotAllowed(),
  USER_NOT_FOUND: Errors.userNotFound(),
  LAST_ADMIN: Errors.lastAdmin(),
  ALREADY_VERIFIED: Errors.alreadyVerified(),
  ACCOUNT_EXISTS: Errors.accountExists(),
  IDENTITY_IN_USE: Errors.identityInUse(),
  IDENTITY_NOT_FOUND: Errors.identityNotFound(),
  PROVIDER_ALREADY_LINKED: Errors.providerAlreadyLinked(),
  EMAIL_UNAVAILABLE: Errors.emailUnavailable(),
  LAST_LOGIN_METHOD: Errors.lastLoginMethod(),
  PROVIDER_UNKNOWN: Errors.providerUnknown(),
  PROVIDER_UNAVAILABLE: Errors.providerUnavailable(5),
  REDIRECT_URI_NOT_ALLOWED: Errors.redirectUriNotAllowed(),
  OAUTH_STATE_INVALID: Errors.oauthStateInvalid(),
  OAUTH_CODE_INVALID: Errors.oauthCodeInvalid(),
  PAYLOAD_TOO_LARGE: Errors.payloadTooLarge(),
  UNSUPPORTED_MEDIA_TYPE: Errors.unsupportedMediaType(),
  TOO_MANY_REQUESTS: Errors.tooManyRequests(60),
  INTERNAL_ERROR: Errors.internal(),
  SERVICE_UNAVAILABLE: Errors.serviceUnavailable(5),
  BUSY: Errors.busy(1),
} satisfies Record<string, DomainError>;

export type ProblemCode = keyof typeof EXAMPLES;

/** What any route with a JSON body can be refused with before its handler runs. */
export const BODY_PROBLEMS: ProblemCode[] = [
  'VALIDATION_FAILED',
  'INVALID_JSON',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
];

/** Where argon2 runs: a full queue of password hashes answers 503 BUSY. */
export const HASHING_PROBLEMS: ProblemCode[] = ['BUSY'];

/** The WWW-Authenticate challenge a group of problems answers with, if any. */
function challengeOf(codes: ProblemCode[]) {
  const challenge = codes
    .map((code): DomainError => EXAMPLES[code])
    .find((error) => error.extra.authenticate)?.extra.authenticate;
  if (!challenge) return undefined;
  return {
    'WWW-Authenticate': {
      description: 'The credentials to send',
      schema: { type: 'string', example: challenge },
    },
  };
}

/**
 * Where the database or Redis is used: while it is unreachable the answer is 503
 * SERVICE_UNAVAILABLE. Every session route has it (the session check reads the store).
 */
export const STORE_PROBLEMS: ProblemCode[] = ['SERVICE_UNAVAILABLE'];

/** Statuses whose problems tell the client when to try again. */
const RETRY_AFTER = {
  'Retry-After': {
    description: 'Seconds to wait before trying again',
    required: true,
    schema: { type: 'integer', minimum: 1 },
  },
};

/** Retry-After where every code of a status sends it; WWW-Authenticate where one asks for it. */
function headersOf(codes: ProblemCode[]) {
  const retry = codes.every((code) => EXAMPLES[code].extra.retryAfterSeconds);
  const challenge = challengeOf(codes);
  if (!retry && !challenge) return undefined;
  return { ...(retry ? RETRY_AFTER : {}), ...challenge };
}

/**
 * Documents the problems an operation can answer: one response per status, in
 * application/problem+json with the problem schema and one example per code, and Retry-After
 * where every code of the status sends it. Every operation can fail on our side, so 500 is
 * always listed. Give every code of an operation in one call: a second call for the same status
 * would replace the first.
 */
export const ApiProblems = (...codes: ProblemCode[]) => {
  const byStatus = new Map<number, Set<ProblemCode>>();
  for (const code of [...codes, 'INTERNAL_ERROR'] as ProblemCode[]) {
    const status = EXAMPLES[code].status;
    byStatus.set(status, (byStatus.get(status) ?? new Set()).add(code));
  }
  return applyDecorators(
    ApiExtraModels(ProblemResponse),
    ...[...byStatus].map(([status, group]) =>
      ApiResponse({
        status,
        description: [...group].join(', '),
        headers: headersOf([...group]),
        content: {
          [PROBLEM_CONTENT_TYPE]: {
            schema: { $ref: getSchemaPath(ProblemResponse) },
            examples: Object.fromEntries(
              [...group].map((code) => {
                const error: DomainError = EXAMPLES[code];
                return [
                  code,
                  {
                    summary: error.detail,
                    value: problem(error.status, error.code, error.detail, {
                      errors: error.extra.errors,
                    }),
                  },
                ];
              }),
            ),
          },
        },
      }),
    ),
  );
};

/** What every operation says of itself: Swagger UI's line, and more where it is not obvious. */
export interface OperationText {
  summary: string;
  description?: string;
}

/** A route anyone may call (security: []), with the problems it can answer. */
export const ApiPublic = (operation: OperationText, ...codes: ProblemCode[]) =>
  applyDecorators(ApiOperation({ ...operation, security: [] }), ApiProblems(...codes));

/** A route behind the session guard: the bearer scheme, its 401 and 503 codes and its own. */
export const ApiSession = (operation: OperationText, ...codes: ProblemCode[]) =>
  applyDecorators(
    ApiOperation(operation),
    ApiBearerAuth(),
    ApiProblems(...(TOKEN_REFUSALS as readonly ProblemCode[]), ...STORE_PROBLEMS, ...codes),
  );

/** An HTML page answer (the emailed links' pages). */
export const ApiHtmlPage = (description: string) =>
  applyDecorators(
    ApiProduces('text/html'),
    ApiOkResponse({ description, content: { 'text/html': { schema: { type: 'string' } } } }),
  );

/** The schemas of classes marked @ApiClosedSchema(): the document says they allow no other field. */
export const CLOSED_SCHEMAS = new Set<string>();

/**
 * The document gives the class's schema `additionalProperties: false`: for a response body that
 * is one of several alike (the tokens with or without refresh_token), so the alternatives of a
 * oneOf exclude each other.
 */
export const ApiClosedSchema = (): ClassDecorator => (target) => {
  CLOSED_SCHEMAS.add(target.name);
};
