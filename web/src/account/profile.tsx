import { useEffect, useState } from 'preact/hooks';
import type { Schemas } from '../../../clients/typescript/index';
import { api, authed, describe } from '../api';

export function Profile() {
  const [user, setUser] = useState<Schemas['UserResponse'] | undefined>();
  const [failure, setFailure] = useState<string | undefined>();
  useEffect(() => {
    void authed(() => api.GET('/users/me')).then((answer) =>
      answer?.data ? setUser(answer.data) : setFailure(describe(answer)),
    );
  }, []);
  return (
    <section aria-labelledby="profile-title">
      <h2 id="profile-title">Profile</h2>
      {failure && (
        <p role="alert" class="failure">
          {failure}
        </p>
      )}
      {user && (
        <dl>
          <dt>Username</dt>
          <dd>{user.username}</dd>
          <dt>Email</dt>
          <dd>
            {user.email}{' '}
            <span class={user.is_verified ? 'badge ok' : 'badge warn'}>
              {user.is_verified ? 'verified' : 'not verified'}
            </span>
          </dd>
        </dl>
      )}
    </section>
  );
}
