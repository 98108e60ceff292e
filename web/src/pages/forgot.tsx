// Forgot password: the service mails a link to its /password/reset page (the same answer whether
// or not the account exists).
import { useState } from 'preact/hooks';
import { api } from '../api';
import { EmailField, Failure, Form, Submit, failureOf, useSubmit } from '../ui';

export function ForgotPage() {
  const [email, setEmail] = useState('');
  const [sent, setSent] = useState(false);
  const form = useSubmit();

  const send = () =>
    form.run(async () => {
      const answer = await api.POST('/password/forgot', { body: { email } }).catch(() => undefined);
      if (answer?.response.ok) {
        setSent(true);
        return undefined;
      }
      return failureOf(answer);
    });

  return (
    <main>
      <h1>Forgot your password?</h1>
      {sent ? (
        <p role="status">
          If an account uses <strong>{email}</strong>, we sent it a link to choose a new password.
          The link works for 30 minutes.
        </p>
      ) : (
        <Form onSubmit={() => void send()} label="Forgot your password">
          <EmailField value={email} onInput={setEmail} failure={form.failure} autoFocus />
          <Failure failure={form.failure} />
          <Submit busy={form.busy}>Send me a link</Submit>
        </Form>
      )}
      <nav class="alternatives" aria-label="Other options">
        <a href="/app/login">Back to log in</a>
      </nav>
    </main>
  );
}
