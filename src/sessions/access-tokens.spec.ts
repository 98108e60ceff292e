import type { ConfigType } from '@nestjs/config';
import { JwtService } from '@nestjs/jwt';
import { createHmac, KeyObject } from 'node:crypto';
import { CryptoService } from '../common/crypto.service';
import type { authConfig } from '../config/auth.config';
import { AccessTokens } from './access-tokens';
import type { SessionSnapshot } from './session-snapshot';
import type { SessionCheck } from './session-check';
import { JwtStrategy } from './strategies/jwt.strategy';

const SESSION_ID = '3f2b8c1e-5d4a-4e6f-9a7b-0c1d2e3f4a5b';
const USER_ID = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';

const auth = {
  secretKey: 'unit-test-secret-key-of-enough-length',
  algorithm: 'HS256',
  issuer: 'nest-auth-service',
  audience: 'nest-auth-service',
  accessTokenMinutes: 30,
  refreshTokenDays: 7,
  sessionPolicy: 'reject',
  argon2: { memoryKib: 19456, timeCost: 2, parallelism: 1, maxConcurrent: 2, queueLimit: 8 },
  passwordMinLength: 8,
  passwordMinScore: 2,
} as ConfigType<typeof authConfig>;

const inADay = () => new Date(Date.now() + 24 * 60 * 60 * 1000);

type Outcome = { ok: true; user: unknown } | { ok: false; info: unknown } | { error: unknown };

