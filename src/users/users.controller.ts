import { Controller, Get, NotFoundException } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AuthenticatedSession, CurrentSession } from '../common/current-session';
import { MeResponse } from './dto/me.response';
import { UsersService } from './users.service';
import { ApiSession } from '../common/api-docs';

@ApiTags('users')
@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get('me')
  @ApiOkResponse({ type: MeResponse })
  @ApiSession({
    summary: 'The logged-in account, with its roles and the permissions they grant',
    description:
      'Roles and permissions are read with the session on this request, as the permission ' +
      'guard sees them: a role change shows on the next request.',
  })
  async me(@CurrentSession() session: AuthenticatedSession): Promise<MeResponse> {
    const user = await this.users.findById(session.userId);
    if (!user) throw new NotFoundException('Account not found');
    return MeResponse.ofSession(user, session.roles);
  }
}
