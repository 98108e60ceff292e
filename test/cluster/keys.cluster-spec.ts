import type { RowDataPacket } from 'mysql2/promise';
import { waitFor } from '../support/processes';
import { Cluster, Instance } from './harness';

const kidOf = (token: string) =>
  (JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString('utf8')) as { kid: string })
    .kid;

/**
 * Two instances share one key set in the database: they make one first key between them, and a
 * token signed by either verifies on both, through a rotation and after a revocation.
 */
describe('several instances: signing keys (EdDSA)', () => {
  let c: Cluster;

  beforeAll(async () => {
    c = await Cluster.start({
      ALGORITHM: 'EdDSA',
      JWKS_MAX_AGE: '2',
      SIGNING_KEYS_REFRESH_SECONDS: '1',
    });
  }, 120_000);

  afterAll(async () => {
    await c?.close();
  });

  const kidsOn = async (instance: Instance) =>
    (
      (await instance.call('GET', '/.well-known/jwks.json')).body.keys as Array<{ kid: string }>
    ).map((key) => key.kid);

  it('two instances starting together make one current key, which both publish', async () => {
    const rows = await c.query<RowDataPacket & { status: string }>(
      'SELECT status FROM signing_keys',
    );
    expect(rows.map((row) => row.status)).toEqual(['current']);
    expect(await kidsOn(c.a)).toEqual(await kidsOn(c.b));
  });

  it('after a rotation, a token signed by one verifies on the other at once', async () => {
    const before = await c.loggedInUser(c.a);
    const oldKid = kidOf(before.token);
    const rotated = c.keysCommand('rotate');
    expect(rotated.code).toBe(0);
    const newKid = /^Published (\S+)/.exec(rotated.stdout)?.[1] as string;
    expect(newKid).toBeDefined();

    // Each instance signs with the new key as soon as it may, and the other accepts it then.
    for (const [signer, verifier] of [
      [c.a, c.b],
      [c.b, c.a],
    ]) {
      let token = '';
      await waitFor(`${signer.name} signing with the new key`, 20_000, async () => {
        token = (await c.loggedInUser(signer)).token;
        return kidOf(token) === newKid;
      });
      const verified = await verifier.sessionActive(token);
      expect([verifier.name, verified.status]).toEqual([verifier.name, 200]);
    }
    for (const instance of [c.a, c.b]) {
      expect((await instance.sessionActive(before.token)).status).toBe(200);
      expect((await kidsOn(instance)).sort()).toEqual([oldKid, newKid].sort());
    }
  });

  it('a revoked key is refused on both instances', async () => {
    const user = await c.loggedInUser(c.b);
    const kid = kidOf(user.token);
    expect(c.keysCommand('revoke', kid).code).toBe(0);
    for (const instance of [c.a, c.b]) {
      await waitFor(`${instance.name} refusing the revoked key`, 10_000, async () => {
        const refused = await instance.sessionActive(user.token);
        return refused.status === 401 && refused.body.code === 'TOKEN_INVALID';
      });
      expect(await kidsOn(instance)).not.toContain(kid);
    }
    const fresh = await c.loggedInUser(c.a);
    expect((await c.b.sessionActive(fresh.token)).status).toBe(200);
  });
});
