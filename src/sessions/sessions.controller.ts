import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { CurrentSession } from '../common/current-session';
import { ProblemResponse } from '../common/problem.response';
import { ActiveSessionResponse, SessionView } from './dto/session.response';
import type { SessionPrincipal } from './strategies/jwt.strategy';

@ApiTags('sessions')
@ApiBearerAuth()
@Controller('session')
export class SessionsController {
  /** The guard has just read the session: it is shown as read, without another query. */
  @Get('active')
  @ApiOkResponse({ type: ActiveSessionResponse })
  @ApiUnauthorizedResponse({
    type: ProblemResponse,
    description: 'TOKEN_INVALID, TOKEN_EXPIRED, SESSION_ENDED, SESSION_REPLACED or SESSION_REVOKED',
  })
  active(@CurrentSession() current: SessionPrincipal): ActiveSessionResponse {
    return { active: true, session: SessionView.of(current.snapshot) };
  }
}
