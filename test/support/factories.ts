import { randomBytes } from 'node:crypto';
import { tokenIn } from './smtp-peer';
import type { TestApp } from './test-app';
import { totp } from './totp';

export const GOOD_PASSWORD = 'Quiet-Lantern-Orbit-42';

let counter = 0;

/** A fresh, unique identity for one test. */
export function newIdentity(prefix = 'user') {
  counter += 1;
  const tag = `${randomBytes(4).toString('hex')}${counter}`;
  return {
    username: `${prefix}_${tag}`,
    email: `${prefix}.${tag}@example.com`,
    password: GOOD_PASSWORD,
  };
}

export type Identity = ReturnType<typeof newIdentity>;

/** Signs up; the verification mail arrives over SMTP and is returned. */
export async function signUp(t: TestApp, identity = newIdentity()) {
  const response = await t.http.post('/auth/signup').send(identity).expect(201);
  const mail = await t.smtp.waitForMail(identity.email, /Confirm/);
  return { identity, userId: response.body.user.id as string, verificationToken: tokenIn(mail) };
}

/** Signs up and verifies through the emailed link's token. */
export async function verifiedUser(t: TestApp, identity = newIdentity()) {
  const created = await signUp(t, identity);
  await t.http.post('/verify/confirm').send({ token: created.verificationToken }).expect(200);
  return created;
}

/** A verified user with a live session. */
export async function loggedInUser(t: TestApp, identity = newIdentity()) {
  const created = await verifiedUser(t, identity);
  const login = await t.http
    .post('/auth/login')
    .send({ email: identity.email, password: identity.password })
    .expect(200);
  return {
    ...created,
    accessToken: login.body.access_token as string,
    refreshToken: login.body.refresh_token as string,
  };
}

export const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

/** Turns two-factor login on for a logged-in account (setup, then a first code): its secret and recovery codes. */
export async function turnOnTwoFactor(
  t: TestApp,
  accessToken: string,
): Promise<{ secret: string; recoveryCodes: string[] }> {
  const setup = await t.http
    .post('/mfa/totp/setup')
    .set(bearer(accessToken))
    .send({ password: GOOD_PASSWORD })
    .expect(200);
  const secret = setup.body.secret as string;
  const confirmed = await t.http
    .post('/mfa/totp/confirm')
    .set(bearer(accessToken))
    .send({ code: totp(secret) })
    .expect(200);
  return { secret, recoveryCodes: confirmed.body.recovery_codes as string[] };
}
