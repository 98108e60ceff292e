import { applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { ProblemResponse } from './problem.response';

/** Swagger for a route behind the session guard: the bearer scheme and its 401 codes. */
export const ApiSession = () =>
  applyDecorators(
    ApiBearerAuth(),
    ApiUnauthorizedResponse({
      type: ProblemResponse,
      description:
        'TOKEN_INVALID, TOKEN_EXPIRED, SESSION_ENDED, SESSION_REPLACED or SESSION_REVOKED',
    }),
  );
