import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  Post,
  Put,
  Query,
} from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Audited, audited } from '../audit/audited';
import { BODY_PROBLEMS } from '../common/api-docs';
import { AuthenticatedSession, CurrentSession } from '../common/current-session';
import { MessageResponse } from '../common/problem.response';
import { PAGE_DEFAULT } from '../common/pagination';
import { NoBody } from '../common/validation';
import { AccountsService } from '../accounts/accounts.service';
import { AdminRoute, ApiEmptyBody } from './admin-route';
import { AdminUsersService } from './admin-users.service';
import {
  AdminUserDetail,
  AdminUserPage,
  AdminUserView,
  afterCursor,
  ReasonRequest,
  RolesRequest,
  RolesResponse,
  UserIdParam,
  userCursor,
  UserSearchQuery,
} from './dto/admin-users.dto';

const ID_PROBLEMS = ['VALIDATION_FAILED', 'USER_NOT_FOUND'] as const;

@ApiTags('admin')
@Controller('admin/users')
export class AdminUsersController {
  constructor(
    private readonly accounts: AccountsService,
    private readonly lookup: AdminUsersService,
  ) {}

  @Get()
  @AdminRoute(
    'users:read',
    'admin.users.search',
    {
      summary: 'Find accounts by email or username prefix, newest first, cursor-paginated',
      description:
        'VALIDATION_FAILED: an unknown filter value, limit outside 1..100, a bad cursor.',
    },
    'VALIDATION_FAILED',
  )
  @ApiOkResponse({ type: AdminUserPage })
  async search(@Query() query: UserSearchQuery): Promise<AdminUserPage> {
    const limit = query.limit ?? PAGE_DEFAULT;
    const users = await this.lookup.search({
      prefix: query.query,
      status: query.status,
      role: query.role,
      after: query.cursor === undefined ? undefined : afterCursor(query.cursor),
      limit: limit + 1,
    });
    const page = users.slice(0, limit);
    return {
      items: page.map((user) => AdminUserView.of(user)),
      next_cursor: users.length > limit ? userCursor(page[page.length - 1]) : null,
    };
  }

  @Get(':id')
  @AdminRoute(
    'users:read',
    'admin.user.view',
    { summary: 'One account: its status, roles, active session and two-factor state' },
    ...ID_PROBLEMS,
  )
  @ApiOkResponse({ type: AdminUserDetail })
  detail(@Param() { id }: UserIdParam): Promise<AdminUserDetail> {
    return this.lookup.detail(id);
  }

  @Post(':id/disable')
  @HttpCode(HttpStatus.OK)
  @AdminRoute(
    'users:write',
    'admin.user.disable',
    {
      summary: 'Disable an account: its session ends at once and it cannot log in',
      description:
        'Its tokens get 401 SESSION_REVOKED, its refresh token 401, its login 403 ' +
        'ACCOUNT_DISABLED (after a correct password), and forgot-password mails it nothing. ' +
        'LAST_ADMIN: the account is the only active admin.',
    },
    ...BODY_PROBLEMS,
    'USER_NOT_FOUND',
    'LAST_ADMIN',
  )
  @ApiOkResponse({ type: MessageResponse })
  async disable(
    @Param() { id }: UserIdParam,
    @Body() body: ReasonRequest,
  ): Promise<Audited<MessageResponse>> {
    const { changed, sessionsRevoked } = await this.accounts.disable(id);
    return audited(
      { status: 'success', message: changed ? 'Account disabled' : 'Account was already disabled' },
      { userId: id, meta: { reason: body.reason, changed, sessions_revoked: sessionsRevoked } },
    );
  }

  @Post(':id/enable')
  @HttpCode(HttpStatus.OK)
  @AdminRoute(
    'users:write',
    'admin.user.enable',
    { summary: 'Enable a disabled account; it may log in again' },
    ...BODY_PROBLEMS,
    'USER_NOT_FOUND',
  )
  @ApiEmptyBody()
  @ApiOkResponse({ type: MessageResponse })
  async enable(
    @Param() { id }: UserIdParam,
    @NoBody() _body: undefined,
  ): Promise<Audited<MessageResponse>> {
    const { changed } = await this.accounts.enable(id);
    return audited(
      { status: 'success', message: changed ? 'Account enabled' : 'Account was already enabled' },
      { userId: id, meta: { changed } },
    );
  }

  @Post(':id/sessions/revoke')
  @HttpCode(HttpStatus.OK)
  @AdminRoute(
    'sessions:revoke',
    'admin.user.sessions.revoke',
    {
      summary: "End the account's active session (its tokens get 401 SESSION_REVOKED)",
      description: 'The account may log in again.',
    },
    ...BODY_PROBLEMS,
    'USER_NOT_FOUND',
  )
  @ApiEmptyBody()
  @ApiOkResponse({ type: MessageResponse })
  async revokeSession(
    @Param() { id }: UserIdParam,
    @NoBody() _body: undefined,
  ): Promise<Audited<MessageResponse>> {
    const revoked = await this.accounts.revokeSession(id);
    return audited(
      { status: 'success', message: revoked > 0 ? 'Session revoked' : 'No active session' },
      { userId: id, meta: { sessions_revoked: revoked } },
    );
  }

