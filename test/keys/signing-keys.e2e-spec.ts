import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { moveClockBy } from '../support/clock';
import { bearer, loggedInUser } from '../support/factories';
import { expectProblem } from '../support/hostile';
import { jwksOf, keysCommand, waitForJwks } from '../support/keys';
import { waitFor } from '../support/processes';
import { startTestApp, TestApp } from '../support/test-app';

/** jose (a verifier we did not write) fetches the JWKS over HTTP, as another service would. */
async function listen(t: TestApp): Promise<string> {
  await t.app.listen(0, '127.0.0.1');
  return (await t.app.getUrl()).replace('[::1]', '127.0.0.1');
}

const ISSUER = { issuer: 'nest-auth-service', audience: 'nest-auth-service' };

async function auditActions(t: TestApp, action: string) {
  return t.app
    .get(DataSource)
    .query('SELECT action, meta FROM audit_logs WHERE action = ? ORDER BY id', [action]) as Promise<
    Array<{ action: string; meta: string }>
  >;
}

describe.each(['HS256', 'HS384', 'HS512'] as const)('%s: SECRET_KEY signs', (alg) => {
  const SECRET_KEY = randomBytes(48).toString('base64url');
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ ALGORITHM: alg, SECRET_KEY });
  });
  afterAll(() => t.close());

  it('issues tokens with a kid that jose verifies through the secret; the JWKS is empty', async () => {
    const user = await loggedInUser(t);
    const header = decodeProtectedHeader(user.accessToken);
    expect(header).toEqual({ alg, typ: 'JWT', kid: expect.stringMatching(/^[\w-]{16}$/) });
    const { payload } = await jwtVerify(user.accessToken, new TextEncoder().encode(SECRET_KEY), {
      ...ISSUER,
      algorithms: [alg],
    });
    expect(payload.sub).toBe(user.userId);
    const jwks = await t.http.get('/.well-known/jwks.json').expect(200);
    expect(jwks.body).toEqual({ keys: [] });
    expect(jwks.headers['cache-control']).toBe('public, max-age=600');
    expect(jwks.text).not.toContain(SECRET_KEY);
  });
});

