// One account in the console (/app/admin/user?id=…): its standing, and what an administrator may
// do about it. Each action shows its result on the page; the destructive ones (disable, end the
// session, reset two-factor) ask first, and those the audit trail should explain ask for a reason.
import { useEffect, useState } from 'preact/hooks';
import type { Schemas } from '../../../clients/typescript/index';
import { api, authed, describe } from '../api';
import { Dialog, Failure, failureOf, Field, Form, type FormFailure, useSubmit, When } from '../ui';
import { usePermissions } from './access';
import { ConsoleNav, queryOf } from './controls';

type Account = Schemas['AdminUserDetail'];
type Role = Account['roles'][number];
type Answer = Parameters<typeof failureOf>[0];
type Asking = 'disable' | 'revoke' | 'mfa';

/** Roles an administrator can give or take; `user` is every account's and is not offered. */
const GRANTABLE: Array<[Role, string]> = [['admin', 'Administrator (every admin permission)']];

export function AdminUserPage() {
  const id = queryOf().id ?? '';
  const granted = usePermissions();
  const [account, setAccount] = useState<Account | undefined>();
  const [failure, setFailure] = useState<string | undefined>();
  const [result, setResult] = useState('');
  const [asking, setAsking] = useState<Asking | undefined>();

  const load = async () => {
    const answer = await authed(() => api.GET('/admin/users/{id}', { params: { path: { id } } }));
    if (answer?.data) setAccount(answer.data);
    else setFailure(describe(answer));
  };
  useEffect(() => void load(), [id]);

  /**
   * Sends an action; on success shows `said` (or the service's message) and reloads the account.
   * Answers the failure for a dialog's form to show; plain buttons show it in the result line.
   */
  const act = async (
    send: () => Promise<Answer & { data?: object }>,
    said?: string,
  ): Promise<FormFailure | undefined> => {
    setResult('');
    setFailure(undefined);
    const answer = await authed(send);
    if (!answer?.response.ok) return failureOf(answer);
    const data = answer.data as { message?: string } | undefined;
    setResult(said ?? `${data?.message ?? 'Done'}.`);
    setAsking(undefined);
    await load();
    return undefined;
  };
  const button = (send: Parameters<typeof act>[0]) => async () => {
    const refused = await act(send);
    if (refused) setFailure(refused.sentence);
  };
  const path = { params: { path: { id } } };
  const may = (permission: Parameters<NonNullable<typeof granted>['has']>[0]) =>
    granted?.has(permission) ?? false;

  return (
    <main class="console">
      <ConsoleNav current="user" />
      <h1>{account ? account.username : 'Account'}</h1>
      <p role="status" class="success">
        {result}
      </p>
      <p role="alert" class="failure">
        {failure ?? ''}
      </p>
      {account && (
        <>
          <section aria-labelledby="standing-title">
            <h2 id="standing-title">Standing</h2>
            <dl>
              <dt>Email</dt>
              <dd>
                {account.email}{' '}
                <span class={account.is_verified ? 'badge ok' : 'badge warn'}>
                  {account.is_verified ? 'verified' : 'not verified'}
                </span>
              </dd>
              <dt>Status</dt>
              <dd>
                <span class={account.status === 'active' ? 'badge ok' : 'badge warn'}>
                  {account.status}
                </span>
              </dd>
              <dt>Roles</dt>
              <dd>{account.roles.join(', ')}</dd>
              <dt>Two-factor</dt>
              <dd>{account.mfa.enabled ? 'on' : 'off'}</dd>
              <dt>Created</dt>
              <dd>
                <When at={account.created_at} />
              </dd>
              <dt>Last login</dt>
              <dd>
                <When at={account.last_login_at} />
              </dd>
              <dt>Account id</dt>
              <dd>
                <code>{account.id}</code>
              </dd>
            </dl>
            {may('audit:read') && (
              <p>
                <a href={`/app/admin/audit?user_id=${account.id}`}>This account’s audit trail</a>
              </p>
            )}
          </section>

          <section aria-labelledby="session-title">
            <h2 id="session-title">Active session</h2>
            {account.active_session ? (
              <dl>
                <dt>Device</dt>
                <dd>{account.active_session.user_agent ?? 'unknown'}</dd>
                <dt>IP address</dt>
                <dd>{account.active_session.ip ?? 'unknown'}</dd>
                <dt>Signed in</dt>
                <dd>
                  <When at={account.active_session.created_at} />
                </dd>
                <dt>Last seen</dt>
                <dd>
                  <When at={account.active_session.last_seen_at} />
                </dd>
              </dl>
            ) : (
              <p>No active session.</p>
            )}
            {account.active_session && may('sessions:revoke') && (
              <button type="button" class="danger" onClick={() => setAsking('revoke')}>
                End the session…
              </button>
            )}
          </section>

          {may('users:write') && (
            <section aria-labelledby="access-title">
              <h2 id="access-title">Access</h2>
              {account.status === 'active' ? (
                <button type="button" class="danger" onClick={() => setAsking('disable')}>
                  Disable the account…
                </button>
              ) : (
                <button
                  type="button"
                  onClick={button(() => api.POST('/admin/users/{id}/enable', path))}
                >
                  Enable the account
                </button>
              )}
              <div class="actions">
                {!account.is_verified && (
                  <button
                    type="button"
                    class="secondary"
                    onClick={button(() => api.POST('/admin/users/{id}/verification-email', path))}
                  >
                    Resend the verification link
                  </button>
                )}
                <button
                  type="button"
                  class="secondary"
                  onClick={button(() => api.POST('/admin/users/{id}/password-reset', path))}
                >
                  Send a password reset link
                </button>
              </div>
            </section>
          )}

          {may('roles:write') && (
            <Roles
              key={account.roles.join()}
              roles={account.roles}
              save={(roles) =>
                act(
                  () => api.PUT('/admin/users/{id}/roles', { ...path, body: { roles } }),
                  `Roles saved: ${['user', ...roles].join(', ')}.`,
                )
              }
            />
          )}

          {account.mfa.enabled && may('mfa:reset') && (
            <section aria-labelledby="mfa-title">
              <h2 id="mfa-title">Two-factor login</h2>
              <p>For a person who lost both their authenticator and their recovery codes.</p>
              <button type="button" class="danger" onClick={() => setAsking('mfa')}>
                Reset two-factor login…
              </button>
            </section>
          )}
        </>
      )}

      {account && asking === 'disable' && (
        <Confirm
          title={`Disable ${account.username}?`}
          explain="Their session ends at once, and they cannot log in until the account is enabled again."
          confirm="Disable the account"
          withReason
          onCancel={() => setAsking(undefined)}
          send={(reason) =>
            act(() => api.POST('/admin/users/{id}/disable', { ...path, body: { reason } }))
          }
        />
      )}
      {account && asking === 'revoke' && (
        <Confirm
          title={`End ${account.username}’s session?`}
          explain="They are signed out on their next request, and may log in again."
          confirm="End the session"
          onCancel={() => setAsking(undefined)}
          send={() => act(() => api.POST('/admin/users/{id}/sessions/revoke', path))}
        />
      )}
      {account && asking === 'mfa' && (
        <Confirm
          title={`Reset ${account.username}’s two-factor login?`}
          explain="Their authenticator key and recovery codes are deleted and they are told by mail; their next login asks for the password only."
          confirm="Turn two-factor login off"
          withReason
          onCancel={() => setAsking(undefined)}
          send={(reason) =>
            act(() => api.POST('/admin/users/{id}/mfa/reset', { ...path, body: { reason } }))
          }
        />
      )}
    </main>
  );
}

