import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { waitFor } from './processes';
import type { TestApp } from './test-app';

const ROOT = join(__dirname, '..', '..');

/** Runs `npm run keys:<command>` (scripts/keys.ts) against the test app's database. */
export function keysCommand(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [
        join(ROOT, 'node_modules', 'ts-node', 'dist', 'bin.js'),
        '--transpile-only',
        join(ROOT, 'scripts', 'keys.ts'),
        ...args,
      ],
      { cwd: ROOT, env: { ...process.env, LOG_LEVEL: 'silent', ...env }, timeout: 60_000 },
      (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

export interface Jwk {
  kid: string;
  alg: string;
  [member: string]: unknown;
}

export async function jwksOf(t: TestApp): Promise<Jwk[]> {
  return (await t.http.get('/.well-known/jwks.json').expect(200)).body.keys as Jwk[];
}

/** Waits until the served JWKS satisfies `check` (each instance re-reads keys every second here). */
export async function waitForJwks(t: TestApp, what: string, check: (kids: string[]) => boolean) {
  await waitFor(what, 15_000, async () => check((await jwksOf(t)).map((key) => key.kid)));
}
