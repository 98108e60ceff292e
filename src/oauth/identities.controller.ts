import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Inject,
  Param,
  Post,
  Req,
  Res,
} from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { ApiOkResponse, ApiParam, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Audit } from '../audit/audit.interceptor';
import { Audited, audited } from '../audit/audited';
import { ApiSession, BODY_PROBLEMS, HASHING_PROBLEMS } from '../common/api-docs';
import { CryptoService } from '../common/crypto.service';
import { AuthenticatedSession, CurrentSession } from '../common/current-session';
import { MessageResponse } from '../common/problem.response';
import { oauthConfig } from '../config/oauth.config';
import { bindBrowser } from './browser-binding';
import {
  AuthorizationUrlResponse,
  IdentitiesResponse,
  IdentityResponse,
  LinkIdentityRequest,
} from './dto/oauth.dto';
import { OAuthAccounts } from './oauth-accounts';
import { OAuthService } from './oauth.service';

const PROVIDER_PARAM = ApiParam({
  name: 'provider',
  description: 'A provider named in OAUTH_PROVIDERS',
  example: 'github',
});

@ApiTags('users')
@Controller('users/me/identities')
export class IdentitiesController {
  constructor(
    private readonly oauth: OAuthService,
    private readonly accounts: OAuthAccounts,
    private readonly crypto: CryptoService,
    @Inject(oauthConfig.KEY) private readonly config: ConfigType<typeof oauthConfig>,
  ) {}

  @Get()
  @ApiSession({ summary: "The sign-in providers linked to the caller's account" })
  @ApiOkResponse({ type: IdentitiesResponse })
  async list(@CurrentSession() session: AuthenticatedSession): Promise<IdentitiesResponse> {
    const identities = await this.accounts.list(session.userId);
    return { identities: identities.map((identity) => IdentityResponse.of(identity)) };
  }

  @Post(':provider')
  @HttpCode(HttpStatus.OK)
  @Audit('identity.link')
  @PROVIDER_PARAM
  @ApiSession(
    {
      summary: "Start linking a provider to the caller's account: its authorization URL",
      description:
        'Proof of ownership: the password when the account has one, and with two-factor login on ' +
        'a code (TOTP or recovery code) too; an account made by a provider without two-factor login ' +
        'sets a password through forgot-password first. The answer sets an HttpOnly cookie that ' +
        "binds the link to this browser: call this from a page on the service's origin and open " +
        'authorization_url in the same browser. The callback then links the identity and sends the ' +
        'browser to redirect_uri?linked=<provider>, or redirect_uri?error=IDENTITY_IN_USE when the ' +
        'provider account is linked to another account. The account owner is mailed.',
    },
    ...BODY_PROBLEMS,
    'REDIRECT_URI_NOT_ALLOWED',
    'INVALID_CREDENTIALS',
    'MFA_CODE_REQUIRED',
    'MFA_CODE_INVALID',
    'TOO_MANY_REQUESTS',
    'PROVIDER_UNKNOWN',
    'PROVIDER_ALREADY_LINKED',
    'PROVIDER_UNAVAILABLE',
    ...HASHING_PROBLEMS,
  )
  @ApiOkResponse({ type: AuthorizationUrlResponse })
  async link(
    @Param('provider') provider: string,
    @Body() body: LinkIdentityRequest,
    @CurrentSession() session: AuthenticatedSession,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Audited<AuthorizationUrlResponse>> {
    const browser = bindBrowser(
      request,
      reply,
      () => this.crypto.randomToken(),
      this.config.secureCookies,
    );
    const { url, facts } = await this.oauth.startLink(
      session.userId,
      provider,
      { password: body.password, code: body.code },
      body.redirect_uri,
      browser,
    );
    return audited({ authorization_url: url }, facts);
  }

  @Delete(':provider')
  @HttpCode(HttpStatus.OK)
  @Audit('identity.unlinked')
  @PROVIDER_PARAM
  @ApiSession(
    {
      summary: "Unlink a provider from the caller's account",
      description:
        'LAST_LOGIN_METHOD: the account has no password and no other provider (set a password ' +
        'through forgot-password, or link another provider, first). The account owner is mailed.',
    },
    'IDENTITY_NOT_FOUND',
    'LAST_LOGIN_METHOD',
  )
  @ApiOkResponse({ type: MessageResponse })
  async unlink(
    @Param('provider') provider: string,
    @CurrentSession() session: AuthenticatedSession,
  ): Promise<Audited<MessageResponse>> {
    await this.accounts.unlink(session.userId, provider);
    return audited(
      { status: 'success', message: 'Provider unlinked' },
      { userId: session.userId, meta: { provider } },
    );
  }
}
