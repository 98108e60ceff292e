import type { FastifyReply, FastifyRequest } from 'fastify';
import { FLOW_LIFETIME_SECONDS } from './oauth-flows';

/** The cookie that binds a sign-in's state to the browser that started it. */
export const BROWSER_COOKIE = 'oauth_browser';
const BROWSER_ID = /^[A-Za-z0-9_-]{43}$/;

/** This browser's id from its cookie, when it sent a well-formed one. */
export function browserOf(request: FastifyRequest): string | undefined {
  const value = request.cookies?.[BROWSER_COOKIE];
  return value && BROWSER_ID.test(value) ? value : undefined;
}

/**
 * Keeps the browser's id (or makes one) in an HttpOnly cookie for the flow's ten minutes. The
 * callback arrives as a top-level navigation from the provider's site: SameSite=Lax sends the
 * cookie there, Strict would not. Path=/auth/oauth: no other route sees it.
 */
export function bindBrowser(
  request: FastifyRequest,
  reply: FastifyReply,
  newId: () => string,
  secure: boolean,
): string {
  const id = browserOf(request) ?? newId();
  void reply.setCookie(BROWSER_COOKIE, id, {
    httpOnly: true,
    sameSite: 'lax',
    secure,
    path: '/auth/oauth',
    maxAge: FLOW_LIFETIME_SECONDS,
  });
  return id;
}
