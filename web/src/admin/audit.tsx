// The whole audit trail in the console: filtered by account, action, outcome and a time range,
// newest first, a page at a time. The filters live in the address bar (a user's page links here
// with its account filled in).
import { api } from '../api';
import { Field, Form, When } from '../ui';
import { Choice, ConsoleNav, DateTime, ListState, MoreButton, queryOf, usePages } from './controls';

const PAGE_SIZE = 25;
type Filters = { user_id: string; action: string; outcome: string; from: string; to: string };
const FIELDS: Array<keyof Filters> = ['user_id', 'action', 'outcome', 'from', 'to'];

const OUTCOMES: Array<[string, string]> = [
  ['', 'Any outcome'],
  ['success', 'Succeeded'],
  ['failure', 'Failed'],
];

/** A detail's value as text. */
const shown = (value: unknown) =>
  typeof value === 'object' ? JSON.stringify(value) : String(value);

/** A datetime-local value (the reader's zone) as the instant the service expects. */
const instant = (local: string) => (local ? new Date(local).toISOString() : undefined);

/** The filters from the address bar (a user's page links here with user_id). */
function filtersFromQuery(): Filters {
  const query = queryOf();
  return Object.fromEntries(FIELDS.map((key) => [key, query[key] ?? ''])) as Filters;
}

export function AdminAuditPage() {
  const list = usePages(
    (wanted: Filters, cursor?: string) =>
      api.GET('/admin/audit', {
        params: {
          query: {
            limit: PAGE_SIZE,
            ...(wanted.user_id.trim() && { user_id: wanted.user_id.trim().toLowerCase() }),
            ...(wanted.action.trim() && { action: wanted.action.trim() }),
            ...(wanted.outcome && { outcome: wanted.outcome as 'success' | 'failure' }),
            ...(wanted.from && { from: instant(wanted.from) }),
            ...(wanted.to && { to: instant(wanted.to) }),
            ...(cursor && { cursor }),
          },
        },
      }),
    filtersFromQuery(),
  );
  const fields = list.failure?.fields ?? {};

  const { filters, set, search } = list;

  return (
    <main class="console">
      <ConsoleNav current="audit" />
      <h1>Audit trail</h1>
      <section aria-labelledby="filter-title">
        <h2 id="filter-title">Filters</h2>
        <Form onSubmit={search} label="Filter the audit trail">
          <Field
            label="Account id"
            name="user_id"
            value={filters.user_id}
            onInput={set('user_id')}
            required={false}
            hint="The id shown on an account's page."
            failure={list.failure}
          />
          <div class="filters">
            <Field
              label="Action"
              name="action"
              value={filters.action}
              onInput={set('action')}
              required={false}
              hint="For example login.failed or admin.user.disable."
              failure={list.failure}
            />
            <Choice
              label="Outcome"
              name="outcome"
              value={filters.outcome}
              options={OUTCOMES}
              onChange={set('outcome')}
            />
          </div>
          <div class="filters">
            <DateTime
              label="Since"
              name="from"
              value={filters.from}
              onInput={set('from')}
              error={fields.from}
            />
            <DateTime
              label="Until"
              name="to"
              value={filters.to}
              onInput={set('to')}
              error={fields.to}
            />
          </div>
          <button type="submit" disabled={list.busy}>
            Show events
          </button>
        </Form>
      </section>
      <section aria-labelledby="events-title">
        <h2 id="events-title">Events</h2>
        <ListState list={list} none="No event matches." />
        <ol class="rows" aria-label="Audit events, newest first">
          {list.items.map((event) => (
            <li key={event.id}>
              <span class="what">
                <code>{event.action}</code>
                {event.outcome === 'failure' && <span class="badge warn">failed</span>}
              </span>
              <span class="when">
                <When at={event.created_at} />
              </span>
              <span class="who">
                {event.user_id ? (
                  <a href={`/app/admin/user?id=${event.user_id}`}>
                    Account <code>{event.user_id.slice(0, 8)}</code>
                  </a>
                ) : (
                  'No account'
                )}
                {event.actor_id && (
                  <>
                    {' · by '}
                    <a href={`/app/admin/user?id=${event.actor_id}`}>
                      admin <code>{event.actor_id.slice(0, 8)}</code>
                    </a>
                  </>
                )}
              </span>
              <span class="where">{event.ip ?? ''}</span>
              {Object.keys(event.meta).length > 0 && (
                <span class="meta wrap">
                  {Object.entries(event.meta)
                    .map(([key, value]) => `${key}: ${shown(value)}`)
                    .join(' · ')}
                </span>
              )}
            </li>
          ))}
        </ol>
        <MoreButton list={list}>Show older events</MoreButton>
      </section>
    </main>
  );
}