describe.each(['ES256', 'EdDSA', 'RS256'] as const)('%s: keys from signing_keys', (alg) => {
  let t: TestApp;
  let url: string;
  beforeAll(async () => {
    t = await startTestApp({ ALGORITHM: alg, JWKS_MAX_AGE: '120' });
    url = await listen(t);
  });
  afterAll(() => t.close());

  it('issues tokens that jose verifies against the remote JWKS, which has public keys only', async () => {
    const user = await loggedInUser(t);
    const header = decodeProtectedHeader(user.accessToken);
    expect(header).toEqual({ alg, typ: 'JWT', kid: expect.stringMatching(/^[\w-]{43}$/) });
    const jwks = createRemoteJWKSet(new URL(`${url}/.well-known/jwks.json`));
    const { payload, protectedHeader } = await jwtVerify(user.accessToken, jwks, {
      ...ISSUER,
      algorithms: [alg],
    });
    expect(protectedHeader.kid).toBe(header.kid);
    expect(payload).toMatchObject({ sub: user.userId, sid: expect.any(String) });
    await t.http.get('/users/me').set(bearer(user.accessToken)).expect(200);

    const response = await t.http.get('/.well-known/jwks.json').expect(200);
    expect(response.headers['cache-control']).toBe('public, max-age=120');
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    const [key] = response.body.keys as Array<Record<string, unknown>>;
    expect(response.body.keys).toHaveLength(1);
    expect(key).toMatchObject({ kid: header.kid, alg, use: 'sig' });
    for (const secret of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'])
      expect(key).not.toHaveProperty(secret);
  });
});

describe('rotation and revocation (ES256)', () => {
  let t: TestApp;
  let url: string;
  beforeAll(async () => {
    t = await startTestApp({
      ALGORITHM: 'ES256',
      JWKS_MAX_AGE: '30',
      SIGNING_KEYS_REFRESH_SECONDS: '1',
      ACCESS_TOKEN_EXPIRE_MINUTES: '2',
    });
    url = await listen(t);
  });
  afterAll(async () => {
    jest.useRealTimers();
    await t.close();
  });

  const kidOf = (token: string) => decodeProtectedHeader(token).kid as string;
  const refresh = async (refreshToken: string) => {
    const response = await t.http.post('/auth/refresh').send({ refresh_token: refreshToken });
    expect(response.status).toBe(200);
    return {
      access: response.body.access_token as string,
      refresh: response.body.refresh_token as string,
    };
  };

  it('publishes a new key as next, signs with it after JWKS_MAX_AGE, accepts the old until its tokens expire', async () => {
    const before = await loggedInUser(t);
    const oldKid = kidOf(before.accessToken);

    const rotated = await keysCommand(['rotate']);
    expect(rotated).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/^Published \S+ \(ES256\) as next/),
    });
    const newKid = /^Published (\S+)/.exec(rotated.stdout)![1];
    expect(newKid).not.toBe(oldKid);
    await waitForJwks(t, 'the next key published', (kids) => kids.includes(newKid));
    expect((await jwksOf(t)).map((key) => key.kid).sort()).toEqual([oldKid, newKid].sort());

    // Not yet: a client may still hold a JWKS without the new key for JWKS_MAX_AGE.
    let session = await refresh(before.refreshToken);
    expect(kidOf(session.access)).toBe(oldKid);

    moveClockBy(32_000);
    await waitFor('the next key signing', 15_000, async () => {
      session = await refresh(session.refresh);
      return kidOf(session.access) === newKid;
    });
    // The token from before the rotation still verifies, here and for jose; so does the new one.
    await t.http.get('/users/me').set(bearer(before.accessToken)).expect(200);
    const jwks = createRemoteJWKSet(new URL(`${url}/.well-known/jwks.json`));
    await expect(jwtVerify(before.accessToken, jwks, ISSUER)).resolves.toBeTruthy();
    await expect(jwtVerify(session.access, jwks, ISSUER)).resolves.toBeTruthy();
    const other = await loggedInUser(t);
    expect(kidOf(other.accessToken)).toBe(newKid);
    expect((await jwksOf(t)).map((key) => key.kid)).toContain(oldKid);

    // After the access-token lifetime the retired key leaves the JWKS, and is refused.
    moveClockBy(32_000 + 121_000);
    await waitForJwks(t, 'the retired key deleted', (kids) => !kids.includes(oldKid));
    expect((await jwksOf(t)).map((key) => key.kid)).toEqual([newKid]);
    expect((await auditActions(t, 'key.rotated')).map((row) => JSON.parse(row.meta))).toEqual([
      expect.objectContaining({ kid: newKid, alg: 'ES256', automatic: false }),
    ]);
  });

  it('revokes a key at once: its tokens get TOKEN_INVALID, another key signs, audited', async () => {
    jest.useRealTimers();
    const user = await loggedInUser(t);
    const kid = kidOf(user.accessToken);
    await t.http.get('/users/me').set(bearer(user.accessToken)).expect(200);

    const revoked = await keysCommand(['revoke', kid]);
    expect(revoked).toMatchObject({
      code: 0,
      stdout: expect.stringContaining(`Revoked ${kid} (it was current)`),
    });
    await waitForJwks(
      t,
      'the revoked key gone',
      (kids) => !kids.includes(kid) && kids.length === 1,
    );
    expectProblem(
      await t.http.get('/users/me').set(bearer(user.accessToken)),
      401,
      'TOKEN_INVALID',
    );
    const next = await loggedInUser(t);
    expect(kidOf(next.accessToken)).not.toBe(kid);
    await t.http.get('/users/me').set(bearer(next.accessToken)).expect(200);
    const rows = await auditActions(t, 'key.revoked');
    expect(rows.map((row) => JSON.parse(row.meta))).toEqual([
      expect.objectContaining({ kid, status: 'current', signing_kid: kidOf(next.accessToken) }),
    ]);
    expect(await keysCommand(['revoke', kid])).toMatchObject({
      code: 1,
      stdout: `No signing key ${kid}\n`,
    });
  });

  it('makes exactly one next key when two rotations race', async () => {
    const [a, b] = await Promise.all([keysCommand(['rotate']), keysCommand(['rotate'])]);
    expect([a.code, b.code]).toEqual([0, 0]);
    const outputs = [a.stdout, b.stdout].sort();
    expect(outputs[0]).toMatch(/^A next key is already published|^Published/);
    const published = outputs.filter((line) => line.startsWith('Published'));
    expect(published).toHaveLength(1);
    const rows = (await t.app
      .get(DataSource)
      .query("SELECT kid FROM signing_keys WHERE status = 'next'")) as unknown[];
    expect(rows).toHaveLength(1);
  });
});

