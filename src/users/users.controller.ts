import { Controller, Get, NotFoundException } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AuthenticatedSession, CurrentSession } from '../common/current-session';
import { UserResponse } from './dto/user.response';
import { UsersService } from './users.service';
import { ApiSession } from '../common/api-docs';

@ApiTags('users')
@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get('me')
  @ApiOkResponse({ type: UserResponse })
  @ApiSession({ summary: 'The logged-in account' })
  async me(@CurrentSession() session: AuthenticatedSession): Promise<UserResponse> {
    const user = await this.users.findById(session.userId);
    if (!user) throw new NotFoundException('Account not found');
    return UserResponse.of(user);
  }
}
