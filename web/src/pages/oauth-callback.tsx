// Where a sign-in or a link with a provider comes back (/app/oauth/callback): ?code= is traded at
// once for the session (POST /auth/oauth/exchange in cookie mode) and continues like the password
// login: the two-factor step on the login page, the "Session already active" dialog (which starts
// the sign-in again with force), or a sentence. ?linked= and a link's ?error= go to the account
// page's linked accounts. The code leaves the address bar and the history at once.
import { useEffect, useState } from 'preact/hooks';
import { api, COOKIE_MODE, isSignedIn, problemOf, startSession } from '../api';
import { sentenceFor } from '../problems';
import { navigate } from '../router';
import {
  handedChallenge,
  handedLinkResult,
  type Pending,
  providerLabel,
  rememberPending,
  startUrl,
  takePending,
} from '../social';
import { failureOf, SessionActiveDialog } from '../ui';

type View =
  | { name: 'working' }
  | { name: 'failed'; sentence: string; provider?: string }
  | { name: 'conflict'; provider: string };

/** Sends the browser to the provider again (a new sign-in: the code was single use). */
function signInAgain(provider: string, force = false): void {
  rememberPending({ purpose: 'login', provider });
  location.assign(startUrl(provider, force));
}

async function exchange(code: string, pending: Pending | undefined): Promise<View | undefined> {
  const provider = pending?.provider;
  try {
    const answer = await api.POST('/auth/oauth/exchange', { headers: COOKIE_MODE, body: { code } });
    const data = answer.data;
    if (data && 'mfa_required' in data) {
      handedChallenge.give(data.mfa_token);
      navigate('/login', { replace: true });
      return undefined;
    }
    if (data) {
      startSession(data.access_token);
      navigate('/account', { replace: true });
      return undefined;
    }
    if (problemOf(answer)?.code === 'SESSION_ACTIVE' && provider)
      return { name: 'conflict', provider };
    return { name: 'failed', sentence: failureOf(answer).sentence, provider };
  } catch {
    return { name: 'failed', sentence: failureOf(undefined).sentence, provider };
  }
}

/** What the provider's answer means here; undefined when another page shows it. */
async function settle(
  params: URLSearchParams,
  pending: Pending | undefined,
): Promise<View | undefined> {
  const linked = params.get('linked');
  const error = params.get('error');
  const code = params.get('code');
  const linking = pending ? pending.purpose === 'link' : isSignedIn();
  if (linked || (error && linking && isSignedIn())) {
    handedLinkResult.give({
      provider: linked ?? pending?.provider ?? '',
      error: error ?? undefined,
    });
    navigate('/account', { replace: true });
    return undefined;
  }
  if (error) return { name: 'failed', sentence: sentenceFor(error), provider: pending?.provider };
  if (code) return exchange(code, pending);
  return {
    name: 'failed',
    sentence:
      'This page is where a sign-in with a provider comes back to. Start from the login page.',
  } satisfies View;
}

export function OAuthCallbackPage() {
  const [view, setView] = useState<View>({ name: 'working' });

  useEffect(() => {
    const params = new URLSearchParams(location.search);
    // The code is single use and short-lived; still, keep it out of the history and the bar.
    history.replaceState(null, '', location.pathname);
    void settle(params, takePending()).then((next) => next && setView(next));
  }, []);

  const label = view.name !== 'working' && view.provider ? providerLabel(view.provider) : '';
  return (
    <main>
      <h1>{view.name === 'failed' ? 'Sign-in did not work' : 'Signing you in'}</h1>
      {view.name === 'working' && <p role="status">One moment…</p>}
      {view.name === 'failed' && (
        <>
          <p class="failure" role="alert">
            {view.sentence}
          </p>
          <nav class="alternatives" aria-label="What next">
            <a href="/app/login">Log in</a>
            {view.provider && (
              <a
                href={startUrl(view.provider)}
                onClick={() => rememberPending({ purpose: 'login', provider: view.provider ?? '' })}
              >
                Try {label} again
              </a>
            )}
          </nav>
        </>
      )}
      {view.name === 'conflict' && (
        <SessionActiveDialog
          onContinue={() => signInAgain(view.provider, true)}
          onCancel={() => navigate('/login', { replace: true })}
        />
      )}
    </main>
  );
}