describe('automatic rotation', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({
      ALGORITHM: 'EdDSA',
      SIGNING_KEY_ROTATION_DAYS: '1',
      JWKS_MAX_AGE: '0',
      SIGNING_KEYS_REFRESH_SECONDS: '1',
    });
  });
  afterAll(async () => {
    jest.useRealTimers();
    await t.close();
  });

  it('publishes a new key once the current one is SIGNING_KEY_ROTATION_DAYS old, audited', async () => {
    const before = await loggedInUser(t);
    const oldKid = decodeProtectedHeader(before.accessToken).kid as string;
    moveClockBy(24 * 60 * 60 * 1000 + 1000);
    let newKid = '';
    await waitFor('a login signed with a rotated key', 15_000, async () => {
      const user = await loggedInUser(t);
      newKid = decodeProtectedHeader(user.accessToken).kid as string;
      return newKid !== oldKid;
    });
    expect((await jwksOf(t)).map((key) => key.kid)).toEqual(
      expect.arrayContaining([oldKid, newKid]),
    );
    expect((await auditActions(t, 'key.rotated')).map((row) => JSON.parse(row.meta))).toEqual([
      { kid: newKid, alg: 'EdDSA', automatic: true },
    ]);
  });
});

describe('a new ALGORITHM on a running key set', () => {
  let first: TestApp;
  let second: TestApp;
  afterAll(async () => {
    await first.close();
    await second.close();
  });

  it('rotates to a key of the new algorithm; tokens of the old one still verify', async () => {
    const kek = randomBytes(32).toString('base64url');
    const secret = randomBytes(32).toString('base64url');
    const shared = {
      KEY_ENCRYPTION_KEY: kek,
      SECRET_KEY: secret,
      JWKS_MAX_AGE: '0',
      SIGNING_KEYS_REFRESH_SECONDS: '1',
    };
    first = await startTestApp({ ...shared, ALGORITHM: 'ES256' });
    const database = { DB_PATH: process.env.DB_PATH!, DB_NAME: process.env.DB_NAME! };
    const before = await loggedInUser(first);
    expect(decodeProtectedHeader(before.accessToken).alg).toBe('ES256');

    second = await startTestApp({ ...shared, ...database, ALGORITHM: 'EdDSA' });
    let token = '';
    await waitFor('a login signed with EdDSA', 15_000, async () => {
      token = (await loggedInUser(second)).accessToken;
      return decodeProtectedHeader(token).alg === 'EdDSA';
    });
    await second.http.get('/users/me').set(bearer(before.accessToken)).expect(200);
    await second.http.get('/users/me').set(bearer(token)).expect(200);
    expect((await jwksOf(second)).map((key) => key.alg).sort()).toEqual(['ES256', 'EdDSA']);
  });
});

describe('a new KEY_ENCRYPTION_KEY', () => {
  let t: TestApp;
  let after: TestApp | undefined;
  afterAll(async () => {
    await after?.close();
    await t.close();
  });

  it('opens keys sealed under KEY_ENCRYPTION_KEY_PREVIOUS; keys:rewrap re-seals them', async () => {
    const oldKek = randomBytes(32).toString('base64url');
    const newKek = randomBytes(32).toString('base64url');
    t = await startTestApp({ ALGORITHM: 'ES256', KEY_ENCRYPTION_KEY: oldKek });
    const user = await loggedInUser(t);
    const database = { DB_PATH: process.env.DB_PATH!, DB_NAME: process.env.DB_NAME! };
    const secret = process.env.SECRET_KEY!;

    const unopenable = startTestApp({
      ...database,
      SECRET_KEY: secret,
      ALGORITHM: 'ES256',
      KEY_ENCRYPTION_KEY: newKek,
    });
    await expect(unopenable).rejects.toThrow(
      /^Invalid configuration: KEY_ENCRYPTION_KEY cannot open signing key .*unknown key-encryption key/,
    );

    const rotated = { KEY_ENCRYPTION_KEY: newKek, KEY_ENCRYPTION_KEY_PREVIOUS: oldKek };
    expect(await keysCommand(['rewrap'], rotated)).toMatchObject({
      code: 0,
      stdout: 'Re-sealed 1 private key(s) under the current KEY_ENCRYPTION_KEY\n',
    });
    expect(await keysCommand(['rewrap'], rotated)).toMatchObject({
      stdout: expect.stringMatching(/^Re-sealed 0/),
    });
    after = await startTestApp({
      ...database,
      SECRET_KEY: secret,
      ALGORITHM: 'ES256',
      KEY_ENCRYPTION_KEY: newKek,
    });
    await after.http.get('/users/me').set(bearer(user.accessToken)).expect(200);
    const fresh = await loggedInUser(after);
    expect(decodeProtectedHeader(fresh.accessToken).kid).toBe(
      decodeProtectedHeader(user.accessToken).kid,
    );
  });
});
