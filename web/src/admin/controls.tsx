// Form controls the console needs besides ui.tsx's text fields: a labelled choice, a date-time
// field, the console's own navigation, and the query string that keeps a page's filters (so a
// reload, a shared link or the back button shows the same list).
import { useId } from 'preact/hooks';
import type { ComponentChildren } from 'preact';

export function Choice(props: {
  label: string;
  name: string;
  value: string;
  options: Array<[value: string, text: string]>;
  onChange: (value: string) => void;
}) {
  const id = useId();
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      <select
        id={id}
        name={props.name}
        value={props.value}
        onChange={(event) => props.onChange(event.currentTarget.value)}
      >
        {props.options.map(([value, text]) => (
          <option key={value} value={value}>
            {text}
          </option>
        ))}
      </select>
    </div>
  );
}

/** A date and time in the reader's time zone; `value` is what the input holds (no zone). */
export function DateTime(props: {
  label: string;
  name: string;
  value: string;
  onInput: (value: string) => void;
  error?: string;
}) {
  const id = useId();
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      <input
        id={id}
        name={props.name}
        type="datetime-local"
        value={props.value}
        onInput={(event) => props.onInput(event.currentTarget.value)}
        aria-invalid={props.error ? 'true' : undefined}
        aria-describedby={props.error ? `${id}-error` : undefined}
      />
      {props.error && (
        <p class="field-error" id={`${id}-error`}>
          {props.error}
        </p>
      )}
    </div>
  );
}

/** The console's pages, the current one marked for screen readers too. */
export function ConsoleNav({ current }: { current: 'users' | 'audit' | 'user' }) {
  const link = (page: 'users' | 'audit', text: ComponentChildren) => (
    <a href={`/app/admin/${page}`} aria-current={current === page ? 'page' : undefined}>
      {text}
    </a>
  );
  return (
    <nav class="console-nav" aria-label="Admin console">
      {link('users', 'Accounts')}
      {link('audit', 'Audit trail')}
      <a href="/app/account">Your account</a>
    </nav>
  );
}

/** The page's query string as a plain record. */
export function queryOf(): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(location.search));
}

/** Keeps `values` (the empty ones left out) in the address bar, without a new history entry. */
export function keepInQuery(values: Record<string, string>): void {
  const query = new URLSearchParams(Object.entries(values).filter(([, value]) => value !== ''));
  const search = query.toString();
  history.replaceState(null, '', `${location.pathname}${search ? `?${search}` : ''}`);
}

/** The sentence a list shows while it loads, when it is empty, or the refusal. */
export function ListState(props: { busy: boolean; count: number; failure?: string; none: string }) {
  if (props.failure) {
    return (
      <p role="alert" class="failure">
        {props.failure}
      </p>
    );
  }
  return (
    <p role="status" class="hint">
      {props.busy ? 'Loading…' : props.count === 0 ? props.none : ''}
    </p>
  );
}
