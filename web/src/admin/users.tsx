// The console's list of accounts: a prefix of the email or username, status and role filters,
// newest first, a page at a time (the service's next_cursor).
import type { Schemas } from '../../../clients/typescript/index';
import { api } from '../api';
import { Field, Form, When } from '../ui';
import { Choice, ConsoleNav, ListState, MoreButton, queryOf, usePages } from './controls';

const PAGE_SIZE = 20;
type Account = Schemas['AdminUserView'];
type Filters = { query: string; status: string; role: string };

const STATUSES: Array<[string, string]> = [
  ['', 'Any status'],
  ['active', 'Active'],
  ['disabled', 'Disabled'],
];
const ROLES: Array<[string, string]> = [
  ['', 'Any role'],
  ['admin', 'Administrators'],
  ['user', 'Users'],
];

/** The filters from the address bar, each only if it is a value the service knows. */
function filtersFromQuery(): Filters {
  const query = queryOf();
  const known = (value: string | undefined, options: Array<[string, string]>) =>
    options.some(([option]) => option === value) ? (value ?? '') : '';
  return {
    query: query.query ?? '',
    status: known(query.status, STATUSES),
    role: known(query.role, ROLES),
  };
}

export function AdminUsersPage() {
  const list = usePages(
    (shown: Filters, cursor?: string) =>
      api.GET('/admin/users', {
        params: {
          query: {
            limit: PAGE_SIZE,
            ...(shown.query.trim() && { query: shown.query.trim() }),
            ...(shown.status && { status: shown.status as Account['status'] }),
            ...(shown.role && { role: shown.role as Account['roles'][number] }),
            ...(cursor && { cursor }),
          },
        },
      }),
    filtersFromQuery(),
  );

  const { filters, set, search } = list;

  return (
    <main class="console">
      <ConsoleNav current="users" />
      <h1>Accounts</h1>
      <section aria-labelledby="find-title">
        <h2 id="find-title">Find accounts</h2>
        <Form onSubmit={search} label="Find accounts">
          <Field
            label="Email or username starts with"
            name="query"
            value={filters.query}
            onInput={set('query')}
            required={false}
            hint="Leave it empty to list every account, newest first."
          />
          <div class="filters">
            <Choice
              label="Status"
              name="status"
              value={filters.status}
              options={STATUSES}
              onChange={set('status')}
            />
            <Choice
              label="Role"
              name="role"
              value={filters.role}
              options={ROLES}
              onChange={set('role')}
            />
          </div>
          <button type="submit" disabled={list.busy}>
            Search
          </button>
        </Form>
      </section>
      <section aria-labelledby="found-title">
        <h2 id="found-title">Results</h2>
        <ListState list={list} none="No account matches." />
        <ul class="rows" aria-label="Accounts, newest first">
          {list.items.map((account) => (
            <li key={account.id}>
              <a class="what" href={`/app/admin/user?id=${account.id}`}>
                {account.username}
              </a>
              <span class="wrap">{account.email}</span>
              <span class="tags">
                <span class={account.status === 'active' ? 'badge ok' : 'badge warn'}>
                  {account.status}
                </span>
                {account.roles
                  .filter((role) => role !== 'user')
                  .map((role) => (
                    <span key={role} class="badge">
                      {role}
                    </span>
                  ))}
                {!account.is_verified && <span class="badge warn">not verified</span>}
              </span>
              <span class="when">
                Created <When at={account.created_at} />
              </span>
            </li>
          ))}
        </ul>
        <MoreButton list={list}>Show more accounts</MoreButton>
      </section>
    </main>
  );
}
