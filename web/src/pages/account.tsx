// The account page: one section per concern, in the order a person reads them. A new section
// (e.g. linked accounts, issue 30) is a component in src/account/ added to the list below.
import { useEffect, useState } from 'preact/hooks';
import type { Schemas } from '../../../clients/typescript/index';
import { api, authed } from '../api';
import { Activity } from '../account/activity';
import { DeleteAccount } from '../account/delete-account';
import { LinkedAccounts } from '../account/linked-accounts';
import { ChangePassword } from '../account/password';
import { Profile } from '../account/profile';
import { ThisSession } from '../account/this-session';
import { TwoFactor } from '../account/two-factor';

export function AccountPage() {
  const [mfa, setMfa] = useState<Schemas['MfaStatusResponse'] | undefined>();
  const loadMfa = () =>
    void authed(() => api.GET('/mfa')).then((answer) => answer?.data && setMfa(answer.data));
  useEffect(loadMfa, []);

  return (
    <main>
      <h1>Your account</h1>
      <Profile />
      <ThisSession />
      <TwoFactor status={mfa} reload={loadMfa} />
      <ChangePassword mfaOn={mfa?.totp.enabled ?? false} />
      <LinkedAccounts mfaOn={mfa?.totp.enabled ?? false} />
      <Activity />
      <DeleteAccount mfaOn={mfa?.totp.enabled ?? false} />
    </main>
  );
}
