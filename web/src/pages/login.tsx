// Log in: email and password, then (when two-factor login is on) a code or a recovery code. A
// "Session already active" answer opens a dialog that can sign the other device out (force).
import { useState } from 'preact/hooks';
import { api, COOKIE_MODE, problemOf, startSession } from '../api';
import { navigate } from '../router';
import { handedChallenge, SocialSignIn } from '../social';
import {
  AppCodeField,
  EmailField,
  Failure,
  Field,
  Form,
  PasswordField,
  SessionActiveDialog,
  Submit,
  failureOf,
  useSubmit,
} from '../ui';

type LoginAnswer = Awaited<ReturnType<typeof sendPassword>>;

function sendPassword(email: string, password: string, force: boolean) {
  return api.POST('/auth/login', {
    headers: COOKIE_MODE,
    body: force ? { email, password, force } : { email, password },
  });
}

interface Challenge {
  token: string;
  force?: boolean;
}

export function LoginPage({ notice }: { notice?: string }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  // A social sign-in's two-factor step comes here from the callback page.
  const [challenge, setChallenge] = useState<Challenge | undefined>(() => {
    const token = handedChallenge.take();
    return token ? { token } : undefined;
  });
  const [useRecovery, setUseRecovery] = useState(false);
  const [code, setCode] = useState('');
  // The request to send again with force: true once the person agrees.
  const [conflict, setConflict] = useState<((force: true) => Promise<void>) | undefined>();
  const [unverified, setUnverified] = useState(false);
  const form = useSubmit();

  /** Handles what a login step answered; returns the failure to show, if any. */
  const settle = async (
    answer: LoginAnswer | Awaited<ReturnType<typeof sendCode>>,
    retry: (force: true) => Promise<void>,
  ) => {
    const data = answer.data;
    if (data && 'mfa_required' in data) {
      setChallenge({ token: data.mfa_token });
      return undefined;
    }
    if (data) {
      startSession(data.access_token);
      navigate('/account', { replace: true });
      return undefined;
    }
    const problem = problemOf(answer);
    if (problem?.code === 'SESSION_ACTIVE') {
      setConflict(() => retry);
      return undefined;
    }
    if (problem?.code === 'MFA_TOKEN_INVALID') {
      setChallenge(undefined);
      setCode('');
    }
    setUnverified(problem?.code === 'EMAIL_NOT_VERIFIED');
    return failureOf(answer);
  };

  const sendCode = (token: string, force: boolean) => {
    if (force)
      return api.POST('/auth/login/mfa', {
        headers: COOKIE_MODE,
        body: { mfa_token: token, force },
      });
    const body = useRecovery
      ? { mfa_token: token, recovery_code: code }
      : { mfa_token: token, code };
    return api.POST('/auth/login/mfa', { headers: COOKIE_MODE, body });
  };

  const logIn = (force: boolean): Promise<void> =>
    form.run(async () => {
      try {
        return await settle(await sendPassword(email, password, force), () => logIn(true));
      } catch {
        return failureOf(undefined);
      }
    });

  const confirmCode = (force: boolean): Promise<void> =>
    form.run(async () => {
      if (!challenge) return undefined;
      try {
        return await settle(await sendCode(challenge.token, force), () => confirmCode(true));
      } catch {
        return failureOf(undefined);
      }
    });

  const resend = () =>
    form.run(async () => {
      const answer = await api.POST('/verify/send', { body: { email } }).catch(() => undefined);
      if (answer?.response.ok) {
        setUnverified(false);
        return { sentence: 'We sent a new verification link. Check your inbox.', fields: {} };
      }
      return failureOf(answer);
    });

  return (
    <main>
      <h1>Log in</h1>
      {notice && (
        <p class="notice" role="status">
          {notice}
        </p>
      )}
      {challenge ? (
        <Form onSubmit={() => void confirmCode(false)} label="Two-factor login">
          <p>Two-factor login is on for this account.</p>
          {useRecovery ? (
            <Field
              key="recovery"
              label="Recovery code"
              name="recovery_code"
              value={code}
              onInput={setCode}
              autocomplete="off"
              hint="One of the recovery codes you saved when you turned two-factor login on. Each works once."
              failure={form.failure}
              autoFocus
            />
          ) : (
            <AppCodeField
              key="code"
              value={code}
              onInput={setCode}
              hint="Six digits."
              failure={form.failure}
              autoFocus
            />
          )}
          <Failure failure={form.failure} />
          <Submit busy={form.busy}>Continue</Submit>
          <button
            type="button"
            class="link"
            onClick={() => {
              setUseRecovery(!useRecovery);
              setCode('');
            }}
          >
            {useRecovery ? 'Use a code from the app instead' : 'Use a recovery code instead'}
          </button>
        </Form>
      ) : (
        <Form onSubmit={() => void logIn(false)} label="Log in">
          <EmailField
            autocomplete="username"
            value={email}
            onInput={setEmail}
            failure={form.failure}
            autoFocus
          />
          <PasswordField
            label="Password"
            value={password}
            onInput={setPassword}
            failure={form.failure}
          />
          <Failure failure={form.failure} />
          {unverified && (
            <button type="button" class="secondary" onClick={() => void resend()}>
              Send the verification link again
            </button>
          )}
          <Submit busy={form.busy}>Log in</Submit>
        </Form>
      )}
      {!challenge && <SocialSignIn />}
      <nav class="alternatives" aria-label="Other options">
        <a href="/app/signup">Create an account</a>
        <a href="/app/forgot">Forgot your password?</a>
      </nav>
      {conflict && (
        <SessionActiveDialog
          onContinue={() => {
            const retry = conflict;
            setConflict(undefined);
            void retry(true);
          }}
          onCancel={() => setConflict(undefined)}
        />
      )}
    </main>
  );
}
