// The account page: one section per concern, in the order a person reads them. A new section
// (e.g. linked accounts, issue 30) is a component in src/account/ added to the list below.
import { useEffect, useState } from 'preact/hooks';
import type { Schemas } from '../../../clients/typescript/index';
import { api, authed, describe } from '../api';
import { Activity } from '../account/activity';
import { DeleteAccount } from '../account/delete-account';
import { LinkedAccounts } from '../account/linked-accounts';
import { ChangePassword, SetPassword } from '../account/password';
import { Profile } from '../account/profile';
import { ThisSession } from '../account/this-session';
import { TwoFactor } from '../account/two-factor';

export function AccountPage() {
  const [mfa, setMfa] = useState<Schemas['MfaStatusResponse'] | undefined>();
  const loadMfa = () =>
    void authed(() => api.GET('/mfa')).then((answer) => answer?.data && setMfa(answer.data));
  useEffect(loadMfa, []);
  const [me, setMe] = useState<Schemas['MeResponse'] | undefined>();
  const [meFailure, setMeFailure] = useState<string | undefined>();
  useEffect(() => {
    void authed(() => api.GET('/users/me')).then((answer) =>
      answer?.data ? setMe(answer.data) : setMeFailure(describe(answer)),
    );
  }, []);
  const mfaOn = mfa?.totp.enabled ?? false;
  // An account made by a sign-in provider has no password until it sets one (forgot-password).
  const hasPassword = me?.has_password ?? true;

  return (
    <main>
      <h1>Your account</h1>
      <Profile user={me} failure={meFailure} />
      <ThisSession />
      <TwoFactor status={mfa} hasPassword={hasPassword} reload={loadMfa} />
      {me && !hasPassword ? <SetPassword email={me.email} /> : <ChangePassword mfaOn={mfaOn} />}
      <LinkedAccounts mfaOn={mfaOn} hasPassword={hasPassword} />
      <Activity />
      <DeleteAccount mfaOn={mfaOn} hasPassword={hasPassword} />
    </main>
  );
}
