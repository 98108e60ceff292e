import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { bearer, loggedInUser } from '../support/factories';
import { freePort, stopChild, track, waitFor } from '../support/processes';
import { startTestApp, TestApp } from '../support/test-app';

const ROOT = join(__dirname, '..', '..');
const EXAMPLE = join(ROOT, 'examples', 'resource-server');
const CLIENT = { name: 'orders-api', secret: 'orders-api-introspection-secret-0123456789' };

/** examples/resource-server, run from its source, against the service at `authUrl`. */
function startExample(
  authUrl: string,
  port: number,
): { child: ChildProcess; output: () => string } {
  const child = track(
    spawn(
      process.execPath,
      [
        join(ROOT, 'node_modules', 'ts-node', 'dist', 'bin.js'),
        '--transpile-only',
        join(EXAMPLE, 'src', 'main.ts'),
      ],
      {
        cwd: EXAMPLE,
        env: {
          PATH: process.env.PATH ?? '',
          TS_NODE_PROJECT: join(EXAMPLE, 'tsconfig.json'),
          PORT: String(port),
          AUTH_URL: authUrl,
          INTROSPECTION_CLIENT_ID: CLIENT.name,
          INTROSPECTION_CLIENT_SECRET: CLIENT.secret,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    ),
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  return { child, output: () => output };
}

describe.each(['ES256', 'RS256'] as const)(
  'examples/resource-server against the service (%s)',
  (alg) => {
    let t: TestApp;
    let example: ReturnType<typeof startExample>;
    let base: string;

    beforeAll(async () => {
      t = await startTestApp({
        ALGORITHM: alg,
        INTROSPECTION_CLIENTS: `${CLIENT.name}:${CLIENT.secret}`,
      });
      await t.app.listen(0, '127.0.0.1');
      const authUrl = (await t.app.getUrl()).replace('[::1]', '127.0.0.1');
      const port = await freePort();
      base = `http://127.0.0.1:${port}`;
      example = startExample(authUrl, port);
      await waitFor('the example resource server', 60_000, async () => {
        if (example.child.exitCode !== null) throw new Error(example.output());
        return (await fetch(`${base}/orders`)).status === 401;
      }).catch((error: Error) => {
        throw new Error(`${error.message}\n${example.output()}`);
      });
    }, 90_000);
    afterAll(async () => {
      await stopChild(example.child);
      await t.close();
    });

    const get = (path: string, token?: string) =>
      fetch(`${base}${path}`, { headers: token ? bearer(token) : {} });

    it('accepts our tokens on both routes, and nothing else', async () => {
      const user = await loggedInUser(t);
      for (const path of ['/orders', '/orders/live']) {
        const response = await get(path, user.accessToken);
        expect([path, response.status, await response.json()]).toEqual([
          path,
          200,
          { orders: [], user: user.userId, checked: path === '/orders' ? 'jwks' : 'introspection' },
        ]);
        expect((await get(path)).status).toBe(401);
        expect((await get(path, `${user.accessToken.slice(0, -4)}AAAA`)).status).toBe(401);
      }
    });

    it('after a logout: the JWKS route accepts the token until exp, the introspection route refuses it at once', async () => {
      const user = await loggedInUser(t);
      await t.http.post('/auth/logout').set(bearer(user.accessToken)).expect(200);
      expect((await get('/orders', user.accessToken)).status).toBe(200);
      expect((await get('/orders/live', user.accessToken)).status).toBe(401);
    });
  },
);