function Roles(props: {
  roles: Role[];
  save: (roles: Role[]) => Promise<FormFailure | undefined>;
}) {
  const [chosen, setChosen] = useState(new Set(props.roles));
  const form = useSubmit();
  const toggle = (role: Role, on: boolean) => {
    const next = new Set(chosen);
    if (on) next.add(role);
    else next.delete(role);
    setChosen(next);
  };
  return (
    <section aria-labelledby="roles-title">
      <h2 id="roles-title">Roles</h2>
      <Form
        label="Roles"
        onSubmit={() =>
          void form.run(() =>
            props.save(GRANTABLE.map(([role]) => role).filter((role) => chosen.has(role))),
          )
        }
      >
        <fieldset>
          <legend>Every account is a user. Also:</legend>
          {GRANTABLE.map(([role, text]) => (
            <label key={role} class="check">
              <input
                type="checkbox"
                name="roles"
                value={role}
                checked={chosen.has(role)}
                onChange={(event) => toggle(role, event.currentTarget.checked)}
              />
              {text}
            </label>
          ))}
        </fieldset>
        <Failure failure={form.failure} />
        <button type="submit" class="secondary" disabled={form.busy}>
          Save the roles
        </button>
      </Form>
    </section>
  );
}

/** A question before a destructive action; with `withReason`, the reason the audit trail keeps. */
function Confirm(props: {
  title: string;
  explain: string;
  confirm: string;
  withReason?: boolean;
  onCancel: () => void;
  send: (reason: string) => Promise<FormFailure | undefined>;
}) {
  const [reason, setReason] = useState('');
  const form = useSubmit();
  return (
    <Dialog title={props.title} onCancel={props.onCancel}>
      <Form label={props.title} onSubmit={() => void form.run(() => props.send(reason))}>
        <p>{props.explain}</p>
        {props.withReason && (
          <Field
            label="Reason"
            name="reason"
            value={reason}
            onInput={setReason}
            hint="Kept in the audit trail."
            failure={form.failure}
            autoFocus
          />
        )}
        <Failure failure={form.failure} />
        <div class="actions">
          <button type="submit" class="danger" disabled={form.busy}>
            {props.confirm}
          </button>
          {/* Without a reason to type, focus starts on the safe choice. */}
          <button
            type="button"
            class="secondary"
            onClick={props.onCancel}
            autoFocus={!props.withReason}
          >
            Cancel
          </button>
        </div>
      </Form>
    </Dialog>
  );
}
