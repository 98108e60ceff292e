// Social login in the dashboard (issue 30): the sign-in buttons of the login page, and what the
// login page, the callback page (pages/oauth-callback.tsx) and the linked-accounts section
// (account/linked-accounts.tsx) hand to each other. A sign-in or a link leaves the dashboard for
// the provider by plain navigation and comes back to CALLBACK_PAGE with ?code=, ?linked= or
// ?error=CODE; the page remembers in sessionStorage (no secret: a purpose and a provider name)
// what it had started, to know what the answer is about.
import { useEffect, useState } from 'preact/hooks';
import { api } from './api';
import { BASE } from './router';

/** The dashboard's page that receives the result, always allowed as a redirect_uri. */
export const CALLBACK_ROUTE = '/oauth/callback';
export const callbackPage = () => `${location.origin}${BASE}${CALLBACK_ROUTE}`;

const LABELS: Record<string, string> = { google: 'Google', github: 'GitHub' };

/** A provider's name as people know it: "Google", "GitHub", else the configured name capitalized. */
export const providerLabel = (name: string) =>
  LABELS[name] ?? name.charAt(0).toUpperCase() + name.slice(1);

/** Where a sign-in starts: the service's start endpoint, which answers 302 to the provider. */
export function startUrl(provider: string, force = false): string {
  const query = new URLSearchParams({ redirect_uri: callbackPage() });
  if (force) query.set('force', 'true');
  return `/auth/oauth/${encodeURIComponent(provider)}/start?${query}`;
}

export interface Pending {
  purpose: 'login' | 'link';
  provider: string;
}

const PENDING = 'dashboard.oauth';

/** Remembers what this tab sent to a provider, just before it leaves. */
export function rememberPending(pending: Pending): void {
  sessionStorage.setItem(PENDING, JSON.stringify(pending));
}

/** What this tab had sent to a provider (once: it is forgotten as it is read). */
export function takePending(): Pending | undefined {
  const raw = sessionStorage.getItem(PENDING);
  sessionStorage.removeItem(PENDING);
  try {
    const pending = raw ? (JSON.parse(raw) as Partial<Pending>) : undefined;
    return pending && typeof pending.provider === 'string' && pending.purpose
      ? { purpose: pending.purpose === 'link' ? 'link' : 'login', provider: pending.provider }
      : undefined;
  } catch {
    return undefined;
  }
}

/** Hands a value from one page to the next within this page load (a one-time slot). */
function handOver<T>() {
  let slot: T | undefined;
  return {
    give: (value: T) => void (slot = value),
    take: (): T | undefined => {
      const value = slot;
      slot = undefined;
      return value;
    },
  };
}

/** The two-factor challenge of a social sign-in, continued by the login page's code step. */
export const handedChallenge = handOver<string>();

/** How a link ended, shown by the linked-accounts section. */
export const handedLinkResult = handOver<{ provider: string; error?: string }>();

/** The configured providers (GET /auth/oauth/providers): undefined until known, empty for none. */
export function useProviders(): string[] | undefined {
  const [providers, setProviders] = useState<string[] | undefined>();
  useEffect(() => {
    api
      .GET('/auth/oauth/providers')
      .then((answer) => setProviders(answer.data?.providers ?? []))
      .catch(() => setProviders([]));
  }, []);
  return providers;
}

/** The login page's "Sign in with …" links: each a plain navigation to the provider. */
export function SocialSignIn() {
  const providers = useProviders();
  if (!providers?.length) return null;
  return (
    <section aria-labelledby="social-title" class="social">
      <h2 id="social-title">Or sign in with</h2>
      <ul>
        {providers.map((provider) => (
          <li key={provider}>
            <a
              class="button"
              href={startUrl(provider)}
              onClick={() => rememberPending({ purpose: 'login', provider })}
            >
              Sign in with {providerLabel(provider)}
            </a>
          </li>
        ))}
      </ul>
      <p class="hint">
        The first time, this makes an account from the provider's email address. If you already have
        an account here with that address, log in with your password and link the provider from your
        account page.
      </p>
    </section>
  );
}
