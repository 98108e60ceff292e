import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { CurrentSession } from '../common/current-session';
import { ProblemResponse } from '../common/problem.response';
import { ActiveSessionResponse, SessionView } from './dto/session.response';
import { refuse, SessionsService } from './sessions.service';
import type { SessionPrincipal } from './strategies/jwt.strategy';

@ApiTags('sessions')
@ApiBearerAuth()
@Controller('session')
export class SessionsController {
  constructor(private readonly sessions: SessionsService) {}

  @Get('active')
  @ApiOkResponse({ type: ActiveSessionResponse })
  @ApiUnauthorizedResponse({
    type: ProblemResponse,
    description: 'TOKEN_INVALID, TOKEN_EXPIRED, SESSION_ENDED, SESSION_REPLACED or SESSION_REVOKED',
  })
  async active(@CurrentSession() current: SessionPrincipal): Promise<ActiveSessionResponse> {
    // The guard has just read the session; only read again if it had no full snapshot.
    const session = current.snapshot ?? (await this.sessions.findById(current.sessionId));
    if (!session) throw refuse('TOKEN_INVALID');
    return { active: true, session: SessionView.of(session) };
  }
}
