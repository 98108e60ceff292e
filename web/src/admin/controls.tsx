// Form controls the console needs besides ui.tsx's text fields: a labelled choice, a date-time
// field, the console's own navigation, and the query string that keeps a page's filters (so a
// reload, a shared link or the back button shows the same list).
import type { ComponentChildren } from 'preact';
import { useEffect, useId, useState } from 'preact/hooks';
import { authed } from '../api';
import { failureOf, type FormFailure } from '../ui';

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

/** What ListState and MoreButton read of a usePages list. */
interface ListView {
  items: readonly unknown[];
  busy: boolean;
  failure?: FormFailure;
  more?: () => void;
}

/** The sentence a paged list shows while it loads, when it is empty, or the refusal. */
export function ListState(props: { list: ListView; none: string }) {
  const { busy, items, failure } = props.list;
  if (failure) {
    return (
      <p role="alert" class="failure">
        {failure.sentence}
      </p>
    );
  }
  return (
    <p role="status" class="hint">
      {busy ? 'Loading…' : items.length === 0 ? props.none : ''}
    </p>
  );
}

interface PageAnswer<T> {
  data?: { items: T[]; next_cursor: string | null };
  error?: unknown;
  response: Response;
}

/**
 * A filtered list the service answers a page at a time. `filters` and `set(key)` are the form's;
 * `search()` keeps them in the address bar and shows the first page; `more` (undefined on the
 * last page) appends the next page of the list shown, whatever the form says by then. The first
 * page of `initial` loads at once.
 */
export function usePages<F extends Record<string, string>, T>(
  fetchPage: (filters: F, cursor?: string) => Promise<PageAnswer<T>>,
  initial: F,
) {
  const [filters, setFilters] = useState(initial);
  const [shown, setShown] = useState(initial);
  const [items, setItems] = useState<T[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [failure, setFailure] = useState<FormFailure | undefined>();
  const [busy, setBusy] = useState(false);

  const load = async (filters: F, after?: string) => {
    setBusy(true);
    setFailure(undefined);
    setShown(filters);
    const answer = await authed(() => fetchPage(filters, after));
    setBusy(false);
    if (!answer?.data) {
      setItems([]);
      setCursor(null);
      return setFailure(failureOf(answer));
    }
    const page = answer.data;
    setItems((before) => (after ? [...before, ...page.items] : page.items));
    setCursor(page.next_cursor);
  };
  useEffect(() => void load(initial), []);

  return {
    filters,
    set: (key: keyof F) => (value: string) => setFilters({ ...filters, [key]: value }),
    search: () => {
      keepInQuery(filters);
      void load(filters);
    },
    items,
    busy,
    failure,
    more: cursor ? () => void load(shown, cursor) : undefined,
  };
}

/** The button under a paged list, while there is a next page. */
export function MoreButton(props: { list: ListView; children: string }) {
  if (!props.list.more) return null;
  return (
    <button type="button" class="secondary" disabled={props.list.busy} onClick={props.list.more}>
      {props.children}
    </button>
  );
}
