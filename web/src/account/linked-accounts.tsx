// Linked accounts: the providers a person can sign in with instead of the password. Linking proves
// ownership (the password, and a code with two-factor login on), then the browser goes to the
// provider and comes back to the callback page, which hands the result here. Unlinking the last
// way to log in is refused (LAST_LOGIN_METHOD), in words.
import { useEffect, useState } from 'preact/hooks';
import type { Schemas } from '../../../clients/typescript/index';
import { api, authed, describe } from '../api';
import { sentenceFor } from '../problems';
import {
  callbackPage,
  handedLinkResult,
  providerLabel,
  rememberPending,
  useProviders,
} from '../social';
import { CodeField, Failure, failureOf, Form, PasswordField, Submit, useSubmit, When } from '../ui';

type Identity = Schemas['IdentityResponse'];

/** The form that proves ownership and sends the browser to the provider. */
function LinkForm(props: {
  provider: string;
  mfaOn: boolean;
  hasPassword: boolean;
  onCancel: () => void;
}) {
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const form = useSubmit();
  const label = providerLabel(props.provider);

  const link = () =>
    form.run(async () => {
      const body = {
        ...(props.hasPassword ? { password } : {}),
        ...(props.mfaOn ? { code } : {}),
        redirect_uri: callbackPage(),
      };
      const answer = await authed(() =>
        api.POST('/users/me/identities/{provider}', {
          params: { path: { provider: props.provider } },
          body,
        }),
      );
      if (!answer?.data) return failureOf(answer);
      rememberPending({ purpose: 'link', provider: props.provider });
      location.assign(answer.data.authorization_url);
      return undefined;
    });

  return (
    <Form onSubmit={() => void link()} label={`Link ${label}`}>
      <p>Confirm it is you. Then you sign in at {label}, and come back here.</p>
      {props.hasPassword && (
        <PasswordField value={password} onInput={setPassword} failure={form.failure} autoFocus />
      )}
      {props.mfaOn && <CodeField value={code} onInput={setCode} failure={form.failure} />}
      <Failure failure={form.failure} />
      <Submit busy={form.busy}>Continue to {label}</Submit>
      <button type="button" class="secondary" onClick={props.onCancel}>
        Cancel
      </button>
    </Form>
  );
}

export function LinkedAccounts({ mfaOn, hasPassword }: { mfaOn: boolean; hasPassword: boolean }) {
  const providers = useProviders();
  const [identities, setIdentities] = useState<Identity[] | undefined>();
  const [linking, setLinking] = useState<string | undefined>();
  // A link that just came back from the provider (through the callback page).
  const [status, setStatus] = useState(() => {
    const result = handedLinkResult.take();
    if (result?.error) return { failure: sentenceFor(result.error), done: '' };
    const label = result ? providerLabel(result.provider) : '';
    return {
      failure: '',
      done: result ? `${label} is linked: you can sign in with ${label}.` : '',
    };
  });

  const load = () =>
    void authed(() => api.GET('/users/me/identities')).then((answer) =>
      answer?.data
        ? setIdentities(answer.data.identities)
        : setStatus({ failure: describe(answer), done: '' }),
    );
  // Social login off: no section, and no request for it.
  const on = (providers?.length ?? 0) > 0;
  useEffect(() => {
    if (on) load();
  }, [on]);

  const unlink = async (provider: string) => {
    setStatus({ failure: '', done: '' });
    const answer = await authed(() =>
      api.DELETE('/users/me/identities/{provider}', { params: { path: { provider } } }),
    );
    if (answer?.response.ok) {
      setStatus({ failure: '', done: `${providerLabel(provider)} was unlinked.` });
      load();
    } else setStatus({ failure: describe(answer), done: '' });
  };

  if (!on || !providers) return null;
  const linked = new Set((identities ?? []).map((identity) => identity.provider));
  const linkable = providers.filter((provider) => !linked.has(provider));

  return (
    <section aria-labelledby="linked-title">
      <h2 id="linked-title">Linked accounts</h2>
      <p>Providers you can sign in with instead of your password.</p>
      <p role="status" class="success">
        {status.done}
      </p>
      <p role="alert" class="failure">
        {status.failure}
      </p>
      {identities && identities.length === 0 && <p>No provider is linked yet.</p>}
      {identities && identities.length > 0 && (
        <ul class="identities">
          {identities.map((identity) => (
            <li key={identity.provider}>
              <div>
                <strong>{providerLabel(identity.provider)}</strong>
                {identity.email && <span class="wrap"> · {identity.email}</span>}
                <div class="hint">
                  Linked <When at={identity.created_at} />
                  {identity.last_used_at && (
                    <>
                      , last used <When at={identity.last_used_at} />
                    </>
                  )}
                </div>
              </div>
              <button
                type="button"
                class="secondary"
                onClick={() => void unlink(identity.provider)}
              >
                Unlink {providerLabel(identity.provider)}
              </button>
            </li>
          ))}
        </ul>
      )}
      {!hasPassword && !mfaOn && linkable.length > 0 ? (
        // Linking is proven with the password, or with a code when two-factor login is on.
        <p class="hint">To link another provider, set a password first (above).</p>
      ) : linking ? (
        <LinkForm
          provider={linking}
          mfaOn={mfaOn}
          hasPassword={hasPassword}
          onCancel={() => setLinking(undefined)}
        />
      ) : (
        <div class="actions">
          {linkable.map((provider) => (
            <button
              key={provider}
              type="button"
              onClick={() => {
                setStatus({ failure: '', done: '' });
                setLinking(provider);
              }}
            >
              Link {providerLabel(provider)}
            </button>
          ))}
        </div>
      )}
    </section>
  );
}
