import { Controller, Get, NotFoundException } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { AuthenticatedSession, CurrentSession } from '../common/current-session';
import { ProblemResponse } from '../common/problem.response';
import { UserResponse } from './dto/user.response';
import { UsersService } from './users.service';

@ApiTags('users')
@ApiBearerAuth()
@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get('me')
  @ApiOkResponse({ type: UserResponse })
  @ApiUnauthorizedResponse({
    type: ProblemResponse,
    description: 'Missing, invalid or ended session',
  })
  async me(@CurrentSession() session: AuthenticatedSession): Promise<UserResponse> {
    const user = await this.users.findById(session.userId);
    if (!user) throw new NotFoundException('Account not found');
    return UserResponse.of(user);
  }
}
