import {
  Body,
  Controller,
  Get,
  HttpCode,
  HttpStatus,
  Inject,
  Param,
  Post,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { ApiOkResponse, ApiParam, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Audit } from '../audit/audit.interceptor';
import { Audited, audited } from '../audit/audited';
import { MfaChallengeResponse, TokenResponse } from '../auth/dto/auth.dto';
import { DeliversTokens } from '../auth/token-delivery';
import { ApiPublic, BODY_PROBLEMS, STORE_PROBLEMS } from '../common/api-docs';
import { Client, ClientInfo } from '../common/client-info';
import { CryptoService } from '../common/crypto.service';
import { Public } from '../common/public.decorator';
import { oauthConfig } from '../config/oauth.config';
import { RateLimit } from '../throttle/rate-limit.decorator';
import { bindBrowser, browserOf } from './browser-binding';
import { ExchangeRequest, ProvidersResponse, StartQuery } from './dto/oauth.dto';
import { OAuthService } from './oauth.service';

/** A 302 answer: where the browser goes next. */
export const ApiRedirect = (description: string) =>
  ApiResponse({
    status: HttpStatus.FOUND,
    description,
    headers: {
      Location: {
        description: 'Where the browser goes next',
        schema: { type: 'string', format: 'uri' },
      },
    },
  });

const PROVIDER_PARAM = ApiParam({
  name: 'provider',
  description: 'A provider named in OAUTH_PROVIDERS (GET /auth/oauth/providers)',
  example: 'google',
});

@ApiTags('oauth')
@Controller('auth/oauth')
export class OAuthController {
  constructor(
    private readonly oauth: OAuthService,
    private readonly crypto: CryptoService,
    @Inject(oauthConfig.KEY) private readonly config: ConfigType<typeof oauthConfig>,
  ) {}

  @Public()
  @Get('providers')
  @ApiPublic({ summary: 'The configured sign-in providers' })
  @ApiOkResponse({ type: ProvidersResponse })
  providers(): ProvidersResponse {
    return { providers: this.oauth.listProviders() };
  }

  @Public()
  @Get(':provider/start')
  @RateLimit('oauth_start')
  @HttpCode(HttpStatus.FOUND)
  @PROVIDER_PARAM
  @ApiPublic(
    {
      summary: "Start a sign-in: 302 to the provider's sign-in page",
      description:
        'Open it in the browser (a link or a form, not fetch). The request carries state, an OIDC ' +
        'nonce and PKCE S256; state is single use, kept hashed, bound to this browser by an HttpOnly ' +
        'cookie, and expires in 10 minutes. A redirect_uri not equal to an entry of ' +
        'OAUTH_REDIRECT_URIS is refused with 400 and never redirected to.',
    },
    'VALIDATION_FAILED',
    'REDIRECT_URI_NOT_ALLOWED',
    'PROVIDER_UNKNOWN',
    'PROVIDER_UNAVAILABLE',
    'TOO_MANY_REQUESTS',
    ...STORE_PROBLEMS,
  )
  @ApiRedirect("To the provider's authorization endpoint")
  async start(
    @Param('provider') provider: string,
    @Query() query: StartQuery,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<void> {
    const browser = bindBrowser(
      request,
      reply,
      () => this.crypto.randomToken(),
      this.config.secureCookies,
    );
    const url = await this.oauth.startSignIn(
      provider,
      query.redirect_uri,
      query.force === 'true',
      browser,
    );
    void reply.header('Location', url);
  }

  @Public()
  @Get(':provider/callback')
  @RateLimit('oauth_callback')
  @HttpCode(HttpStatus.FOUND)
  @Audit('oauth.callback')
  @PROVIDER_PARAM
  @ApiQuery({
    name: 'state',
    required: false,
    type: String,
    description: 'As the provider sends it back',
  })
  @ApiQuery({
    name: 'code',
    required: false,
    type: String,
    description: "The provider's authorization code",
  })
  @ApiQuery({
    name: 'iss',
    required: false,
    type: String,
    description: "The provider's issuer (RFC 9207), checked when sent",
  })
  @ApiQuery({
    name: 'error',
    required: false,
    type: String,
    description: 'The provider refused (e.g. access_denied)',
  })
  @ApiPublic(
    {
      summary: "The provider's answer: 302 to the redirect_uri with ?code= or ?error=CODE",
      description:
        'The provider sends the browser here. State is checked against the cookie and the server ' +
        'record, iss when sent (RFC 9207), the code is exchanged with the PKCE verifier, and the ID ' +
        "token's signature (provider JWKS), iss, aud, nonce and exp are validated. Success: 302 to " +
        'redirect_uri?code=… (60 s, single use; POST /auth/oauth/exchange), or for a link ' +
        'redirect_uri?linked=<provider>. Failure after a good state: 302 to redirect_uri?error=CODE ' +
        'with CODE one of ACCOUNT_EXISTS, IDENTITY_IN_USE, PROVIDER_ALREADY_LINKED, EMAIL_UNAVAILABLE, ' +
        'PROVIDER_DENIED, PROVIDER_UNAVAILABLE, PROVIDER_RESPONSE_INVALID, CONFLICT, INTERNAL_ERROR. ' +
        'A missing, unknown, used, expired or other-browser state answers 400 OAUTH_STATE_INVALID ' +
        '(no trusted page to go to). Never tokens in a URL.',
    },
    'OAUTH_STATE_INVALID',
    'PROVIDER_UNKNOWN',
    'TOO_MANY_REQUESTS',
    ...STORE_PROBLEMS,
  )
  @ApiRedirect('To the redirect_uri given at the start, with code, linked or error')
  async callback(
    @Param('provider') provider: string,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Audited<void>> {
    // The provider adds parameters of its own (scope, authuser, session_state): read as sent.
    const rawQuery = request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : '';
    const query = Object.fromEntries(new URLSearchParams(rawQuery));
    const { location, facts } = await this.oauth.callback(
      provider,
      query,
      rawQuery,
      browserOf(request),
    );
    void reply.header('Location', location);
    return audited(undefined, facts);
  }

  @Public()
  @Post('exchange')
  @RateLimit('oauth_exchange')
  @HttpCode(HttpStatus.OK)
  @Audit('oauth.login')
  @ApiPublic(
    {
      summary: "Trade the callback's code for what POST /auth/login answers",
      description:
        'The tokens (amr ["fed"]), or with two-factor login on {mfa_required: true, mfa_token, …} ' +
        '(continue with POST /auth/login/mfa; the tokens then carry amr ["fed", "otp"]). ' +
        'SESSION_ACTIVE unless the sign-in was started with force=true; ACCOUNT_DISABLED; ' +
        'EMAIL_NOT_VERIFIED (a new account whose email the provider did not vouch for: the ' +
        'verification mail was sent). OAUTH_CODE_INVALID: unknown, used or older than 60 s. ' +
        "With X-Token-Delivery: cookie (pages of this service only: Origin must be APP_URL's " +
        'origin, else 403 ORIGIN_NOT_ALLOWED) the refresh token is set as the refresh_token ' +
        'cookie and left out of the body, as at POST /auth/login.',
    },
    ...BODY_PROBLEMS,
    'OAUTH_CODE_INVALID',
    'EMAIL_NOT_VERIFIED',
    'ACCOUNT_DISABLED',
    'ORIGIN_NOT_ALLOWED',
    'SESSION_ACTIVE',
    'TOO_MANY_REQUESTS',
    ...STORE_PROBLEMS,
  )
  @DeliversTokens(MfaChallengeResponse)
  async exchange(
    @Body() body: ExchangeRequest,
    @Client() client: ClientInfo,
  ): Promise<Audited<TokenResponse | MfaChallengeResponse>> {
    // Answered as the login's answer is (LoginCompletion's), so login's response handling fits.
    const { answer, facts } = await this.oauth.exchange(body.code, client);
    return audited(answer, facts);
  }
}
