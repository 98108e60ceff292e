import {
  createAuthClient,
  type AuthClient,
  type Problem,
  type Schemas,
} from '../clients/typescript';
import { newIdentity } from './support/factories';
import { tokenIn } from './support/smtp-peer';
import { startTestApp, TestApp } from './support/test-app';

const NEW_PASSWORD = 'Brisk-Meadow-Falcon-77';

/** What openapi-fetch resolves to: the typed body of a success or the typed problem of a failure. */
interface Answer<Data, Failure> {
  data?: Data;
  error?: Failure;
  response: Response;
}

/** The success body, after checking the status (a failure shows its problem details). */
async function expectData<Data, Failure>(
  call: Promise<Answer<Data, Failure>>,
  status: number,
): Promise<Data> {
  const { data, error, response } = await call;
  expect({ status: response.status, error }).toEqual({ status, error: undefined });
  return data as Data;
}

/** The problem details, after checking the status and that they came as problem+json. */
async function expectProblem<Data, Failure>(
  call: Promise<Answer<Data, Failure>>,
  status: number,
): Promise<Failure> {
  const { data, error, response } = await call;
  expect({ status: response.status, data }).toEqual({ status, data: undefined });
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  return error as Failure;
}

describe('typed client (clients/typescript) against the listening service', () => {
  let t: TestApp;
  let baseUrl: string;

  beforeAll(async () => {
    t = await startTestApp();
    await t.app.listen(0, '127.0.0.1');
    baseUrl = await t.app.getUrl();
  });
  afterAll(() => t.close());

  it('runs the whole account flow: signup to reset, with typed bodies and problems', async () => {
    const identity = newIdentity('client');
    let accessToken: string | undefined;
    const auth: AuthClient = createAuthClient(baseUrl, { accessToken: () => accessToken });

    const signup = await expectData(auth.POST('/auth/signup', { body: identity }), 201);
    expect(signup.user).toMatchObject({
      email: identity.email,
      username: identity.username,
      is_verified: false,
    });

    const verificationMail = await t.smtp.waitForMail(identity.email, /Confirm/);
    const verified = await expectData(
      auth.POST('/verify/confirm', { body: { token: tokenIn(verificationMail) } }),
      200,
    );
    expect(verified.status).toBe('success');

    const credentials = { email: identity.email, password: identity.password };
    const first = tokensOf(await expectData(auth.POST('/auth/login', { body: credentials }), 200));
    expect(first.token_type).toBe('bearer');
    expect(first.expires_in).toBeGreaterThan(0);

    const refused: Problem = await expectProblem(
      auth.POST('/auth/login', { body: credentials }),
      409,
    );
    expect(refused).toMatchObject({ status: 409, code: 'SESSION_ACTIVE' });

    const forced = tokensOf(
      await expectData(auth.POST('/auth/login', { body: { ...credentials, force: true } }), 200),
    );
    // The replaced session's token is refused with a code the caller can act on.
    const replaced = await expectProblem(
      auth.GET('/session/active', { headers: { Authorization: `Bearer ${first.access_token}` } }),
      401,
    );
    expect(replaced.code).toBe('SESSION_REPLACED');

    const refreshed = tokensOf(
      await expectData(
        auth.POST('/auth/refresh', { body: { refresh_token: forced.refresh_token } }),
        200,
      ),
    );
    expect(refreshed.refresh_token).not.toBe(forced.refresh_token);
    accessToken = refreshed.access_token;

    const active = await expectData(auth.GET('/session/active'), 200);
    expect(active.active).toBe(true);
    expect(Date.parse(active.session.expires_at)).toBeGreaterThan(Date.now());

    const audit = await expectData(
      auth.GET('/audit/me', { params: { query: { limit: 100 } } }),
      200,
    );
    expect(audit.next_cursor).toBeNull();
    expect(audit.items.map((item) => `${item.action}:${item.outcome}`).reverse()).toEqual([
      'signup:success',
      'email.verify:success',
      'login:success',
      'login.failed:failure',
      'login:success',
      'session.replaced:success',
      'token.refresh:success',
    ]);

    const loggedOut = await expectData(auth.POST('/auth/logout'), 200);
    expect(loggedOut.status).toBe('success');
    const ended = await expectProblem(auth.GET('/users/me'), 401);
    expect(ended.code).toBe('SESSION_ENDED');
    accessToken = undefined;

    await expectData(auth.POST('/password/forgot', { body: { email: identity.email } }), 202);
    const resetMail = await t.smtp.waitForMail(identity.email, /Reset your password/);
    const reset = { token: tokenIn(resetMail), new_password: NEW_PASSWORD };
    await expectData(auth.POST('/password/reset', { body: reset }), 200);
    const spent = await expectProblem(auth.POST('/password/reset', { body: reset }), 400);
    expect(spent.code).toBe('INVALID_TOKEN');

    const oldPassword = await expectProblem(auth.POST('/auth/login', { body: credentials }), 401);
    expect(oldPassword.code).toBe('INVALID_CREDENTIALS');
    const again = tokensOf(
      await expectData(
        auth.POST('/auth/login', { body: { email: identity.email, password: NEW_PASSWORD } }),
        200,
      ),
    );
    accessToken = again.access_token;
    const me = await expectData(auth.GET('/users/me'), 200);
    expect(me).toMatchObject({ email: identity.email, is_verified: true });
  });

  it('answers what the types refuse with a typed 400 problem naming the field', async () => {
    const auth = createAuthClient(baseUrl);
    const problem = await expectProblem(
      // @ts-expect-error: the document requires a password, so the types refuse this body.
      auth.POST('/auth/login', { body: { email: 'someone@example.com' } }),
      400,
    );
    expect(problem.code).toBe('VALIDATION_FAILED');
    expect(problem.errors?.map((error) => error.field)).toContain('password');
  });

  it('answers a missing bearer token with a typed 401 problem', async () => {
    const problem = await expectProblem(createAuthClient(baseUrl).GET('/audit/me'), 401);
    expect(problem).toMatchObject({ status: 401, code: 'TOKEN_INVALID' });
  });
});

type LoginAnswer =
  Schemas['TokenResponse'] | Schemas['CookieTokenResponse'] | Schemas['MfaChallengeResponse'];

/**
 * A login or refresh answer with both tokens in the body: these accounts have no second factor,
 * so no challenge comes, and the client does not ask for cookie mode.
 */
function tokensOf(answer: LoginAnswer): Schemas['TokenResponse'] {
  if ('mfa_required' in answer) throw new Error('a two-factor challenge, where tokens were due');
  if (!('refresh_token' in answer)) throw new Error('a cookie-mode answer, where JSON was due');
  return answer;
}
