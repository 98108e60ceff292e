// The one way the pages talk to the service: the project's typed client (clients/typescript),
// the access token kept in memory only, the refresh token in an HttpOnly cookie ("cookie mode").
import { createAuthClient, type Problem } from '../../clients/typescript/index';
import { NETWORK_SENTENCE, sentenceFor } from './problems';

let accessToken: string | undefined;

export const api = createAuthClient(location.origin, { accessToken: () => accessToken });

/** Asks the service for the refresh token as an HttpOnly cookie instead of in the JSON body. */
export const COOKIE_MODE = { 'X-Token-Delivery': 'cookie' } as const;

/** Why a bearer token was refused: the session is over and the person must log in again. */
const SESSION_OVER = new Set([
  'TOKEN_INVALID',
  'TOKEN_EXPIRED',
  'SESSION_ENDED',
  'SESSION_REPLACED',
  'SESSION_REVOKED',
]);

type SessionListener = (signedIn: boolean, reason?: string) => void;
const sessionListeners = new Set<SessionListener>();

/** Called with (true) after a login or a restored session, (false, why) when it ends. */
export function onSessionChange(listener: SessionListener): () => void {
  sessionListeners.add(listener);
  return () => void sessionListeners.delete(listener);
}

export function isSignedIn(): boolean {
  return accessToken !== undefined;
}

/**
 * Whether this browser may hold a refresh cookie: the cookie itself is HttpOnly (and scoped to
 * /auth), so the page keeps this hint, which is no secret, to skip a refresh bound to fail.
 */
const HINT = 'dashboard.session';
const hint = {
  get: () => localStorage.getItem(HINT) === '1',
  set: (on: boolean) => (on ? localStorage.setItem(HINT, '1') : localStorage.removeItem(HINT)),
};

/** After a login: the new access token (the refresh token came as a cookie). */
export function startSession(token: string): void {
  accessToken = token;
  hint.set(true);
  sessionListeners.forEach((listener) => listener(true));
}

/** Forgets the access token; `reason` (a problem code or a sentence key) says why. */
export function endSession(reason?: string): void {
  accessToken = undefined;
  hint.set(false);
  sessionListeners.forEach((listener) => listener(false, reason));
}

interface Answer {
  error?: unknown;
  response: Response;
}

/** The problem details of a failed answer (openapi-fetch parses the JSON body). */
export function problemOf(answer: Answer): Problem | undefined {
  const error = answer.error;
  return error && typeof error === 'object' && 'code' in error ? (error as Problem) : undefined;
}

/** The sentence to show for a failed answer, or for a request that never got one. */
export function describe(answer: Answer | undefined): string {
  if (!answer) return NETWORK_SENTENCE;
  return sentenceFor(problemOf(answer)?.code);
}

let refreshing: Promise<string | undefined> | undefined;

/**
 * Runs `work` while no other tab of this origin runs it: the cookie's refresh token is single use,
 * and two refreshes racing with one cookie revoke the session. Web Locks exist in secure contexts
 * (https, localhost, 127.0.0.1); elsewhere the tabs go without.
 */
function inEveryTabAlone<T>(work: () => Promise<T>): Promise<T> {
  return navigator.locks
    ? (navigator.locks.request('dashboard-refresh', work) as Promise<T>)
    : work();
}

/**
 * Cookie-mode refresh: the browser sends the HttpOnly cookie, the service answers a new access
 * token and rotates the cookie. Resolves to undefined on success, else the refusal's code.
 * One at a time: callers in this tab share one request, other tabs wait for it.
 */
export function refreshSession(): Promise<string | undefined> {
  refreshing ??= inEveryTabAlone(async () => {
    try {
      const answer = await api.POST('/auth/refresh', { headers: COOKIE_MODE, body: {} });
      if (answer.data) {
        accessToken = answer.data.access_token;
        return undefined;
      }
      return problemOf(answer)?.code ?? 'TOKEN_INVALID';
    } catch {
      return 'NETWORK';
    }
  }).finally(() => (refreshing = undefined));
  return refreshing;
}

/**
 * Sends a request that needs the session. An expired access token is refreshed once and the
 * request sent again; a session that is over ends here, and the page returns to the login page
 * saying why. Other answers (including other 401s, such as a wrong current password) go back to
 * the caller. A request that never got an answer resolves to undefined.
 */
export async function authed<A extends Answer>(send: () => Promise<A>): Promise<A | undefined> {
  try {
    let answer = await send();
    let code = answer.response.status === 401 ? problemOf(answer)?.code : undefined;
    if (code === 'TOKEN_EXPIRED') {
      const refused = await refreshSession();
      if (refused === 'NETWORK') return undefined;
      if (refused) code = refused;
      else {
        answer = await send();
        code = answer.response.status === 401 ? problemOf(answer)?.code : undefined;
      }
    }
    if (code && SESSION_OVER.has(code)) endSession(code);
    return answer;
  } catch {
    return undefined;
  }
}

/** Ends the session on the service and clears the refresh cookie. */
export async function signOut(): Promise<void> {
  await authed(() => api.POST('/auth/logout', { headers: COOKIE_MODE }));
  endSession('SIGNED_OUT');
}

/** The restored session on page load, from the refresh cookie; false when there is none. */
export async function restoreSession(): Promise<boolean> {
  if (!hint.get()) return false;
  const refused = await refreshSession();
  if (refused) {
    if (refused !== 'NETWORK') hint.set(false);
    return false;
  }
  sessionListeners.forEach((listener) => listener(true));
  return true;
}
