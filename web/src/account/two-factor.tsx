// Two-factor login: set up (QR code and the key as text), confirm with a first code, recovery
// codes shown once (download or print), new recovery codes, turn off.
import { useState } from 'preact/hooks';
import type { Schemas } from '../../../clients/typescript/index';
import { api, authed } from '../api';
import {
  AppCodeField,
  CodeField,
  Failure,
  Form,
  PasswordField,
  Submit,
  When,
  failureOf,
  useSubmit,
} from '../ui';

type Setup = Schemas['TotpSetupResponse'];
type Step =
  | { name: 'idle' }
  | { name: 'password' }
  | { name: 'scan'; setup: Setup }
  | { name: 'codes'; codes: string[] }
  | { name: 'change'; action: 'disable' | 'regenerate' };

/** The QR code as an image: the SVG goes into a data URL, never into the page's markup. */
function qrImage(svg: string): string {
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
}

function downloadCodes(codes: string[]): void {
  const text = `Recovery codes (each works once)\n\n${codes.join('\n')}\n`;
  const url = URL.createObjectURL(new Blob([text], { type: 'text/plain' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = 'recovery-codes.txt';
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function RecoveryCodes({ codes, onDone }: { codes: string[]; onDone: () => void }) {
  return (
    <div class="recovery printable">
      <h3>Your recovery codes</h3>
      <p>
        Keep these somewhere safe. Each code works once, when you cannot use your authenticator app.
        They are shown only now.
      </p>
      <ol id="recovery-codes" class="codes">
        {codes.map((code) => (
          <li key={code}>
            <code>{code}</code>
          </li>
        ))}
      </ol>
      <div class="actions no-print">
        <button type="button" class="secondary" onClick={() => downloadCodes(codes)}>
          Download
        </button>
        <button type="button" class="secondary" onClick={() => print()}>
          Print
        </button>
        <button type="button" onClick={onDone}>
          I have saved them
        </button>
      </div>
    </div>
  );
}

export function TwoFactor(props: {
  status?: Schemas['MfaStatusResponse'];
  hasPassword: boolean;
  reload: () => void;
}) {
  const [step, setStep] = useState<Step>({ name: 'idle' });
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const form = useSubmit();
  const on = props.status?.totp.enabled ?? false;

  const go = (next: Step) => {
    form.setFailure(undefined);
    setPassword('');
    setCode('');
    setStep(next);
  };

  const startSetup = () =>
    form.run(async () => {
      const answer = await authed(() => api.POST('/mfa/totp/setup', { body: { password } }));
      if (!answer?.data) return failureOf(answer);
      go({ name: 'scan', setup: answer.data });
      return undefined;
    });

  const confirm = () =>
    form.run(async () => {
      const answer = await authed(() => api.POST('/mfa/totp/confirm', { body: { code } }));
      if (!answer?.data) return failureOf(answer);
      go({ name: 'codes', codes: answer.data.recovery_codes });
      props.reload();
      return undefined;
    });

  const change = (action: 'disable' | 'regenerate') =>
    form.run(async () => {
      const body = { password, code };
      if (action === 'disable') {
        const answer = await authed(() => api.POST('/mfa/totp/disable', { body }));
        if (!answer?.response.ok) return failureOf(answer);
        go({ name: 'idle' });
      } else {
        const answer = await authed(() => api.POST('/mfa/recovery-codes', { body }));
        if (!answer?.data) return failureOf(answer);
        go({ name: 'codes', codes: answer.data.recovery_codes });
      }
      props.reload();
      return undefined;
    });

  return (
    <section aria-labelledby="mfa-title">
      <h2 id="mfa-title">Two-factor login</h2>
      {props.status && (
        <p role="status">
          {on ? (
            <>
              Two-factor login is <strong>on</strong> since{' '}
              <When at={props.status.totp.enabled_at} />. {props.status.recovery_codes.remaining}{' '}
              recovery codes left.
            </>
          ) : (
            <>
              Two-factor login is <strong>off</strong>. Turn it on to ask for a code from an
              authenticator app after your password.
            </>
          )}
        </p>
      )}
      {step.name === 'idle' && !on && props.hasPassword && (
        <button type="button" onClick={() => go({ name: 'password' })}>
          Turn on two-factor login
        </button>
      )}
      {step.name === 'idle' && !on && !props.hasPassword && (
        <p class="hint">Turning it on asks for your password: set one first (below).</p>
      )}
      {step.name === 'idle' && on && (
        <div class="actions">
          <button
            type="button"
            class="secondary"
            onClick={() => go({ name: 'change', action: 'regenerate' })}
          >
            Make new recovery codes
          </button>
          <button
            type="button"
            class="danger"
            onClick={() => go({ name: 'change', action: 'disable' })}
          >
            Turn off two-factor login
          </button>
        </div>
      )}
      {step.name === 'password' && (
        <Form onSubmit={() => void startSetup()} label="Turn on two-factor login">
          <PasswordField value={password} onInput={setPassword} failure={form.failure} autoFocus />
          <Failure failure={form.failure} />
          <div class="actions">
            <Submit busy={form.busy}>Continue</Submit>
            <button type="button" class="secondary" onClick={() => go({ name: 'idle' })}>
              Cancel
            </button>
          </div>
        </Form>
      )}
      {step.name === 'scan' && (
        <Form onSubmit={() => void confirm()} label="Confirm two-factor login">
          <ol class="steps">
            <li>
              Scan this QR code with your authenticator app.
              <img
                class="qr"
                src={qrImage(step.setup.qr_svg)}
                alt="QR code for your authenticator app"
                width={200}
                height={200}
              />
            </li>
            <li>
              Or enter this key in the app:{' '}
              <code id="totp-secret" class="secret">
                {step.setup.secret}
              </code>
              <a class="otpauth" href={step.setup.otpauth_uri}>
                Open in an authenticator app on this device
              </a>
            </li>
            <li>Enter the six-digit code the app shows.</li>
          </ol>
          <AppCodeField value={code} onInput={setCode} failure={form.failure} />
          <Failure failure={form.failure} />
          <div class="actions">
            <Submit busy={form.busy}>Turn on</Submit>
            <button type="button" class="secondary" onClick={() => go({ name: 'idle' })}>
              Cancel
            </button>
          </div>
        </Form>
      )}
      {step.name === 'codes' && (
        <RecoveryCodes codes={step.codes} onDone={() => go({ name: 'idle' })} />
      )}
      {step.name === 'change' && (
        <Form
          onSubmit={() => void change(step.action)}
          label={
            step.action === 'disable' ? 'Turn off two-factor login' : 'Make new recovery codes'
          }
        >
          <PasswordField value={password} onInput={setPassword} failure={form.failure} autoFocus />
          <CodeField value={code} onInput={setCode} failure={form.failure} />
          <Failure failure={form.failure} />
          <div class="actions">
            <Submit busy={form.busy}>
              {step.action === 'disable' ? 'Turn off' : 'Make new codes'}
            </Submit>
            <button type="button" class="secondary" onClick={() => go({ name: 'idle' })}>
              Cancel
            </button>
          </div>
        </Form>
      )}
    </section>
  );
}
