import { Body, Controller, Get, HttpCode, HttpStatus, Post, Query, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Audit } from '../audit/audit.interceptor';
import { Audited, audited } from '../audit/audited';
import { MessageResponse } from '../common/problem.response';
import { ApiHtmlPage, ApiPublic, BODY_PROBLEMS, STORE_PROBLEMS } from '../common/api-docs';
import { Public } from '../common/public.decorator';
import { sendTokenPage } from '../pages/page';
import { RateLimit } from '../throttle/rate-limit.decorator';
import { ConfirmVerificationRequest, SendVerificationRequest } from './dto/verification.dto';
import { VerificationService } from './verification.service';

const SENT: MessageResponse = {
  status: 'accepted',
  message: 'If the address belongs to an unverified account, a verification email is on its way',
};

@ApiTags('verification')
@Public()
@Controller('verify')
export class VerificationController {
  constructor(private readonly verification: VerificationService) {}

  @Post('send')
  @HttpCode(HttpStatus.ACCEPTED)
  @RateLimit('verify_send')
  @Audit('email.verify.sent')
  @ApiPublic(
    { summary: 'Mail a new verification link (valid 24 hours, single use)' },
    ...BODY_PROBLEMS,
    'TOO_MANY_REQUESTS',
    ...STORE_PROBLEMS,
  )
  @ApiAcceptedResponse({
    type: MessageResponse,
    description: 'The same answer whether or not the account exists',
  })
  async send(@Body() body: SendVerificationRequest): Promise<Audited<MessageResponse>> {
    const { sent, userId } = await this.verification.resend(body.email);
    return audited(SENT, { userId, meta: { sent } });
  }

  @Post('confirm')
  @HttpCode(HttpStatus.OK)
  @RateLimit('verify_confirm')
  @Audit('email.verify')
  @ApiPublic(
    {
      summary: 'Verify the email address with the emailed token',
      description: 'INVALID_TOKEN: unknown, used or expired.',
    },
    ...BODY_PROBLEMS,
    'INVALID_TOKEN',
    'TOO_MANY_REQUESTS',
    ...STORE_PROBLEMS,
  )
  @ApiOkResponse({ type: MessageResponse })
  async confirm(@Body() body: ConfirmVerificationRequest): Promise<Audited<MessageResponse>> {
    const userId = await this.verification.confirm(body.token);
    return audited({ status: 'success', message: 'Email verified' }, { userId });
  }

  /** Mail scanners prefetch links, so a GET only shows a button; the POST consumes the token. */
  @Get('confirm')
  @ApiPublic({ summary: 'The page behind the emailed link: a button that confirms the address' })
  @ApiQuery({
    name: 'token',
    required: false,
    type: String,
    description: 'The token from the emailed link; a GET never consumes it',
  })
  @ApiHtmlPage('A page whose button confirms the address')
  page(
    @Query('token') token: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): string {
    return sendTokenPage(reply, token, {
      title: 'Confirm your email',
      action: '/verify/confirm',
      done: 'Your email address is verified. You can log in now.',
      content: '<p>Confirm that this email address is yours.</p>',
      button: 'Confirm my email',
    });
  }
}
