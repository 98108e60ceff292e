import { useEffect, useState } from 'preact/hooks';
import type { Schemas } from '../../../clients/typescript/index';
import { api, authed, describe } from '../api';
import { When } from '../ui';

export function ThisSession() {
  const [session, setSession] = useState<Schemas['SessionView'] | undefined>();
  const [failure, setFailure] = useState<string | undefined>();
  useEffect(() => {
    void authed(() => api.GET('/session/active')).then((answer) =>
      answer?.data ? setSession(answer.data.session) : setFailure(describe(answer)),
    );
  }, []);
  return (
    <section aria-labelledby="session-title">
      <h2 id="session-title">This session</h2>
      <p class="hint">Only one session can be active: logging in elsewhere ends this one.</p>
      {failure && (
        <p role="alert" class="failure">
          {failure}
        </p>
      )}
      {session && (
        <dl>
          <dt>Device</dt>
          <dd class="wrap">{session.user_agent ?? 'unknown'}</dd>
          <dt>IP address</dt>
          <dd>{session.ip ?? 'unknown'}</dd>
          <dt>Signed in</dt>
          <dd>
            <When at={session.created_at} />
          </dd>
          <dt>Last seen</dt>
          <dd>
            <When at={session.last_seen_at} />
          </dd>
          <dt>Two-factor</dt>
          <dd>{session.mfa ? 'used for this login' : 'not used for this login'}</dd>
        </dl>
      )}
    </section>
  );
}
