import {
  applyDecorators,
  CallHandler,
  createParamDecorator,
  ExecutionContext,
  Inject,
  Injectable,
  NestInterceptor,
  PipeTransform,
  SetMetadata,
  Type,
  UseInterceptors,
} from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { Reflector } from '@nestjs/core';
import { ApiExtraModels, ApiHeader, ApiOkResponse, getSchemaPath } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { map, Observable } from 'rxjs';
import { Audited } from '../audit/audited';
import { Errors } from '../common/errors';
import { assertNoBody, ProblemValidationPipe } from '../common/validation';
import { appConfig } from '../config/app.config';
import { authConfig } from '../config/auth.config';
import { CookieTokenResponse, RefreshRequest, TokenResponse } from './dto/auth.dto';

/** The request header by which a browser page asks for cookie mode. */
export const TOKEN_DELIVERY_HEADER = 'X-Token-Delivery';
/** The cookie that holds the refresh token in cookie mode. */
export const REFRESH_COOKIE = 'refresh_token';
/** Only POST /auth/... requests carry the cookie. */
const COOKIE_PATH = '/auth';

export type DeliveryMode = 'json' | 'cookie';

/**
 * Where a route's tokens go: API clients get the refresh token in the JSON body; a browser page
 * that sends `X-Token-Delivery: cookie` gets it in an HttpOnly, SameSite=Strict cookie on
 * /auth (Secure when APP_URL is https), where its own script cannot read it. Cookie mode is
 * same-origin only: every cookie-mode request must carry APP_URL's origin in `Origin`.
 */
@Injectable()
export class TokenDelivery {
  private readonly origin: string;
  private readonly secure: boolean;
  private readonly maxAgeSeconds: number;
  private readonly bodyPipe = new ProblemValidationPipe();

  constructor(
    @Inject(appConfig.KEY) app: ConfigType<typeof appConfig>,
    @Inject(authConfig.KEY) auth: ConfigType<typeof authConfig>,
  ) {
    this.origin = new URL(app.appUrl).origin;
    this.secure = app.secureCookies;
    this.maxAgeSeconds = auth.refreshTokenDays * 24 * 60 * 60;
  }

  /** json unless the request asks for cookie mode; any other value is refused (400). */
  modeOf(request: FastifyRequest): DeliveryMode {
    const asked = request.headers[TOKEN_DELIVERY_HEADER.toLowerCase()];
    if (asked === undefined) return 'json';
    if (asked === 'cookie' || asked === 'json') return asked;
    const message = `${TOKEN_DELIVERY_HEADER} must be "cookie" or "json"`;
    throw Errors.validation([{ field: TOKEN_DELIVERY_HEADER, message }], 'header');
  }

  /** A cookie-mode request must come from a page of this service (403 ORIGIN_NOT_ALLOWED). */
  assertOwnOrigin(request: FastifyRequest): void {
    if (request.headers.origin !== this.origin) throw Errors.originNotAllowed();
  }

  /** Moves the answer's refresh token (if it has one) into the cookie. */
  deliver<T extends object>(reply: FastifyReply, answer: T): T | Omit<T, 'refresh_token'> {
    if (!('refresh_token' in answer)) return answer;
    const { refresh_token: refreshToken, ...rest } = answer;
    void reply.setCookie(REFRESH_COOKIE, String(refreshToken), {
      ...this.cookieAttributes(),
      maxAge: this.maxAgeSeconds,
    });
    return rest;
  }

  /** Tells the browser to drop the cookie (same attributes, Max-Age=0). */
  clear(reply: FastifyReply): void {
    void reply.clearCookie(REFRESH_COOKIE, this.cookieAttributes());
  }

  /**
   * The refresh token a refresh presents: in cookie mode the cookie's (no body, or `{}`; no
   * cookie is 401 TOKEN_INVALID); otherwise the body's, validated as every body is.
   */
  async presentedRefreshToken(request: FastifyRequest): Promise<string> {
    if (this.modeOf(request) === 'json') {
      const metadata = { type: 'body' as const, metatype: RefreshRequest };
      const body = (await this.bodyPipe.transform(request.body, metadata)) as RefreshRequest;
      return body.refresh_token;
    }
    assertNoBody(request.body);
    const token = request.cookies[REFRESH_COOKIE];
    if (!token) throw Errors.unauthorized('TOKEN_INVALID');
    return token;
  }

