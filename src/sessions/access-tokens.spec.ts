import type { ConfigType } from '@nestjs/config';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { createHmac } from 'node:crypto';
import type { AuditService } from '../audit/audit.service';
import { CryptoService } from '../common/crypto.service';
import type { DomainError } from '../common/errors';
import type { authConfig } from '../config/auth.config';
import type { keysConfig } from '../config/keys.config';
import { isExpiry, KeyRing } from '../keys/key-ring';
import { SigningKeysService } from '../keys/signing-keys.service';
import { AccessTokens } from './access-tokens';
import type { SessionSnapshot } from './session-snapshot';
import type { SessionCheck } from './session-check';
import { JwtStrategy } from './strategies/jwt.strategy';

const SESSION_ID = '3f2b8c1e-5d4a-4e6f-9a7b-0c1d2e3f4a5b';
const USER_ID = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';

const auth = {
  secretKey: 'unit-test-secret-key-of-enough-length',
  keyEncryptionKey: 'unit-test-key-encryption-key-of-enough-length',
  previousKeyEncryptionKeys: [],
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

const keys = {
  rotationDays: 90,
  jwksMaxAgeSeconds: 600,
  refreshSeconds: 10,
  introspectionClients: [],
} as ConfigType<typeof keysConfig>;

/** The key ring under HS*: SECRET_KEY alone, no database. */
function keyRing(config: ConfigType<typeof authConfig>): KeyRing {
  const crypto = new CryptoService(config);
  const store = new SigningKeysService(null as never, null as never, crypto, config, keys);
  return new KeyRing(store, crypto, null as unknown as AuditService, config, keys);
}

const inADay = () => new Date(Date.now() + 24 * 60 * 60 * 1000);

/** A password-only session of USER_ID that ends at `expiresAt`. */
const sessionUntil = (expiresAt: Date) => ({
  id: SESSION_ID,
  userId: USER_ID,
  expiresAt,
  createdAt: new Date(),
  amr: 'pwd',
});

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
    run.authenticate({ headers: authorization === undefined ? {} : { authorization } } as never);
  });
}

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('access tokens and the JWT strategy', () => {
  const ring = keyRing(auth);
  const tokens = new AccessTokens(ring, auth);
  // What SessionCheck.read returns for an active session.
  const state: SessionSnapshot = {
    id: SESSION_ID,
    userId: USER_ID,
    status: 'active',
    expiresAt: new Date(Date.now() + 60_000),
    createdAt: new Date(),
    lastSeenAt: new Date(),
    roles: ['user'],
    ip: '127.0.0.1',
    userAgent: 'jest',
    amr: 'pwd',
  };
  const sessions = { read: jest.fn(() => Promise.resolve(state)) } as unknown as SessionCheck;
  const strategy = new JwtStrategy(sessions, ring);

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

  afterEach(() => jest.clearAllMocks());

  /** Whether the strategy let the token through, or how it refused it. */
  const verdict = async (token: string): Promise<string> => {
    const outcome = await authenticate(strategy, `Bearer ${token}`);
    if ('error' in outcome) return (outcome.error as DomainError).code;
    if (outcome.ok) return 'ACCEPTED';
    return isExpiry(outcome.info) ? 'EXPIRED' : 'REFUSED';
  };

  it('issues sub, sid, iat, exp, iss, aud, amr and auth_time, which the strategy accepts for a live session', async () => {
    const { accessToken, expiresIn } = tokens.issue(sessionUntil(inADay()));
    expect(expiresIn).toBe(1800);
    expect(decodeProtectedHeader(accessToken)).toEqual({
      alg: 'HS256',
      typ: 'JWT',
      kid: expect.stringMatching(/^[\w-]{16}$/),
    });
    const claims = decodeJwt(accessToken);
    expect(claims).toEqual({
      sub: USER_ID,
      sid: SESSION_ID,
      iat: expect.any(Number),
      exp: (claims.iat as number) + 1800,
      iss: 'nest-auth-service',
      aud: 'nest-auth-service',
      amr: ['pwd'],
      auth_time: expect.any(Number),
    });
    const outcome = await authenticate(strategy, `Bearer ${accessToken}`);
    expect(outcome).toEqual({
      ok: true,
      user: { userId: USER_ID, sessionId: SESSION_ID, roles: ['user'], session: state },
    });
    expect(sessions.read).toHaveBeenCalledWith(SESSION_ID);
  });

  it('verifies what it signs with each ALGORITHM, and no other algorithm', async () => {
    for (const algorithm of ['HS256', 'HS384', 'HS512'] as const) {
      const own = { ...auth, algorithm };
      const { accessToken } = new AccessTokens(keyRing(own), own).issue(sessionUntil(inADay()));
      for (const other of ['HS256', 'HS384', 'HS512'] as const) {
        const verifier = new JwtStrategy(sessions, keyRing({ ...auth, algorithm: other }));
        const outcome = await authenticate(verifier, `Bearer ${accessToken}`);
        expect([other, 'ok' in outcome && outcome.ok]).toEqual([other, other === algorithm]);
      }
    }
  });

  it('never outlive their session', () => {
    const now = new Date('2030-01-01T00:00:00Z');
    const endsIn = (seconds: number) => new Date(now.getTime() + seconds * 1000);
    expect(tokens.issue(sessionUntil(endsIn(7200)), now).expiresIn).toBe(1800);
    expect(tokens.issue(sessionUntil(endsIn(90.9)), now).expiresIn).toBe(90);
    expect(tokens.issue(sessionUntil(endsIn(0.2)), now).expiresIn).toBe(1);
  });

  it('accepts a hand-signed token with our claims (the forger below is sound), with our kid or none', async () => {
    expect(await verdict(sign(genuine()))).toBe('ACCEPTED');
    const kid = decodeProtectedHeader(tokens.issue(sessionUntil(inADay())).accessToken).kid;
    expect(await verdict(sign(genuine(), { header: { alg: 'HS256', kid } }))).toBe('ACCEPTED');
  });

  const forgeries: Array<[string, () => string]> = [
    ['alg "none", unsigned', () => `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(genuine())}.`],
    [
      'HS512 with our key',
      () => sign(genuine(), { header: { alg: 'HS512', typ: 'JWT' }, hash: 'sha512' }),
    ],
    ['another key', () => sign(genuine(), { key: `${auth.secretKey}-other` })],
    [
      'a changed payload under the old signature',
      () => {
        const [header, , signature] = sign(genuine()).split('.');
        return `${header}.${b64url({ ...genuine(), sub: 'someone-else' })}.${signature}`;
      },
    ],
    ['no signature', () => sign(genuine()).split('.').slice(0, 2).join('.')],
    ['an empty signature', () => `${sign(genuine()).split('.').slice(0, 2).join('.')}.`],
    ['a payload that is not JSON', () => signSegment(Buffer.from('{"sub":').toString('base64url'))],
    ['an unknown kid', () => sign(genuine(), { header: { alg: 'HS256', kid: 'k1' } })],
    ['a kid that is not a string', () => sign(genuine(), { header: { alg: 'HS256', kid: 7 } })],
    ['no sid', () => sign({ ...genuine(), sid: undefined })],
    ['no exp', () => sign({ ...genuine(), exp: undefined })],
    ['a wrong issuer', () => sign({ ...genuine(), iss: 'someone-else' })],
    ['another audience', () => sign({ ...genuine(), aud: 'someone-else' })],
    ['a nbf in the future', () => sign({ ...genuine(), nbf: now() + 60 })],
    ['a string exp', () => sign({ ...genuine(), exp: String(now() + 60) })],
    ['garbage', () => 'a.b.c'],
  ];

  it.each(forgeries)('refuses %s before reading any session', async (_label, forge) => {
    expect(await verdict(forge())).toBe('REFUSED');
    expect(sessions.read).not.toHaveBeenCalled();
  });

  const badClaims: Array<[string, Record<string, unknown>]> = [
    ['a numeric sub', { ...genuine(), sub: 1 }],
    ['a numeric sid', { ...genuine(), sid: 1 }],
  ];

  it.each(badClaims)('refuses a signed token with %s as TOKEN_INVALID', async (_label, claims) => {
    expect(await verdict(sign(claims))).toBe('TOKEN_INVALID');
    expect(sessions.read).not.toHaveBeenCalled();
  });

  it('says expired only for an expired token that is otherwise ours', async () => {
    expect(await verdict(sign({ ...genuine(), exp: now() - 10 }))).toBe('EXPIRED');
    expect(await verdict(sign({ ...genuine(), exp: now() - 10 }, { key: 'nope' }))).toBe('REFUSED');
  });

  it('takes the token from an Authorization: Bearer header and nowhere else', async () => {
    const { accessToken } = tokens.issue(sessionUntil(inADay()));
    for (const header of [`Bearer ${accessToken}`, `bearer ${accessToken}`])
      expect(await authenticate(strategy, header)).toMatchObject({ ok: true });
    for (const header of [undefined, '', accessToken, `Basic ${accessToken}`, `Bearer`]) {
      const outcome = await authenticate(strategy, header);
      expect(outcome).toEqual({ ok: false, info: expect.any(Error) });
    }
  });
});
