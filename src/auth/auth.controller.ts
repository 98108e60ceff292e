import {
  Body,
  Controller,
  createParamDecorator,
  ExecutionContext,
  HttpCode,
  HttpStatus,
  Post,
  UseGuards,
} from '@nestjs/common';
import {
  ApiBody,
  ApiCreatedResponse,
  ApiExtraModels,
  ApiOkResponse,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import { Audit } from '../audit/audit.interceptor';
import { Audited, audited } from '../audit/audited';
import { Client, ClientInfo } from '../common/client-info';
import { AuthenticatedSession, CurrentSession } from '../common/current-session';
import { MessageResponse } from '../common/problem.response';
import { Public } from '../common/public.decorator';
import { UserResponse } from '../users/dto/user.response';
import type { User } from '../users/user.entity';
import { AuthService } from './auth.service';
import {
  LoginRequest,
  MfaChallengeResponse,
  MfaLoginRequest,
  RefreshRequest,
  SignupRequest,
  SignupResponse,
  TokenResponse,
} from './dto/auth.dto';
import { LocalAuthGuard } from './guards/local-auth.guard';
import { SignupService } from './signup.service';
import { RateLimit } from '../throttle/rate-limit.decorator';
import {
  ApiPublic,
  ApiSession,
  BODY_PROBLEMS,
  HASHING_PROBLEMS,
  STORE_PROBLEMS,
} from '../common/api-docs';
import { NoBody } from '../common/validation';
import { Errors } from '../common/errors';
import { LoginCompletion, sessionStartFacts } from './login-completion';
import { MfaChallenges } from './mfa-challenges';
import {
  DeliversTokens,
  EndsBrowserSession,
  PresentedRefreshToken,
  REFRESH_COOKIE,
} from './token-delivery';

/** An empty JSON object: the body of logout, and of a refresh in cookie mode. */
const NO_FIELDS = { type: 'object', properties: {}, additionalProperties: false } as const;

const COOKIE_MODE =
  'With X-Token-Delivery: cookie (browser pages of this service only: Origin must be ' +
  `APP_URL's origin, else 403 ORIGIN_NOT_ALLOWED) the refresh token is set as the ${REFRESH_COOKIE} ` +
  'cookie and left out of the body.';

/** The login body exactly as LocalAuthGuard validated it (not validated a second time). */
const ValidatedLogin = createParamDecorator(
  (_: unknown, context: ExecutionContext): LoginRequest =>
    context.switchToHttp().getRequest<{ body: LoginRequest }>().body,
);

/** The account Passport's local strategy authenticated. */
const AuthenticatedUser = createParamDecorator(
  (_: unknown, context: ExecutionContext): User =>
    context.switchToHttp().getRequest<{ user: User }>().user,
);

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly signups: SignupService,
    private readonly completion: LoginCompletion,
    private readonly challenges: MfaChallenges,
  ) {}

  @Public()
  @Post('signup')
  @RateLimit('signup')
  @Audit('signup')
  @ApiPublic(
    { summary: 'Create an account; the verification mail is sent' },
    ...BODY_PROBLEMS,
    'WEAK_PASSWORD',
    'EMAIL_TAKEN',
    'USERNAME_TAKEN',
    'TOO_MANY_REQUESTS',
    ...STORE_PROBLEMS,
    ...HASHING_PROBLEMS,
  )
  @ApiCreatedResponse({ type: SignupResponse })
  async signup(@Body() body: SignupRequest): Promise<Audited<SignupResponse>> {
    const user = await this.signups.signup(body);
    return audited(
      { status: 'success', message: 'User created successfully', user: UserResponse.of(user) },
      { userId: user.id },
    );
  }

  @Public()
  @Post('login')
  @RateLimit('login')
  @HttpCode(HttpStatus.OK)
  @UseGuards(LocalAuthGuard)
  @Audit('login')
  @ApiPublic(
    {
      summary: 'Log in; one live session per account',
      description:
        'INVALID_CREDENTIALS answers an unknown email and a wrong password alike; EMAIL_NOT_VERIFIED ' +
        'and ACCOUNT_DISABLED come only after a correct password. With two-factor login on, a correct password answers ' +
        '{mfa_required: true, mfa_token, mfa_methods, expires_in} and no session yet: continue with ' +
        'POST /auth/login/mfa. With SESSION_POLICY=reject, a login while another ' +
        'session is active answers 409 SESSION_ACTIVE. A client should ask the user whether to end ' +
        'the other session and, if so, retry with "force": true, which ends it (its tokens then get ' +
        '401 SESSION_REPLACED). With SESSION_POLICY=replace every login replaces. Repeated failures ' +
        'are slowed down with 429 and Retry-After. ' +
        COOKIE_MODE,
    },
    ...BODY_PROBLEMS,
    'INVALID_CREDENTIALS',
    'EMAIL_NOT_VERIFIED',
    'ACCOUNT_DISABLED',
    'ORIGIN_NOT_ALLOWED',
    'SESSION_ACTIVE',
    'TOO_MANY_REQUESTS',
    ...STORE_PROBLEMS,
    ...HASHING_PROBLEMS,
  )
  @DeliversTokens(MfaChallengeResponse)
  @ApiBody({ type: LoginRequest })
  async login(
    @ValidatedLogin() body: LoginRequest,
    @AuthenticatedUser() user: User,
    @Client() client: ClientInfo,
  ): Promise<Audited<TokenResponse | MfaChallengeResponse>> {
    const { answer, facts } = await this.completion.complete(user, client, body.force === true);
    return audited(answer, facts);
  }

  @Public()
  @Post('login/mfa')
  @RateLimit('login_mfa')
  @HttpCode(HttpStatus.OK)
  @Audit('mfa.challenge')
  @ApiPublic(
    {
      summary: 'Second step of a login with two-factor login on: a TOTP code or a recovery code',
      description:
        'Answers as POST /auth/login does, with a session whose tokens carry amr ["pwd", "otp"]. ' +
        'MFA_CODE_INVALID: a wrong, used or replayed code; after five, or once expired or used, the ' +
        'mfa_token is void (MFA_TOKEN_INVALID: log in again). Wrong codes count toward the ' +
        "account's login back-off (429). 409 SESSION_ACTIVE comes at this step: after a correct " +
        'code the same mfa_token may retry with "force": true and no code, within its five minutes. ' +
        COOKIE_MODE,
    },
    ...BODY_PROBLEMS,
    'MFA_CODE_INVALID',
    'MFA_TOKEN_INVALID',
    'MFA_CODE_REQUIRED',
    'ACCOUNT_DISABLED',
    'ORIGIN_NOT_ALLOWED',
    'SESSION_ACTIVE',
    'TOO_MANY_REQUESTS',
    ...STORE_PROBLEMS,
  )
  @DeliversTokens()
  async loginMfa(
    @Body() body: MfaLoginRequest,
    @Client() client: ClientInfo,
  ): Promise<Audited<TokenResponse>> {
    if (body.code !== undefined && body.recovery_code !== undefined)
      throw Errors.validation([
        { field: 'recovery_code', message: 'send code or recovery_code, not both' },
      ]);
    const forced = body.force === true;
    const passed = await this.challenges.pass(
      body.mfa_token,
      { totp: body.code, recoveryCode: body.recovery_code },
      client,
      forced,
    );
    const facts = sessionStartFacts(passed.started, forced);
    return audited(passed.tokens, {
      userId: passed.userId,
      meta: { ...facts.meta, method: passed.method },
      events: [
        ...passed.events,
        { action: 'login', outcome: 'success', meta: { ...facts.meta, mfa: true } },
        ...(facts.events ?? []),
      ],
    });
  }

  @Public()
  @Post('refresh')
  @RateLimit('refresh')
  @HttpCode(HttpStatus.OK)
  @Audit('token.refresh')
  @ApiPublic(
    {
      summary:
        'Trade a refresh token for new tokens (rotation; a reused token revokes the session)',
      description:
        'TOKEN_INVALID (not one of ours), TOKEN_EXPIRED (the session outlived REFRESH_TOKEN_EXPIRE_DAYS), ' +
        'SESSION_ENDED / SESSION_REPLACED / SESSION_REVOKED (the session is over: log in again). ' +
        'Presenting a refresh token that was already used revokes the session (SESSION_REVOKED). ' +
        `In cookie mode the body is empty (or {}) and the token is the ${REFRESH_COOKIE} cookie ` +
        '(none: TOKEN_INVALID); the new one replaces it. ' +
        COOKIE_MODE,
    },
    ...BODY_PROBLEMS,
    'TOKEN_INVALID',
    'TOKEN_EXPIRED',
    'SESSION_ENDED',
    'SESSION_REPLACED',
    'SESSION_REVOKED',
    'ORIGIN_NOT_ALLOWED',
    'TOO_MANY_REQUESTS',
    ...STORE_PROBLEMS,
  )
  @DeliversTokens()
  @ApiExtraModels(RefreshRequest)
  @ApiBody({
    required: false,
    description: `The refresh token; in cookie mode no body (or {}): the ${REFRESH_COOKIE} cookie is read`,
    schema: { oneOf: [{ $ref: getSchemaPath(RefreshRequest) }, NO_FIELDS] },
  })
  async refresh(@PresentedRefreshToken() refreshToken: string): Promise<Audited<TokenResponse>> {
    const { tokens, sessionId, userId } = await this.auth.refresh(refreshToken);
    return audited(tokens, { userId, meta: { session_id: sessionId } });
  }

  @Post('logout')
  @HttpCode(HttpStatus.OK)
  @Audit('logout')
  @ApiSession(
    {
      summary: "End the caller's session; its access and refresh tokens then get 401 SESSION_ENDED",
      description:
        'Takes no body; an empty JSON object is accepted, any field is refused. In cookie mode ' +
        `(X-Token-Delivery: cookie) it also clears the ${REFRESH_COOKIE} cookie; Origin must be ` +
        "APP_URL's origin (403 ORIGIN_NOT_ALLOWED).",
    },
    ...BODY_PROBLEMS,
    'ORIGIN_NOT_ALLOWED',
  )
  @EndsBrowserSession()
  @ApiBody({ required: false, schema: NO_FIELDS })
  @ApiOkResponse({
    type: MessageResponse,
    headers: {
      'Set-Cookie': {
        description: `In cookie mode: clears the ${REFRESH_COOKIE} cookie (Max-Age=0, same attributes)`,
        schema: { type: 'string' },
      },
    },
  })
  async logout(
    @NoBody() _body: undefined,
    @CurrentSession() session: AuthenticatedSession,
  ): Promise<MessageResponse> {
    await this.auth.logout(session.sessionId);
    return { status: 'success', message: 'Logged out' };
  }
}