  private cookieAttributes() {
    return {
      httpOnly: true,
      sameSite: 'strict' as const,
      path: COOKIE_PATH,
      secure: this.secure,
    };
  }
}

/** What a route does with the cookie in cookie mode. */
type CookieRole = 'issue' | 'end';
const COOKIE_ROLE = 'tokenDeliveryRole';

/**
 * In cookie mode: checks Origin before the handler runs, then moves the refresh token of the
 * answer into the cookie (`issue`), or clears the cookie (`end`). Audited answers keep their
 * facts. In JSON mode it does nothing.
 */
@Injectable()
export class TokenDeliveryInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly delivery: TokenDelivery,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    if (this.delivery.modeOf(request) === 'json') return next.handle();
    this.delivery.assertOwnOrigin(request);
    const reply = http.getResponse<FastifyReply>();
    const role = this.reflector.get<CookieRole>(COOKIE_ROLE, context.getHandler());
    const deliver = (body: unknown) => {
      if (role === 'end') {
        this.delivery.clear(reply);
        return body;
      }
      return typeof body === 'object' && body !== null ? this.delivery.deliver(reply, body) : body;
    };
    return next
      .handle()
      .pipe(
        map((value: unknown) =>
          value instanceof Audited ? new Audited(deliver(value.body), value.facts) : deliver(value),
        ),
      );
  }
}

const DELIVERY_HEADER_DOC = ApiHeader({
  name: TOKEN_DELIVERY_HEADER,
  required: false,
  enum: ['cookie', 'json'],
  description:
    'For browser pages of this service: `cookie` puts the refresh token in the `refresh_token` ' +
    'cookie (HttpOnly, SameSite=Strict, Path=/auth, Secure on https) instead of the body. ' +
    "Cookie mode needs `Origin` equal to APP_URL's origin (403 ORIGIN_NOT_ALLOWED). " +
    'Default `json`.',
});

/**
 * A route that answers tokens (login, its two-factor step, refresh, a social login's
 * exchange): the refresh token goes in the body, or in cookie mode in the cookie. `alsoAnswers`
 * are the route's other 200 bodies (the two-factor challenge). Documents the header, both
 * bodies and the Set-Cookie header; list ORIGIN_NOT_ALLOWED in the route's problems.
 */
export const DeliversTokens = (...alsoAnswers: Type<unknown>[]) =>
  applyDecorators(
    SetMetadata(COOKIE_ROLE, 'issue' satisfies CookieRole),
    UseInterceptors(TokenDeliveryInterceptor),
    DELIVERY_HEADER_DOC,
    ApiExtraModels(TokenResponse, CookieTokenResponse, ...alsoAnswers),
    ApiOkResponse({
      description:
        'The tokens: in cookie mode without refresh_token, which is in the refresh_token cookie',
      headers: {
        'Set-Cookie': {
          description:
            'In cookie mode: `refresh_token=<token>; Max-Age=<REFRESH_TOKEN_EXPIRE_DAYS in ' +
            'seconds>; Path=/auth; HttpOnly; SameSite=Strict` (+ `Secure` when APP_URL is https)',
          schema: { type: 'string' },
        },
      },
      schema: {
        oneOf: [TokenResponse, CookieTokenResponse, ...alsoAnswers].map((model) => ({
          $ref: getSchemaPath(model),
        })),
      },
    }),
  );

/** A route that ends the session: in cookie mode it checks Origin and clears the cookie. */
export const EndsBrowserSession = () =>
  applyDecorators(
    SetMetadata(COOKIE_ROLE, 'end' satisfies CookieRole),
    UseInterceptors(TokenDeliveryInterceptor),
    DELIVERY_HEADER_DOC,
  );

/** Reads the refresh token a refresh presents, from the body or, in cookie mode, the cookie. */
@Injectable()
export class PresentedRefreshTokenPipe implements PipeTransform<FastifyRequest, Promise<string>> {
  constructor(private readonly delivery: TokenDelivery) {}

  transform(request: FastifyRequest): Promise<string> {
    return this.delivery.presentedRefreshToken(request);
  }
}

/** The refresh token the caller presents (see TokenDelivery.presentedRefreshToken). */
export const PresentedRefreshToken = () =>
  createParamDecorator((_: unknown, context: ExecutionContext) =>
    context.switchToHttp().getRequest<FastifyRequest>(),
  )(PresentedRefreshTokenPipe);
