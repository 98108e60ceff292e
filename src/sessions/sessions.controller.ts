import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentSession } from '../common/current-session';
import { ActiveSessionResponse, SessionView } from './dto/session.response';
import type { SessionPrincipal } from './strategies/jwt.strategy';
import { ApiSession } from '../common/api-docs';

@ApiTags('sessions')
@Controller('session')
export class SessionsController {
  /** The guard has just read the session: it is shown as read, without another query. */
  @Get('active')
  @ApiOkResponse({ type: ActiveSessionResponse })
  @ApiSession({ summary: "The caller's session: when it started, expires and was last seen" })
  active(@CurrentSession() current: SessionPrincipal): ActiveSessionResponse {
    return { active: true, session: SessionView.of(current.session) };
  }
}
