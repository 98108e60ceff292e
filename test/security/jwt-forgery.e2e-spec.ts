import { createHmac, randomBytes } from 'node:crypto';
import { bearer, loggedInUser } from '../support/factories';
import { expectProblem } from '../support/hostile';
import { startTestApp, TestApp } from '../support/test-app';

const SECRET_KEY = randomBytes(48).toString('base64url');

type Claims = Record<string, unknown>;
type Header = { alg: string; typ?: string; [key: string]: unknown };

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A JWT signed by hand, so that every part of it can be forged. */
function sign(header: Header, claims: Claims, secret = SECRET_KEY): string {
  const unsigned = `${b64url(header)}.${b64url(claims)}`;
  const algorithm = { HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' }[header.alg];
  if (!algorithm) return `${unsigned}.`;
  return `${unsigned}.${createHmac(algorithm, secret).update(unsigned).digest('base64url')}`;
}

function claimsOf(token: string): Claims {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')) as Claims;
}

describe('Forged access tokens at GET /users/me', () => {
  let t: TestApp;
  let genuine: Claims;
  let victimId: string;
  const HS256: Header = { alg: 'HS256', typ: 'JWT' };
  const now = () => Math.floor(Date.now() / 1000);

  beforeAll(async () => {
    t = await startTestApp({ SECRET_KEY });
    const attacker = await loggedInUser(t);
    genuine = claimsOf(attacker.accessToken);
    victimId = (await loggedInUser(t)).userId;
  });
  afterAll(() => t.close());

  const me = (token: string) => t.http.get('/users/me').set(bearer(token));

  it('accepts a token signed here with the genuine claims (the forger below is sound)', async () => {
    const response = await me(sign(HS256, { ...genuine, iat: now(), exp: now() + 60 }));
    expect(response.status).toBe(200);
    expect(response.body.id).toBe(genuine.sub);
  });

  const forgeries: Array<[string, () => string]> = [
    ['alg "none" without a signature', () => sign({ alg: 'none', typ: 'JWT' }, genuine)],
    ['alg "none" in lower/upper case variants', () => sign({ alg: 'NoNe', typ: 'JWT' }, genuine)],
    ['HS512 while HS256 is pinned', () => sign({ alg: 'HS512', typ: 'JWT' }, genuine)],
    ['HS384 while HS256 is pinned', () => sign({ alg: 'HS384', typ: 'JWT' }, genuine)],
    ['the wrong secret', () => sign(HS256, genuine, 'mysecretkey')],
    ['an empty secret', () => sign(HS256, genuine, '')],
    [
      'a payload changed after signing (sub of another user)',
      () => {
        const [header, , signature] = sign(HS256, genuine).split('.');
        return `${header}.${b64url({ ...genuine, sub: victimId })}.${signature}`;
      },
    ],
    ['another user id with our session (signed)', () => sign(HS256, { ...genuine, sub: victimId })],
    ['a wrong issuer', () => sign(HS256, { ...genuine, iss: 'https://evil.example' })],
    ['a wrong audience', () => sign(HS256, { ...genuine, aud: 'another-service' })],
    [
      'no issuer or audience',
      () => sign(HS256, { sub: genuine.sub, sid: genuine.sid, exp: genuine.exp }),
    ],
    ['no sub', () => sign(HS256, { ...genuine, sub: undefined })],
    ['no sid', () => sign(HS256, { ...genuine, sid: undefined })],
    [
      'a sid that is no session',
      () => sign(HS256, { ...genuine, sid: randomBytes(16).toString('hex') }),
    ],
    ['a numeric sub', () => sign(HS256, { ...genuine, sub: 1 })],
    ['a signature stripped off', () => sign(HS256, genuine).split('.').slice(0, 2).join('.') + '.'],
    ['three garbage parts', () => 'a.b.c'],
    ['not a JWT at all', () => "' OR 1=1 --"],
  ];

  it.each(forgeries)('refuses %s with 401 TOKEN_INVALID', async (_label, forge) => {
    const token = forge();
    const response = await me(token);
    expectProblem(response, 401, 'TOKEN_INVALID');
    expect(response.text).not.toContain(String(genuine.sub));
  });

  it('refuses a well-signed expired token with 401 TOKEN_EXPIRED', async () => {
    const response = await me(sign(HS256, { ...genuine, iat: now() - 7200, exp: now() - 3600 }));
    expectProblem(response, 401, 'TOKEN_EXPIRED');
  });

  it('refuses an expired token with a bad signature as TOKEN_INVALID, not EXPIRED', async () => {
    const token = sign(HS256, { ...genuine, iat: now() - 7200, exp: now() - 3600 }, 'nope');
    expectProblem(await me(token), 401, 'TOKEN_INVALID');
  });

  it('refuses a bearer scheme other than Bearer, and an empty bearer', async () => {
    const token = sign(HS256, genuine);
    expectProblem(
      await t.http.get('/users/me').set('Authorization', `Basic ${token}`),
      401,
      'TOKEN_INVALID',
    );
    expectProblem(
      await t.http.get('/users/me').set('Authorization', 'Bearer '),
      401,
      'TOKEN_INVALID',
    );
  });
});
