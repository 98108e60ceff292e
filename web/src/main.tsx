// The account dashboard, served by the service under /app/ (see docs/dashboard.md).
//
// How to add a page:
//   1. write it as a component in its own file under src/pages/ (or src/admin/ for the console),
//      calling the service only through `api` / `authed` from ./api and showing failures with
//      the pieces in ./ui (every problem code already has a sentence in ./problems);
//   2. add one row to ROUTES below: its path under /app, the component, and whether it needs a
//      signed-in session;
//   3. link to it with a plain <a href="/app/…">: the click is routed here without a reload.
//      Each navigation draws the page anew, so it may read its query string once, at mount.
// The service answers index.html for every /app/<route>, so nothing changes on the server.
import { render, type ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ConsoleLink } from './admin/access';
import { AdminAuditPage } from './admin/audit';
import { AdminUserPage } from './admin/user';
import { AdminUsersPage } from './admin/users';
import { isSignedIn, onSessionChange, restoreSession, signOut } from './api';
import { AccountPage } from './pages/account';
import { ForgotPage } from './pages/forgot';
import { LoginPage } from './pages/login';
import { OAuthCallbackPage } from './pages/oauth-callback';
import { SignupPage } from './pages/signup';
import { sentenceFor } from './problems';
import { BASE, currentRoute, navigate, useRoute, useVisit } from './router';

interface Route {
  page: ComponentType<{ notice?: string }>;
  title: string;
  /**
   * true: needs a session (else the login page shows); false: only without one (else the
   * account); 'either': both (the provider's answer may be a sign-in or a link).
   */
  signedIn: boolean | 'either';
}

const ROUTES: Record<string, Route> = {
  '/login': { page: LoginPage, title: 'Log in', signedIn: false },
  '/signup': { page: SignupPage, title: 'Create an account', signedIn: false },
  '/forgot': { page: ForgotPage, title: 'Forgot your password', signedIn: false },
  '/account': { page: AccountPage, title: 'Your account', signedIn: true },
  '/admin/users': { page: AdminUsersPage, title: 'Admin: accounts', signedIn: true },
  '/admin/user': { page: AdminUserPage, title: 'Admin: an account', signedIn: true },
  '/admin/audit': { page: AdminAuditPage, title: 'Admin: audit trail', signedIn: true },
  '/oauth/callback': { page: OAuthCallbackPage, title: 'Signing in', signedIn: 'either' },
};

/** What the login page says after a session ended: the problem code's sentence, or these. */
const FAREWELLS: Record<string, string> = {
  SIGNED_OUT: 'You signed out.',
  ACCOUNT_DELETED: 'Your account was deleted.',
};

function App({ restored }: { restored: boolean }) {
  const route = useRoute();
  const visit = useVisit();
  const [signedIn, setSignedIn] = useState(restored);
  const [notice, setNotice] = useState<string | undefined>();

  useEffect(
    () =>
      onSessionChange((now, reason) => {
        setSignedIn(now);
        setNotice(now ? undefined : reason && (FAREWELLS[reason] ?? sentenceFor(reason)));
        if (!now) navigate('/login', { replace: true });
      }),
    [],
  );

  const known = ROUTES[route];
  // Unknown routes, and pages for the other state (log in while signed in, the account while
  // signed out), go to the page for the state the person is in.
  const target =
    known && (known.signedIn === 'either' || known.signedIn === signedIn)
      ? route
      : signedIn
        ? '/account'
        : '/login';
  useEffect(() => {
    if (target !== route) navigate(target, { replace: true });
  }, [target, route]);
  const current = ROUTES[target];
  useEffect(() => {
    document.title = `${current.title} · Account`;
    // A new page: unless a field took focus, move it to the heading so screen readers announce it.
    const heading = document.querySelector<HTMLElement>('main h1');
    if (heading && !document.querySelector('main')?.contains(document.activeElement)) {
      heading.tabIndex = -1;
      heading.focus();
    }
  }, [target]);
  const Page = current.page;

  return (
    <>
      <header>
        <a class="brand" href={`${BASE}/`}>
          Account
        </a>
        {signedIn && <ConsoleLink />}
        {signedIn && (
          <button type="button" class="secondary" onClick={() => void signOut()}>
            Sign out
          </button>
        )}
      </header>
      {/* A new page for each navigation, even to the same route with another query. */}
      <Page key={visit} notice={target === '/login' ? notice : undefined} />
    </>
  );
}

/** Same-origin links under /app/ change the route without reloading (the token is in memory). */
document.addEventListener('click', (event) => {
  const link = (event.target as Element | null)?.closest?.('a');
  if (!link || link.origin !== location.origin || !link.pathname.startsWith(`${BASE}/`)) return;
  if (
    event.defaultPrevented ||
    event.button !== 0 ||
    event.metaKey ||
    event.ctrlKey ||
    event.shiftKey ||
    link.download
  )
    return;
  event.preventDefault();
  navigate((link.pathname.slice(BASE.length).replace(/\/+$/, '') || '/') + link.search);
});

async function start(): Promise<void> {
  // A session survives a reload through the HttpOnly refresh cookie: try it once.
  const restored =
    currentRoute() === '/signup' || currentRoute() === '/forgot' ? false : await restoreSession();
  const root = document.getElementById('app');
  if (!root) return;
  root.textContent = '';
  render(<App restored={restored || isSignedIn()} />, root);
}

void start();
