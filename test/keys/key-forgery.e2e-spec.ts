import {
  CompactSign,
  decodeJwt,
  decodeProtectedHeader,
  exportJWK,
  exportSPKI,
  generateKeyPair,
  importJWK,
  KeyLike,
  SignJWT,
} from 'jose';
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { bearer, loggedInUser } from '../support/factories';
import { expectProblem } from '../support/hostile';
import { jwksOf } from '../support/keys';
import { startTestApp, TestApp } from '../support/test-app';

type Claims = Record<string, unknown>;
const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** An attacker's server: any request to it would mean the service followed a header. */
async function attackerServer(
  body: string,
): Promise<{ url: string; hits: string[]; server: Server }> {
  const hits: string[] = [];
  const server = createServer((request, response) => {
    hits.push(request.url ?? '');
    response.setHeader('Content-Type', 'application/json');
    response.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits, server };
}

describe('Forged access tokens under ES256 (signing keys)', () => {
  let t: TestApp;
  let genuineToken: string;
  let claims: Claims;
  let ourKid: string;
  let ourPublicPem: string;
  let ourJwkJson: string;
  let attacker: { publicKey: KeyLike; privateKey: KeyLike };
  let attackerJwk: Record<string, unknown>;
  let evil: Awaited<ReturnType<typeof attackerServer>>;

  beforeAll(async () => {
    t = await startTestApp({ ALGORITHM: 'ES256' });
    const user = await loggedInUser(t);
    genuineToken = user.accessToken;
    claims = decodeJwt(genuineToken);
    ourKid = decodeProtectedHeader(genuineToken).kid as string;
    const [ours] = await jwksOf(t);
    ourJwkJson = JSON.stringify(ours);
    ourPublicPem = await exportSPKI((await importJWK(ours as never, 'ES256')) as KeyLike);
    attacker = await generateKeyPair('ES256');
    attackerJwk = {
      ...(await exportJWK(attacker.publicKey)),
      kid: 'attacker',
      alg: 'ES256',
      use: 'sig',
    };
    evil = await attackerServer(JSON.stringify({ keys: [attackerJwk] }));
  });
  afterAll(async () => {
    evil.server.close();
    await t.close();
  });

  const me = (token: string) => t.http.get('/users/me').set(bearer(token));
  const byAttacker = (
    header: Record<string, unknown>,
    key: KeyLike | Uint8Array = attacker.privateKey,
  ) => new SignJWT(claims).setProtectedHeader({ alg: 'ES256', ...header } as never).sign(key);

  it('accepts the genuine token (the forgeries below differ from it in one thing each)', async () => {
    expect((await me(genuineToken)).status).toBe(200);
  });

  const forgeries: Array<[string, () => Promise<string>]> = [
    ['an unknown kid', () => byAttacker({ kid: 'attacker' })],
    ['no kid', () => byAttacker({})],
    ['our kid, signed with another key', () => byAttacker({ kid: ourKid })],
    [
      'HS256 with our public key (PEM) as the HMAC secret',
      () => byAttacker({ alg: 'HS256', kid: ourKid }, new TextEncoder().encode(ourPublicPem)),
    ],
    [
      'HS256 with our public JWK (JSON) as the HMAC secret',
      () => byAttacker({ alg: 'HS256', kid: ourKid }, new TextEncoder().encode(ourJwkJson)),
    ],
    [
      'alg "none" with our kid',
      async () => `${b64url({ alg: 'none', kid: ourKid })}.${b64url(claims)}.`,
    ],
    [
      'our signature under a header naming another algorithm',
      async () => {
        const [, payload, signature] = genuineToken.split('.');
        return `${b64url({ alg: 'ES384', typ: 'JWT', kid: ourKid })}.${payload}.${signature}`;
      },
    ],
    [
      'a jku header pointing at the attacker',
      () => byAttacker({ kid: 'attacker', jku: `${evil.url}/jwks.json` }),
    ],
    ['a jku header with our kid', () => byAttacker({ kid: ourKid, jku: `${evil.url}/jwks.json` })],
    [
      'an x5u header pointing at the attacker',
      () => byAttacker({ kid: 'attacker', x5u: `${evil.url}/cert.pem` }),
    ],
    ['an embedded jwk of the attacker', () => byAttacker({ kid: 'attacker', jwk: attackerJwk })],
    ['an embedded jwk with our kid', () => byAttacker({ kid: ourKid, jwk: attackerJwk })],
    [
      'a payload changed under our signature',
      async () => {
        const [header, , signature] = genuineToken.split('.');
        return `${header}.${b64url({ ...claims, sub: 'someone-else' })}.${signature}`;
      },
    ],
    [
      'EdDSA with our kid',
      async () => {
        const ed = await generateKeyPair('EdDSA');
        const signed = new CompactSign(new TextEncoder().encode(JSON.stringify(claims)));
        return signed.setProtectedHeader({ alg: 'EdDSA', kid: ourKid }).sign(ed.privateKey);
      },
    ],
  ];

  it.each(forgeries)(
    'refuses %s with 401 TOKEN_INVALID, fetching nothing',
    async (_label, forge) => {
      const response = await me(await forge());
      expectProblem(response, 401, 'TOKEN_INVALID');
      expect(evil.hits).toEqual([]);
    },
  );

  it('refuses a burst of random kids and keeps serving the genuine token', async () => {
    const forged = await Promise.all(
      Array.from({ length: 20 }, (_, index) => byAttacker({ kid: `random-${index}` })),
    );
    const answers = await Promise.all(forged.map((token) => me(token)));
    expect(answers.map((answer) => answer.status)).toEqual(forged.map(() => 401));
    expect((await me(genuineToken)).status).toBe(200);
  });
});
