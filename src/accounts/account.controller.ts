import { Body, Controller, Delete, HttpCode, HttpStatus } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Audit } from '../audit/audit.interceptor';
import { Audited, audited } from '../audit/audited';
import { ApiSession, BODY_PROBLEMS, HASHING_PROBLEMS } from '../common/api-docs';
import { AuthenticatedSession, CurrentSession } from '../common/current-session';
import { MessageResponse } from '../common/problem.response';
import { AccountsService } from './accounts.service';
import { DeleteAccountRequest } from './dto/delete-account.dto';

@ApiTags('users')
@Controller('users')
export class AccountController {
  constructor(private readonly accounts: AccountsService) {}

  @Delete('me')
  @HttpCode(HttpStatus.OK)
  @Audit('account.delete')
  @ApiSession(
    {
      summary:
        "Delete the caller's own account (needs its password, and a code with two-factor on)",
      description:
        'The session ends and the account is deleted with its sessions, one-time tokens and ' +
        'roles; its email and username are free again. Audit rows keep the account id until ' +
        'AUDIT_RETENTION_DAYS purges them. INVALID_CREDENTIALS: wrong password (nothing ' +
        'changes). With two-factor login on, `code` is required (MFA_CODE_REQUIRED) and must be ' +
        'valid (MFA_CODE_INVALID). LAST_ADMIN: the account is the only active admin.',
    },
    ...BODY_PROBLEMS,
    'INVALID_CREDENTIALS',
    'MFA_CODE_REQUIRED',
    'MFA_CODE_INVALID',
    'TOO_MANY_REQUESTS',
    'LAST_ADMIN',
    ...HASHING_PROBLEMS,
  )
  @ApiOkResponse({ type: MessageResponse })
  async deleteOwn(
    @Body() body: DeleteAccountRequest,
    @CurrentSession() session: AuthenticatedSession,
  ): Promise<Audited<MessageResponse>> {
    const { secondFactor } = await this.accounts.deleteOwn(session.userId, body);
    return audited(
      { status: 'success', message: 'Account deleted' },
      { meta: { mfa: secondFactor?.method ?? null }, events: secondFactor?.events ?? [] },
    );
  }
}