/** Runs the real Passport strategy on a request with this Authorization header. */
function authenticate(strategy: JwtStrategy, authorization: string | undefined): Promise<Outcome> {
  return new Promise((resolve) => {
    const run = Object.create(strategy) as JwtStrategy & {
      success(user: unknown): void;
      fail(info: unknown): void;
      error(error: unknown): void;
    };
    run.success = (user) => resolve({ ok: true, user });
    run.fail = (info) => resolve({ ok: false, info });
    run.error = (error) => resolve({ error });
    run.authenticate({ headers: { authorization } } as never);
  });
}

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('access tokens and the JWT strategy', () => {
  const crypto = new CryptoService(auth);
  const tokens = new AccessTokens(new JwtService({}), crypto, auth);
  // What SessionCheck.authenticate returns for an active session: the full snapshot.
  const state: SessionSnapshot = {
    id: SESSION_ID,
    userId: USER_ID,
    status: 'active',
    expiresAt: new Date(Date.now() + 60_000),
    createdAt: new Date(),
    lastSeenAt: new Date(),
    ip: '127.0.0.1',
    userAgent: 'jest',
  };
  const sessions = {
    authenticate: jest.fn(() => Promise.resolve(state)),
  } as unknown as SessionCheck;
  const strategy = new JwtStrategy(sessions, tokens);

  /** A token of a payload segment under `header`, signed with the app's key (or `key`) by hand. */
  const signSegment = (
    payload: string,
    { header = { alg: 'HS256', typ: 'JWT' } as object, hash = 'sha256', key = auth.secretKey } = {},
  ) => {
    const signed = `${b64url(header)}.${payload}`;
    return `${signed}.${createHmac(hash, key).update(signed).digest('base64url')}`;
  };
  const sign = (claims: Record<string, unknown>, options?: Parameters<typeof signSegment>[1]) =>
    signSegment(b64url(claims), options);
  const now = () => Math.floor(Date.now() / 1000);
  const genuine = () => ({
    sub: USER_ID,
    sid: SESSION_ID,
    iat: now(),
    exp: now() + 60,
    iss: auth.issuer,
    aud: auth.audience,
  });

  afterEach(() => {
    jest.restoreAllMocks();
    jest.clearAllMocks();
  });

  // jsonwebtoken re-parses a string secret into a key on every sign (and did on every verify),
  // and Node would do the same for a string HMAC key. Going back to a string would still work,
  // only slower: this spec is the guard.
  it('signs and verifies with one KeyObject made from SECRET_KEY, derived once', () => {
    expect(crypto.signingKey).toBeInstanceOf(KeyObject);
    expect(crypto.signingKey.type).toBe('secret');
    expect(crypto.signingKey.export().toString('utf8')).toBe(auth.secretKey);

    const signer = jest.spyOn(JwtService.prototype, 'sign');
    const { accessToken } = tokens.issue(USER_ID, SESSION_ID, inADay());
    expect(signer).toHaveBeenCalledWith(
      { sid: SESSION_ID },
      expect.objectContaining({ algorithm: 'HS256', privateKey: crypto.signingKey }),
    );

    // The module object itself (an `import * as` namespace cannot be spied on).
    const nodeCrypto = jest.requireActual<typeof import('node:crypto')>('node:crypto');
    const hmac = jest.spyOn(nodeCrypto, 'createHmac');
    const secretKey = jest.spyOn(nodeCrypto, 'createSecretKey');
    const publicKey = jest.spyOn(nodeCrypto, 'createPublicKey');
    expect(tokens.verify(accessToken)).toMatchObject({ sub: USER_ID, sid: SESSION_ID });
    expect(hmac).toHaveBeenCalledTimes(1);
    expect(hmac).toHaveBeenCalledWith('sha256', crypto.signingKey);
    expect(secretKey).not.toHaveBeenCalled();
    expect(publicKey).not.toHaveBeenCalled();
  });

  it('verifies what jsonwebtoken signs with each ALGORITHM, and no other algorithm', () => {
    for (const algorithm of ['HS256', 'HS384', 'HS512'] as const) {
      const own = new AccessTokens(new JwtService({}), crypto, { ...auth, algorithm });
      const { accessToken } = own.issue(USER_ID, SESSION_ID, inADay());
      expect(own.verify(accessToken)).toMatchObject({ sub: USER_ID, sid: SESSION_ID });
      const others = ['HS256', 'HS384', 'HS512'].filter((name) => name !== algorithm);
      for (const name of others) {
        const other = new AccessTokens(new JwtService({}), crypto, {
          ...auth,
          algorithm: name as typeof algorithm,
        });
        expect(other.verify(accessToken)).toBe('TOKEN_INVALID');
      }
    }
  });

  it('issues sub, sid, iat, exp, iss and aud, which the strategy accepts for a live session', async () => {
    const { accessToken, expiresIn } = tokens.issue(USER_ID, SESSION_ID, inADay());
    expect(expiresIn).toBe(1800);
    const claims = new JwtService({}).decode<Record<string, unknown>>(accessToken);
    expect(claims).toEqual({
      sub: USER_ID,
      sid: SESSION_ID,
      iat: expect.any(Number),
      exp: (claims.iat as number) + 1800,
      iss: 'nest-auth-service',
      aud: 'nest-auth-service',
    });

    const outcome = await authenticate(strategy, `Bearer ${accessToken}`);
    expect(outcome).toEqual({
      ok: true,
      user: { userId: USER_ID, sessionId: SESSION_ID, snapshot: state },
    });
    expect(sessions.authenticate).toHaveBeenCalledWith(SESSION_ID);
  });

  it('never outlive their session', () => {
    const now = new Date('2030-01-01T00:00:00Z');
    const endsIn = (seconds: number) => new Date(now.getTime() + seconds * 1000);
    expect(tokens.issue(USER_ID, SESSION_ID, endsIn(7200), now).expiresIn).toBe(1800);
    expect(tokens.issue(USER_ID, SESSION_ID, endsIn(90.9), now).expiresIn).toBe(90);
    expect(tokens.issue(USER_ID, SESSION_ID, endsIn(0.2), now).expiresIn).toBe(1);
  });

  it('refuses a token signed with another key', async () => {
    const other = new CryptoService({ ...auth, secretKey: `${auth.secretKey}-other` });
    const { accessToken } = new AccessTokens(new JwtService({}), other, auth).issue(
      USER_ID,
      SESSION_ID,
      inADay(),
    );
    expect(tokens.verify(accessToken)).toBe('TOKEN_INVALID');
    expect(await authenticate(strategy, `Bearer ${accessToken}`)).toEqual({
      ok: false,
      info: 'TOKEN_INVALID',
    });
    expect(sessions.authenticate).not.toHaveBeenCalled();
  });

  it('accepts a hand-signed token with our header and claims (the forger below is sound)', () => {
    expect(tokens.verify(sign(genuine()))).toEqual(genuine());
  });

  const forgeries: Array<[string, () => string]> = [
    ['alg "none", unsigned', () => `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(genuine())}.`],
    [
      'HS512 with our key',
      () => sign(genuine(), { header: { alg: 'HS512', typ: 'JWT' }, hash: 'sha512' }),
    ],
    [
      'our header with its keys in another order',
      () => sign(genuine(), { header: { typ: 'JWT', alg: 'HS256' } }),
    ],
    [
      'our header with a key id added',
      () => sign(genuine(), { header: { alg: 'HS256', typ: 'JWT', kid: 'x' } }),
    ],
    [
      'a changed payload under the old signature',
      () => {
        const [header, , signature] = sign(genuine()).split('.');
        return `${header}.${b64url({ ...genuine(), sub: 'someone-else' })}.${signature}`;
      },
    ],
    ['the signature with base64 padding', () => `${sign(genuine())}=`],
    ['the signature with a fourth segment', () => `${sign(genuine())}.x`],
    ['no signature', () => sign(genuine()).split('.').slice(0, 2).join('.')],
    ['an empty signature', () => `${sign(genuine()).split('.').slice(0, 2).join('.')}.`],
    ['a payload that is not JSON', () => signSegment(Buffer.from('{"sub":').toString('base64url'))],
    ['a payload that is JSON null', () => sign(null as never)],
    ['a payload that is an array', () => sign([genuine()] as never)],
    ['a numeric sub', () => sign({ ...genuine(), sub: 1 })],
    ['no sid', () => sign({ ...genuine(), sid: undefined })],
    ['no iat', () => sign({ ...genuine(), iat: undefined })],
    ['no exp', () => sign({ ...genuine(), exp: undefined })],
    ['a string exp', () => sign({ ...genuine(), exp: String(now() + 60) })],
    ['a wrong issuer', () => sign({ ...genuine(), iss: 'someone-else' })],
    ['an audience list, even one with ours', () => sign({ ...genuine(), aud: [auth.audience] })],
    ['no audience', () => sign({ ...genuine(), aud: undefined })],
    ['a nbf in the future', () => sign({ ...genuine(), nbf: now() + 60 })],
    ['a nbf that is not a number', () => sign({ ...genuine(), nbf: 'now' })],
    ['a very long token', () => sign({ ...genuine(), pad: 'x'.repeat(2048) })],
    ['garbage', () => 'a.b.c'],
  ];

  it.each(forgeries)('refuses %s as TOKEN_INVALID', (_label, forge) => {
    expect(tokens.verify(forge())).toBe('TOKEN_INVALID');
  });

  it('accepts a nbf in the past, and refuses an expired token as TOKEN_EXPIRED', () => {
    expect(tokens.verify(sign({ ...genuine(), nbf: now() - 1 }))).toMatchObject({
      sid: SESSION_ID,
    });
    const token = sign({ ...genuine(), exp: now() + 10 });
    const inMs = (seconds: number) => (now() + seconds) * 1000;
    expect(tokens.verify(token, inMs(9))).toMatchObject({ sid: SESSION_ID });
    expect(tokens.verify(token, inMs(10))).toBe('TOKEN_EXPIRED');
    // Expired and badly signed is invalid, not expired.
    expect(tokens.verify(sign({ ...genuine(), exp: now() - 10 }, { key: 'nope' }))).toBe(
      'TOKEN_INVALID',
    );
    // Expired with a wrong audience says expired, as jsonwebtoken did.
    expect(tokens.verify(sign({ ...genuine(), exp: now() - 10, aud: 'x' }))).toBe('TOKEN_EXPIRED');
  });

  it('takes the token from an Authorization: Bearer header and nowhere else', async () => {
    const { accessToken } = tokens.issue(USER_ID, SESSION_ID, inADay());
    for (const header of [
      `Bearer ${accessToken}`,
      `bearer ${accessToken}`,
      `BEARER  ${accessToken}`,
    ])
      expect(await authenticate(strategy, header)).toMatchObject({ ok: true });
    // SessionGuard answers NO_TOKEN as 401 TOKEN_INVALID "A bearer token is required".
    for (const header of [
      undefined,
      '',
      accessToken,
      `Basic ${accessToken}`,
      `Bearer`,
      `Bearer ${accessToken} extra`,
      `Bearer ${accessToken},Bearer ${accessToken}`,
    ])
      expect(await authenticate(strategy, header)).toEqual({
        ok: false,
        info: 'NO_TOKEN',
      });
  });
});
