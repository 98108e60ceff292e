import type { Schemas } from '../../../clients/typescript/index';

/** The account as GET /users/me answered it (the account page loads it), or why it could not. */
export function Profile({ user, failure }: { user?: Schemas['MeResponse']; failure?: string }) {
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
