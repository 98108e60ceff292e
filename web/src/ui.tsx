// Shared pieces of every page: labelled fields, the error line, a submit button that says when it
// is busy, and a modal dialog. Errors are always text on the page (role="alert"), never colour only.
import type { ComponentChildren } from 'preact';
import { useEffect, useId, useRef, useState } from 'preact/hooks';
import { describe, problemOf } from './api';

/** What a failed form shows: one sentence, and a message per field the service named. */
export interface FormFailure {
  sentence: string;
  fields: Record<string, string>;
}

export function failureOf(answer: Parameters<typeof describe>[0]): FormFailure {
  const fields: Record<string, string> = {};
  for (const error of (answer && problemOf(answer)?.errors) ?? [])
    fields[error.field] = error.message;
  return { sentence: describe(answer), fields };
}

/**
 * A form's submit handling: `run(work)` marks the form busy, and shows the failure `work` returns
 * (undefined when it succeeded).
 */
export function useSubmit() {
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<FormFailure | undefined>();
  const run = async (work: () => Promise<FormFailure | undefined>) => {
    setBusy(true);
    setFailure(undefined);
    try {
      setFailure(await work());
    } finally {
      setBusy(false);
    }
  };
  return { busy, failure, setFailure, run };
}

interface FieldProps {
  label: string;
  name: string;
  type?: 'text' | 'email' | 'password';
  value: string;
  onInput: (value: string) => void;
  autocomplete?: string;
  inputMode?: 'numeric' | 'text' | 'email';
  hint?: string;
  failure?: FormFailure;
  required?: boolean;
  autoFocus?: boolean;
}

export function Field(props: FieldProps) {
  const id = useId();
  const error = props.failure?.fields[props.name];
  const ref = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (props.autoFocus) ref.current?.focus();
  }, []);
  const described = [props.hint && `${id}-hint`, error && `${id}-error`].filter(Boolean).join(' ');
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      {props.hint && (
        <p class="hint" id={`${id}-hint`}>
          {props.hint}
        </p>
      )}
      <input
        ref={ref}
        id={id}
        name={props.name}
        // Preact's types tie some attributes to the input type; these three take the same ones.
        type={(props.type ?? 'text') as 'text'}
        value={props.value}
        onInput={(event) => props.onInput(event.currentTarget.value)}
        autocomplete={props.autocomplete}
        inputMode={props.inputMode}
        required={props.required ?? true}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={described || undefined}
      />
      {error && (
        <p class="field-error" id={`${id}-error`}>
          {error}
        </p>
      )}
    </div>
  );
}

/** A field bound to a form's state: what the common fields below take. */
interface BoundField {
  value: string;
  onInput: (value: string) => void;
  failure?: FormFailure;
  autoFocus?: boolean;
}

export function EmailField(props: BoundField & { autocomplete?: 'email' | 'username' }) {
  return (
    <Field
      {...props}
      label="Email"
      name="email"
      type="email"
      inputMode="email"
      autocomplete={props.autocomplete ?? 'email'}
    />
  );
}

/** The account's current password (the one the service checks). */
export function PasswordField(props: BoundField & { label?: string; name?: string }) {
  return (
    <Field
      {...props}
      label={props.label ?? 'Your password'}
      name={props.name ?? 'password'}
      type="password"
      autocomplete="current-password"
    />
  );
}

/** A six-digit code from the authenticator app (no recovery code). */
export function AppCodeField(props: BoundField & { hint?: string }) {
  return (
    <Field
      {...props}
      label="Code from your authenticator app"
      name="code"
      autocomplete="one-time-code"
      inputMode="numeric"
    />
  );
}

/** Where the service asks for a second factor: a code from the app, or a recovery code. */
export function CodeField(props: BoundField) {
  return (
    <Field
      {...props}
      label="Code from your authenticator app, or a recovery code"
      name="code"
      autocomplete="one-time-code"
    />
  );
}

/** The failure's sentence, announced when it appears. */
export function Failure({ failure }: { failure?: FormFailure }) {
  return (
    <p class="failure" role="alert">
      {failure?.sentence ?? ''}
    </p>
  );
}

export function Submit({ busy, children }: { busy: boolean; children: ComponentChildren }) {
  return (
    <button type="submit" disabled={busy} aria-busy={busy ? 'true' : undefined}>
      {children}
    </button>
  );
}

/** A form that never reloads the page. */
export function Form(props: { onSubmit: () => void; label?: string; children: ComponentChildren }) {
  return (
    <form
      aria-label={props.label}
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        props.onSubmit();
      }}
    >
      {props.children}
    </form>
  );
}

/** A modal <dialog>: the browser keeps focus inside it, and Escape closes it (calls onCancel). */
export function Dialog(props: {
  title: string;
  onCancel: () => void;
  children: ComponentChildren;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => dialog?.close();
  }, []);
  return (
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      onCancel={(event) => {
        event.preventDefault();
        props.onCancel();
      }}
    >
      <h2 id={titleId}>{props.title}</h2>
      {props.children}
    </dialog>
  );
}

/**
 * "Session already active" (409 SESSION_ACTIVE): continuing sends the same step again with force,
 * which signs the other session out.
 */
export function SessionActiveDialog(props: { onContinue: () => void; onCancel: () => void }) {
  return (
    <Dialog title="Session already active" onCancel={props.onCancel}>
      <p>
        You are already signed in on another device or browser. Only one session can be active:
        continuing signs the other one out.
      </p>
      <div class="actions">
        <button type="button" onClick={props.onContinue}>
          Sign the other device out and continue
        </button>
        <button type="button" class="secondary" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
    </Dialog>
  );
}

/** A date and time in the reader's own locale and time zone. */
export function When({ at }: { at: string | null | undefined }) {
  if (!at) return <span>—</span>;
  return <time dateTime={at}>{new Date(at).toLocaleString()}</time>;
}
