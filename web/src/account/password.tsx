import { useState } from 'preact/hooks';
import { api, authed, describe } from '../api';
import {
  CodeField,
  Failure,
  Field,
  Form,
  PasswordField,
  Submit,
  failureOf,
  useSubmit,
} from '../ui';

/** Change password; with two-factor login on, a code (or a recovery code) is asked for too. */
export function ChangePassword({ mfaOn }: { mfaOn: boolean }) {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [code, setCode] = useState('');
  const [done, setDone] = useState(false);
  const form = useSubmit();

  const change = () =>
    form.run(async () => {
      setDone(false);
      const body = { current_password: current, new_password: next, ...(mfaOn ? { code } : {}) };
      const answer = await authed(() => api.POST('/password/change', { body }));
      if (answer?.response.ok) {
        setCurrent('');
        setNext('');
        setCode('');
        setDone(true);
        return undefined;
      }
      return failureOf(answer);
    });

  return (
    <section aria-labelledby="password-title">
      <h2 id="password-title">Change password</h2>
      <Form onSubmit={() => void change()} label="Change password">
        <PasswordField
          label="Current password"
          name="current_password"
          value={current}
          onInput={setCurrent}
          failure={form.failure}
        />
        <Field
          label="New password"
          name="new_password"
          type="password"
          value={next}
          onInput={setNext}
          autocomplete="new-password"
          failure={form.failure}
        />
        {mfaOn && <CodeField value={code} onInput={setCode} failure={form.failure} />}
        <Failure failure={form.failure} />
        <p role="status" class="success">
          {done ? 'Your password was changed. Other sessions were signed out.' : ''}
        </p>
        <Submit busy={form.busy}>Change password</Submit>
      </Form>
    </section>
  );
}

/**
 * For an account made by a sign-in provider, which has no password: the service sets one only
 * through the reset link it mails to the account's own address (forgot-password).
 */
export function SetPassword({ email }: { email: string }) {
  const [sent, setSent] = useState(false);
  const [failure, setFailure] = useState('');
  const [busy, setBusy] = useState(false);

  const send = async () => {
    setBusy(true);
    setFailure('');
    try {
      const answer = await api.POST('/password/forgot', { body: { email } });
      if (answer.response.ok) setSent(true);
      else setFailure(describe(answer));
    } catch {
      setFailure(describe(undefined));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="password-title">
      <h2 id="password-title">Set a password</h2>
      <p>
        You sign in with a provider and have no password yet. With one, you can also log in with
        your email, and delete the account here.
      </p>
      <p role="status" class="success">
        {sent ? `We sent a link to ${email}. Open it to choose your password.` : ''}
      </p>
      <p role="alert" class="failure">
        {failure}
      </p>
      <button
        type="button"
        onClick={() => void send()}
        disabled={busy}
        aria-busy={busy || undefined}
      >
        Email me a link to set a password
      </button>
    </section>
  );
}