  @Put(':id/roles')
  @AdminRoute(
    'roles:write',
    'admin.user.roles',
    {
      summary: "Set the account's roles; the change applies from its next request",
      description:
        "`user` is every account's role and is kept whether listed or not. VALIDATION_FAILED: " +
        'an unknown role. LAST_ADMIN: it would take admin from the only active admin.',
    },
    ...BODY_PROBLEMS,
    'USER_NOT_FOUND',
    'LAST_ADMIN',
  )
  @ApiOkResponse({ type: RolesResponse })
  async setRoles(
    @Param() { id }: UserIdParam,
    @Body() body: RolesRequest,
  ): Promise<Audited<RolesResponse>> {
    const { roles, changed } = await this.accounts.setRoles(id, body.roles);
    return audited({ id, roles }, { userId: id, meta: { roles: roles.join(','), changed } });
  }

  @Post(':id/verification-email')
  @HttpCode(HttpStatus.ACCEPTED)
  @AdminRoute(
    'users:write',
    'admin.user.verification_email',
    {
      summary: 'Mail the account a new verification link',
      description:
        'ALREADY_VERIFIED: the address is verified. Within the hourly mail cap per address: ' +
        'over it, nothing is sent and the message says so.',
    },
    ...BODY_PROBLEMS,
    'USER_NOT_FOUND',
    'ALREADY_VERIFIED',
  )
  @ApiEmptyBody()
  @ApiAcceptedResponse({ type: MessageResponse })
  async verificationEmail(
    @Param() { id }: UserIdParam,
    @NoBody() _body: undefined,
  ): Promise<Audited<MessageResponse>> {
    const sent = await this.lookup.sendVerification(id);
    return audited(
      { status: 'accepted', message: sent ? 'Verification email sent' : MAIL_CAP_REACHED },
      { userId: id, meta: { sent } },
    );
  }

  @Post(':id/password-reset')
  @HttpCode(HttpStatus.ACCEPTED)
  @AdminRoute(
    'users:write',
    'admin.user.password_reset',
    {
      summary: 'Mail the account a password reset link (admins never see or set passwords)',
      description:
        'Within the hourly mail cap per address: over it, nothing is sent and the message says so.',
    },
    ...BODY_PROBLEMS,
    'USER_NOT_FOUND',
  )
  @ApiEmptyBody()
  @ApiAcceptedResponse({ type: MessageResponse })
  async passwordReset(
    @Param() { id }: UserIdParam,
    @NoBody() _body: undefined,
  ): Promise<Audited<MessageResponse>> {
    const sent = await this.lookup.sendPasswordReset(id);
    return audited(
      { status: 'accepted', message: sent ? 'Password reset email sent' : MAIL_CAP_REACHED },
      { userId: id, meta: { sent } },
    );
  }

  @Post(':id/mfa/reset')
  @HttpCode(HttpStatus.OK)
  @AdminRoute(
    'mfa:reset',
    'mfa.reset',
    {
      summary: "Turn the account's two-factor login off (a lost authenticator and recovery codes)",
      description:
        'Its TOTP secret and recovery codes are deleted and the user is mailed; the next login ' +
        'asks for the password only. MFA_NOT_ENABLED: two-factor login is not on.',
    },
    ...BODY_PROBLEMS,
    'USER_NOT_FOUND',
    'MFA_NOT_ENABLED',
  )
  @ApiOkResponse({ type: MessageResponse })
  async resetMfa(
    @Param() { id }: UserIdParam,
    @Body() body: ReasonRequest,
    @CurrentSession() session: AuthenticatedSession,
  ): Promise<Audited<MessageResponse>> {
    const facts = await this.lookup.resetMfa(id, session.userId, body.reason);
    return audited({ status: 'success', message: 'Two-factor login is off' }, facts);
  }

  @Delete(':id')
  @HttpCode(HttpStatus.OK)
  @AdminRoute(
    'users:write',
    'admin.user.delete',
    {
      summary: 'Delete an account',
      description:
        'Its session ends; the account goes with its sessions, one-time tokens and roles, and its ' +
        'email and username are free again. Audit rows keep its id until retention purges them. ' +
        'LAST_ADMIN: the account is the only active admin.',
    },
    ...ID_PROBLEMS,
    'LAST_ADMIN',
  )
  @ApiOkResponse({ type: MessageResponse })
  async delete(@Param() { id }: UserIdParam): Promise<Audited<MessageResponse>> {
    const { sessionsRevoked } = await this.accounts.delete(id);
    return audited(
      { status: 'success', message: 'Account deleted' },
      { userId: id, meta: { sessions_revoked: sessionsRevoked } },
    );
  }
}

const MAIL_CAP_REACHED = 'Not sent: the hourly mail limit for this address is reached';
