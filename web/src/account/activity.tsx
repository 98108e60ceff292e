import { useEffect, useState } from 'preact/hooks';
import type { Schemas } from '../../../clients/typescript/index';
import { api, authed, describe } from '../api';
import { When } from '../ui';

const PAGE_SIZE = 10;

/** The audit actions in words; an action this version does not know is shown as it is. */
const ACTIONS: Record<string, string> = {
  signup: 'Account created',
  'email.verify.sent': 'Verification link sent',
  'email.verify': 'Email address verified',
  login: 'Logged in',
  'login.failed': 'Failed login',
  'mfa.challenge': 'Two-factor code checked',
  logout: 'Logged out',
  'token.refresh': 'Session renewed',
  'token.reuse': 'Old session token reused',
  'session.replaced': 'Session replaced by a newer login',
  'password.forgot': 'Password reset asked for',
  'password.reset': 'Password reset',
  'password.change': 'Password changed',
  'mfa.setup': 'Two-factor setup started',
  'mfa.enabled': 'Two-factor login turned on',
  'mfa.disabled': 'Two-factor login turned off',
  'mfa.recovery_codes.regenerated': 'New recovery codes made',
  'mfa.recovery_code.used': 'Recovery code used',
  'account.delete': 'Account deleted',
  'oauth.callback': 'Came back from a sign-in provider',
  'oauth.signup': 'Account created with a sign-in provider',
  'oauth.login': 'Logged in with a sign-in provider',
  'oauth.failed': 'Failed sign-in with a provider',
  'identity.link': 'Linking a sign-in provider started',
  'identity.linked': 'Sign-in provider linked',
  'identity.unlinked': 'Sign-in provider unlinked',
};

export function Activity() {
  const [items, setItems] = useState<Schemas['AuditEventView'][]>([]);
  const [cursor, setCursor] = useState<string | null | undefined>();
  const [failure, setFailure] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);

  const load = async (after?: string) => {
    setBusy(true);
    const answer = await authed(() =>
      api.GET('/audit/me', {
        params: { query: after ? { limit: PAGE_SIZE, cursor: after } : { limit: PAGE_SIZE } },
      }),
    );
    setBusy(false);
    if (!answer?.data) return setFailure(describe(answer));
    const page = answer.data;
    setItems((shown) => (after ? [...shown, ...page.items] : page.items));
    setCursor(page.next_cursor);
  };
  useEffect(() => void load(), []);

  return (
    <section aria-labelledby="activity-title">
      <h2 id="activity-title">Activity</h2>
      {failure && (
        <p role="alert" class="failure">
          {failure}
        </p>
      )}
      <ol class="activity" aria-label="Account activity, newest first">
        {items.map((item) => (
          <li key={item.id}>
            <span class="what">
              {ACTIONS[item.action] ?? item.action}
              {item.outcome === 'failure' && <span class="badge warn">failed</span>}
            </span>
            <span class="when">
              <When at={item.created_at} />
            </span>
            <span class="where">{item.ip ?? ''}</span>
          </li>
        ))}
      </ol>
      {cursor && (
        <button type="button" class="secondary" disabled={busy} onClick={() => void load(cursor)}>
          Show older activity
        </button>
      )}
    </section>
  );
}
