// What the signed-in person may do, from GET /users/me (the roles as the service's permission
// guard sees them). Only decides what the dashboard offers: every admin call is still checked by
// the service, and a refusal is shown as a sentence.
import { useEffect, useState } from 'preact/hooks';
import type { Schemas } from '../../../clients/typescript/index';
import { api, authed, onSessionChange } from '../api';

export type Permission = Schemas['MeResponse']['permissions'][number];

let mine: Promise<ReadonlySet<Permission>> | undefined;
// A new session may belong to another person, or to the same one with other roles.
onSessionChange(() => (mine = undefined));

function myPermissions(): Promise<ReadonlySet<Permission>> {
  mine ??= authed(() => api.GET('/users/me')).then((answer) => {
    if (!answer?.data) mine = undefined; // try again on the next page
    return new Set(answer?.data?.permissions ?? []);
  });
  return mine;
}

/** The caller's permissions; undefined while they load. */
export function usePermissions(): ReadonlySet<Permission> | undefined {
  const [granted, setGranted] = useState<ReadonlySet<Permission> | undefined>();
  useEffect(() => {
    let live = true;
    void myPermissions().then((permissions) => live && setGranted(permissions));
    return () => void (live = false);
  }, []);
  return granted;
}

/** The header's way into the console, for people who may read accounts or the audit trail. */
export function ConsoleLink() {
  const granted = usePermissions();
  if (!granted?.has('users:read') && !granted?.has('audit:read')) return null;
  return (
    <a class="console-link" href="/app/admin/users">
      Admin console
    </a>
  );
}
