import { Body, Controller, Get, HttpCode, HttpStatus, Post } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Audit } from '../audit/audit.interceptor';
import { Audited, audited } from '../audit/audited';
import { ApiSession, BODY_PROBLEMS, HASHING_PROBLEMS } from '../common/api-docs';
import { AuthenticatedSession, CurrentSession } from '../common/current-session';
import { MessageResponse } from '../common/problem.response';
import {
  ConfirmTotpRequest,
  MfaChangeRequest,
  MfaPasswordRequest,
  MfaStatusResponse,
  RecoveryCodesResponse,
  TotpSetupResponse,
} from './dto/mfa.dto';
import { MfaService } from './mfa.service';

@ApiTags('mfa')
@Controller('mfa')
export class MfaController {
  constructor(private readonly mfa: MfaService) {}

  @Get()
  @ApiSession({ summary: 'Whether two-factor login is on, and how many recovery codes are left' })
  @ApiOkResponse({ type: MfaStatusResponse })
  status(@CurrentSession() session: AuthenticatedSession): Promise<MfaStatusResponse> {
    return this.mfa.status(session.userId);
  }

  @Post('totp/setup')
  @HttpCode(HttpStatus.OK)
  @Audit('mfa.setup')
  @ApiSession(
    {
      summary: 'Start TOTP enrolment: a new secret, its otpauth URI and QR code',
      description:
        'The setup stays pending until POST /mfa/totp/confirm; a new setup replaces a pending ' +
        'one. INVALID_CREDENTIALS: wrong password; MFA_ALREADY_ENABLED: turn it off first.',
    },
    ...BODY_PROBLEMS,
    'INVALID_CREDENTIALS',
    'MFA_ALREADY_ENABLED',
    ...HASHING_PROBLEMS,
  )
  @ApiOkResponse({ type: TotpSetupResponse })
  async setup(
    @Body() body: MfaPasswordRequest,
    @CurrentSession() session: AuthenticatedSession,
  ): Promise<Audited<TotpSetupResponse>> {
    return audited(await this.mfa.setup(session.userId, body.password), {});
  }

  @Post('totp/confirm')
  @HttpCode(HttpStatus.OK)
  @Audit('mfa.enabled')
  @ApiSession(
    {
      summary: 'Turn TOTP on with a first code; answers the ten recovery codes, shown this once',
      description:
        'MFA_CODE_INVALID: the code does not match the pending secret now; MFA_NOT_ENABLED: no ' +
        'setup is pending; MFA_ALREADY_ENABLED: it is on already. The user is mailed.',
    },
    ...BODY_PROBLEMS,
    'MFA_CODE_INVALID',
    'MFA_NOT_ENABLED',
    'MFA_ALREADY_ENABLED',
  )
  @ApiOkResponse({ type: RecoveryCodesResponse })
  async confirm(
    @Body() body: ConfirmTotpRequest,
    @CurrentSession() session: AuthenticatedSession,
  ): Promise<Audited<RecoveryCodesResponse>> {
    const codes = await this.mfa.confirm(session.userId, body.code);
    return audited({ recovery_codes: codes }, {});
  }

  @Post('totp/disable')
  @HttpCode(HttpStatus.OK)
  @Audit('mfa.disabled')
  @ApiSession(
    {
      summary: 'Turn two-factor login off (password and a TOTP or recovery code)',
      description:
        'The secret and the recovery codes are deleted and the user is mailed. ' +
        'INVALID_CREDENTIALS: wrong password; MFA_CODE_INVALID: wrong or used code; ' +
        'MFA_NOT_ENABLED: it is not on.',
    },
    ...BODY_PROBLEMS,
    'INVALID_CREDENTIALS',
    'MFA_CODE_INVALID',
    'TOO_MANY_REQUESTS',
    'MFA_NOT_ENABLED',
    ...HASHING_PROBLEMS,
  )
  @ApiOkResponse({ type: MessageResponse })
  async disable(
    @Body() body: MfaChangeRequest,
    @CurrentSession() session: AuthenticatedSession,
  ): Promise<Audited<MessageResponse>> {
    const passed = await this.mfa.disable(session.userId, body.password, body.code);
    return audited(
      { status: 'success', message: 'Two-factor login is off' },
      { meta: { method: passed.method }, events: passed.events },
    );
  }

  @Post('recovery-codes')
  @HttpCode(HttpStatus.OK)
  @Audit('mfa.recovery_codes.regenerated')
  @ApiSession(
    {
      summary: 'A new set of ten recovery codes (password and a TOTP or recovery code)',
      description:
        'The old set is void; the new codes are shown this once and the user is mailed. ' +
        'INVALID_CREDENTIALS: wrong password; MFA_CODE_INVALID: wrong or used code; ' +
        'MFA_NOT_ENABLED: two-factor login is not on.',
    },
    ...BODY_PROBLEMS,
    'INVALID_CREDENTIALS',
    'MFA_CODE_INVALID',
    'TOO_MANY_REQUESTS',
    'MFA_NOT_ENABLED',
    ...HASHING_PROBLEMS,
  )
  @ApiOkResponse({ type: RecoveryCodesResponse })
  async regenerate(
    @Body() body: MfaChangeRequest,
    @CurrentSession() session: AuthenticatedSession,
  ): Promise<Audited<RecoveryCodesResponse>> {
    const { codes, method, events } = await this.mfa.regenerateRecoveryCodes(
      session.userId,
      body.password,
      body.code,
    );
    return audited({ recovery_codes: codes }, { meta: { method }, events });
  }
}
