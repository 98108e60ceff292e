import { Body, Controller, Get, HttpCode, HttpStatus, Post, Query, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Audit } from '../audit/audit.interceptor';
import { Audited, audited } from '../audit/audited';
import { AuthenticatedSession, CurrentSession } from '../common/current-session';
import { MessageResponse } from '../common/problem.response';
import {
  ApiHtmlPage,
  ApiPublic,
  ApiSession,
  BODY_PROBLEMS,
  HASHING_PROBLEMS,
  STORE_PROBLEMS,
} from '../common/api-docs';
import { Public } from '../common/public.decorator';
import { sendTokenPage } from '../pages/page';
import {
  ChangePasswordRequest,
  ForgotPasswordRequest,
  ResetPasswordRequest,
} from './dto/password.dto';
import { PasswordService } from './password.service';
import { RateLimit } from '../throttle/rate-limit.decorator';

const RESET_SENT: MessageResponse = {
  status: 'accepted',
  message: 'If the address belongs to an account, a password reset email is on its way',
};

@ApiTags('password')
@Controller('password')
export class PasswordController {
  constructor(private readonly passwords: PasswordService) {}

  @Public()
  @Post('forgot')
  @RateLimit('forgot')
  @HttpCode(HttpStatus.ACCEPTED)
  @Audit('password.forgot')
  @ApiPublic(
    { summary: 'Mail a password reset link (valid 30 minutes, single use)' },
    ...BODY_PROBLEMS,
    'TOO_MANY_REQUESTS',
    ...STORE_PROBLEMS,
  )
  @ApiAcceptedResponse({
    type: MessageResponse,
    description: 'The same answer whether or not the account exists',
  })
  async forgot(@Body() body: ForgotPasswordRequest): Promise<Audited<MessageResponse>> {
    const { userId, sent } = await this.passwords.forgot(body.email);
    return audited(RESET_SENT, { userId, meta: { sent } });
  }

  @Public()
  @Post('reset')
  @RateLimit('reset')
  @HttpCode(HttpStatus.OK)
  @Audit('password.reset')
  @ApiPublic(
    {
      summary: 'Set a new password with the emailed token',
      description:
        'Every session of the account is revoked (its tokens then get 401 SESSION_REVOKED), every ' +
        'other reset token is voided and the email address counts as verified. INVALID_TOKEN: ' +
        'unknown, used or expired; WEAK_PASSWORD: the token stays usable.',
    },
    ...BODY_PROBLEMS,
    'INVALID_TOKEN',
    'WEAK_PASSWORD',
    'TOO_MANY_REQUESTS',
    ...STORE_PROBLEMS,
    ...HASHING_PROBLEMS,
  )
  @ApiOkResponse({ type: MessageResponse })
  async reset(@Body() body: ResetPasswordRequest): Promise<Audited<MessageResponse>> {
    const { userId, sessionsRevoked } = await this.passwords.reset(body.token, body.new_password);
    return audited(
      { status: 'success', message: 'Password has been reset' },
      { userId, meta: { sessions_revoked: sessionsRevoked } },
    );
  }

  /** The emailed link's page: a GET never consumes the token, the form's POST does. */
  @Public()
  @Get('reset')
  @ApiPublic({ summary: 'The page behind the emailed link: a form for the new password' })
  @ApiQuery({
    name: 'token',
    required: false,
    type: String,
    description: 'The token from the emailed link; a GET never consumes it',
  })
  @ApiHtmlPage('A page whose form posts the new password')
  page(
    @Query('token') token: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): string {
    return sendTokenPage(reply, token, {
      title: 'Choose a new password',
      action: '/password/reset',
      done: 'Your password has been reset. You can log in with it now.',
      content:
        '<label for="new_password">New password</label>\n' +
        '<input type="password" id="new_password" name="new_password" autocomplete="new-password" required>',
      button: 'Set my new password',
    });
  }

  @Post('change')
  @HttpCode(HttpStatus.OK)
  @Audit('password.change')
  @ApiSession(
    {
      summary: 'Change the password of the logged-in account',
      description:
        'Other sessions of the account are revoked; the current one stays. INVALID_CREDENTIALS: ' +
        'the current password is wrong (the session stays). With two-factor login on, `code` is ' +
        'required (MFA_CODE_REQUIRED) and must be valid (MFA_CODE_INVALID).',
    },
    ...BODY_PROBLEMS,
    'WEAK_PASSWORD',
    'INVALID_CREDENTIALS',
    'MFA_CODE_REQUIRED',
    'MFA_CODE_INVALID',
    'TOO_MANY_REQUESTS',
    ...HASHING_PROBLEMS,
  )
  @ApiOkResponse({ type: MessageResponse })
  async change(
    @Body() body: ChangePasswordRequest,
    @CurrentSession() session: AuthenticatedSession,
  ): Promise<Audited<MessageResponse>> {
    const { revoked, secondFactor } = await this.passwords.change(
      session.userId,
      session.sessionId,
      body,
    );
    return audited(
      { status: 'success', message: 'Password has been changed' },
      {
        meta: { sessions_revoked: revoked, mfa: secondFactor?.method ?? null },
        events: secondFactor?.events ?? [],
      },
    );
  }
}
