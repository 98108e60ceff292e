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
  TOKEN_INVALID: Errors.unauthorized('TOKEN_INVALID'),
  TOKEN_EXPIRED: Errors.unauthorized('TOKEN_EXPIRED'),
  SESSION_ENDED: Errors.unauthorized('SESSION_ENDED'),
  SESSION_REPLACED: Errors.unauthorized('SESSION_REPLACED'),
  SESSION_REVOKED: Errors.unauthorized('SESSION_REVOKED'),
  EMAIL_NOT_VERIFIED: Errors.emailNotVerified(),
  EMAIL_TAKEN: Errors.emailTaken(),
  USERNAME_TAKEN: Errors.usernameTaken(),
  SESSION_ACTIVE: Errors.sessionActive(),
  ACCOUNT_DISABLED: Errors.accountDisabled(),
  FORBIDDEN: Errors.forbidden(),
  USER_NOT_FOUND: Errors.userNotFound(),
  LAST_ADMIN: Errors.lastAdmin(),
  ALREADY_VERIFIED: Errors.alreadyVerified(),
  PAYLOAD_TOO_LARGE: Errors.payloadTooLarge(),
  UNSUPPORTED_MEDIA_TYPE: Errors.unsupportedMediaType(),
  TOO_MANY_REQUESTS: Errors.tooManyRequests(60),
  INTERNAL_ERROR: Errors.internal(),
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

/**
 * Documents the problems an operation can answer: one response per status, in
 * application/problem+json with the problem schema and one example per code. Every operation
 * can fail on our side, so 500 is always listed. Give every code of an operation in one call:
 * a second call for the same status would replace the first.
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

/** A route behind the session guard: the bearer scheme, its 401 codes and the route's own. */
export const ApiSession = (operation: OperationText, ...codes: ProblemCode[]) =>
  applyDecorators(
    ApiOperation(operation),
    ApiBearerAuth(),
    ApiProblems(...(TOKEN_REFUSALS as readonly ProblemCode[]), ...codes),
  );

/** An HTML page answer (the emailed links' pages). */
export const ApiHtmlPage = (description: string) =>
  applyDecorators(
    ApiProduces('text/html'),
    ApiOkResponse({ description, content: { 'text/html': { schema: { type: 'string' } } } }),
  );
