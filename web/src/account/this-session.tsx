import { useEffect, useState } from 'preact/hooks';
import type { Schemas } from '../../../clients/typescript/index';
import { api, authed, describe } from '../api';
import { When } from '../ui';

/** Browsers by the token that names them, the most specific first (Edge also says Chrome). */
const BROWSERS: Array<[RegExp, string]> = [
  [/Edg\/(\d+)/, 'Edge'],
  [/OPR\/(\d+)/, 'Opera'],
  [/Firefox\/(\d+)/, 'Firefox'],
  [/HeadlessChrome\/(\d+)/, 'Headless Chrome'],
  [/Chrome\/(\d+)/, 'Chrome'],
  [/Version\/(\d+).*Safari/, 'Safari'],
];
const SYSTEMS: Array<[RegExp, string]> = [
  [/Android/, 'Android'],
  [/iPhone|iPad/, 'iOS'],
  [/Windows/, 'Windows'],
  [/CrOS/, 'ChromeOS'],
  [/Mac OS X/, 'macOS'],
  [/Linux/, 'Linux'],
];

/** "Chrome 131 on Windows" from a user agent; the full string is shown beside it. */
function deviceOf(userAgent: string): string {
  const browser = BROWSERS.map(([pattern, name]) => [pattern.exec(userAgent), name] as const).find(
    ([match]) => match,
  );
  const system = SYSTEMS.find(([pattern]) => pattern.test(userAgent))?.[1];
  const name = browser ? `${browser[1]} ${browser[0]?.[1]}` : 'Unknown browser';
  return system ? `${name} on ${system}` : name;
}

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
          <dd>
            {session.user_agent ? deviceOf(session.user_agent) : 'unknown'}
            {session.user_agent && <span class="hint"> ({session.user_agent})</span>}
          </dd>
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
