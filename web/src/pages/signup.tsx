// Sign up: username, email, password; then the mailed link (served by the service's /verify page).
import { useState } from 'preact/hooks';
import { api } from '../api';
import { EmailField, Failure, Field, Form, Submit, failureOf, useSubmit } from '../ui';

export function SignupPage() {
  const [username, setUsername] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [sentTo, setSentTo] = useState<string | undefined>();
  const form = useSubmit();

  const signUp = () =>
    form.run(async () => {
      const answer = await api
        .POST('/auth/signup', { body: { username, email, password } })
        .catch(() => undefined);
      if (answer?.data) {
        setSentTo(answer.data.user.email);
        return undefined;
      }
      return failureOf(answer);
    });

  if (sentTo) {
    return (
      <main>
        <h1>Check your inbox</h1>
        <p role="status">
          We sent a link to <strong>{sentTo}</strong>. Open it to verify your email address, then
          log in.
        </p>
        <p>
          <a href="/app/login">Go to the login page</a>
        </p>
      </main>
    );
  }
  return (
    <main>
      <h1>Create an account</h1>
      <Form onSubmit={() => void signUp()} label="Create an account">
        <Field
          label="Username"
          name="username"
          value={username}
          onInput={setUsername}
          autocomplete="username"
          failure={form.failure}
          autoFocus
        />
        <EmailField value={email} onInput={setEmail} failure={form.failure} />
        <Field
          label="Password"
          name="password"
          type="password"
          value={password}
          onInput={setPassword}
          autocomplete="new-password"
          hint="At least 8 characters; a few unrelated words make a strong one."
          failure={form.failure}
        />
        <Failure failure={form.failure} />
        <Submit busy={form.busy}>Create the account</Submit>
      </Form>
      <nav class="alternatives" aria-label="Other options">
        <a href="/app/login">I have an account: log in</a>
      </nav>
    </main>
  );
}
