import { useState } from 'preact/hooks';
import { api, authed, endSession } from '../api';
import {
  CodeField,
  Dialog,
  Failure,
  Form,
  PasswordField,
  Submit,
  failureOf,
  useSubmit,
} from '../ui';

/**
 * Delete the account: the password proves it is the owner (an account without one sets it first);
 * with two-factor login on, a code (or a recovery code) is asked for too.
 */
export function DeleteAccount({ mfaOn, hasPassword }: { mfaOn: boolean; hasPassword: boolean }) {
  const [open, setOpen] = useState(false);
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const form = useSubmit();

  const remove = () =>
    form.run(async () => {
      const answer = await authed(() =>
        api.DELETE('/users/me', { body: { password, ...(mfaOn ? { code } : {}) } }),
      );
      if (answer?.response.ok) {
        endSession('ACCOUNT_DELETED');
        return undefined;
      }
      return failureOf(answer);
    });

  return (
    <section aria-labelledby="delete-title">
      <h2 id="delete-title">Delete my account</h2>
      <p>This deletes the account and everything tied to it. It cannot be undone.</p>
      {hasPassword ? (
        <button type="button" class="danger" onClick={() => setOpen(true)}>
          Delete my account…
        </button>
      ) : (
        <p class="hint">Deleting asks for your password: set one first (above).</p>
      )}
      {open && (
        <Dialog title="Delete your account?" onCancel={() => setOpen(false)}>
          <Form onSubmit={() => void remove()} label="Delete your account">
            <PasswordField
              value={password}
              onInput={setPassword}
              failure={form.failure}
              autoFocus
            />
            {mfaOn && <CodeField value={code} onInput={setCode} failure={form.failure} />}
            <Failure failure={form.failure} />
            <div class="actions">
              <Submit busy={form.busy}>Delete it for good</Submit>
              <button type="button" class="secondary" onClick={() => setOpen(false)}>
                Keep my account
              </button>
            </div>
          </Form>
        </Dialog>
      )}
    </section>
  );
}
