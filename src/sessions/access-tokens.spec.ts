import type { ConfigType } from '@nestjs/config';
import { JwtService } from '@nestjs/jwt';
import { KeyObject } from 'node:crypto';
import { Strategy as PassportJwtStrategy } from 'passport-jwt';
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
} as ConfigType<typeof authConfig>;

const inADay = () => new Date(Date.now() + 24 * 60 * 60 * 1000);

type Outcome = { ok: true; user: unknown } | { ok: false; info: unknown } | { error: unknown };

/** Runs the real passport-jwt strategy on a request carrying the token. */
function authenticate(strategy: JwtStrategy, token: string): Promise<Outcome> {
  return new Promise((resolve) => {
    const run = Object.create(strategy) as JwtStrategy & {
      success(user: unknown): void;
      fail(info: unknown): void;
      error(error: unknown): void;
    };
    run.success = (user) => resolve({ ok: true, user });
    run.fail = (info) => resolve({ ok: false, info });
    run.error = (error) => resolve({ error });
    run.authenticate({ headers: { authorization: `Bearer ${token}` } } as never, {});
  });
}

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

  afterEach(() => jest.restoreAllMocks());

  // jsonwebtoken re-parses a string secret into a key on every sign and verify; a KeyObject is
  // parsed once. Going back to a string would still work, only slower: this spec is the guard.
  it('signs and verifies with one KeyObject made from SECRET_KEY', async () => {
    expect(crypto.signingKey).toBeInstanceOf(KeyObject);
    expect(crypto.signingKey.type).toBe('secret');
    expect(crypto.signingKey.export().toString('utf8')).toBe(auth.secretKey);

    const verifier = jest.spyOn(
      PassportJwtStrategy as unknown as { JwtVerifier: never },
      'JwtVerifier',
    );
    const strategy = new JwtStrategy(sessions, crypto, auth);
    const { accessToken } = tokens.issue(USER_ID, SESSION_ID, inADay());
    await authenticate(strategy, accessToken);

    expect(verifier).toHaveBeenCalledTimes(1);
    const [, key, options] = verifier.mock.calls[0] as unknown as [string, unknown, object];
    expect(key).toBe(crypto.signingKey);
    expect(options).toEqual({
      algorithms: ['HS256'],
      issuer: 'nest-auth-service',
      audience: 'nest-auth-service',
      ignoreExpiration: false,
    });
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

    const outcome = await authenticate(new JwtStrategy(sessions, crypto, auth), accessToken);
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
    const outcome = await authenticate(new JwtStrategy(sessions, crypto, auth), accessToken);
    expect(outcome).toEqual({
      ok: false,
      info: expect.objectContaining({ message: 'invalid signature' }),
    });
  });
});
