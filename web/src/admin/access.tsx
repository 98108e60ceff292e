// What the signed-in person may do, from GET /users/me (the roles as the service's permission
// guard sees them on that request). Only decides what the dashboard offers: every admin call is
// still checked by the service, and a refusal is shown as a sentence. Read again on every page,
// so a role given or taken shows from the next page on.
import { useEffect, useState } from 'preact/hooks';
import type { Schemas } from '../../../clients/typescript/index';
import { api, authed } from '../api';
import { useRoute } from '../router';

export type Permission = Schemas['MeResponse']['permissions'][number];

/** The caller's permissions on this page; undefined while they load (or if they could not). */
export function usePermissions(): ReadonlySet<Permission> | undefined {
  const route = useRoute();
  const [granted, setGranted] = useState<ReadonlySet<Permission> | undefined>();
  useEffect(() => {
    let live = true;
    void authed(() => api.GET('/users/me')).then(
      (answer) => live && setGranted(answer?.data ? new Set(answer.data.permissions) : undefined),
    );
    return () => void (live = false);
  }, [route]);
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
