/**
 * The session check's peer: Better Auth's `GET /api/auth/get-session` on its SQLite adapter.
 * better-auth is installed at bench time into a scratch folder of the bench's own (never into the
 * project's package.json) and runs as a separate Node process from an ES module the bench writes
 * there (better-auth ships ES modules only; the service and the bench are CommonJS).
 */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PEER_VERSION, ROOT } from './config';
import { PASSWORD } from './raw-argon2';
import { stopProcess, waitUntilOk } from './server';

const PEER_DIR = join(tmpdir(), `auth-bench-better-auth-${PEER_VERSION}`);

/**
 * A minimal Better Auth server as its docs set it up for SQLite: a better-sqlite3 Database as
 * `database`, email and password sign-in, the schema applied with `getMigrations` (what the CLI's
 * `migrate` runs). It uses the service's own better-sqlite3, in WAL mode as the service does, and
 * its rate limiter is off, as the service's is in the bench. Its defaults stay: no cookie cache,
 * so each get-session reads the session and its user, as the session check reads its session.
 */
const SCRIPT = `
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { betterAuth } from 'better-auth';
import { getMigrations } from 'better-auth/db/migration';
import { toNodeHandler } from 'better-auth/node';

const Database = createRequire(process.env.PROJECT_PACKAGE_JSON)('better-sqlite3');
const database = new Database(process.env.PEER_DB);
database.pragma('journal_mode = WAL');
const auth = betterAuth({
  database,
  baseURL: process.env.PEER_URL,
  secret: process.env.PEER_SECRET,
  emailAndPassword: { enabled: true },
  rateLimit: { enabled: false },
  telemetry: { enabled: false },
  logger: { level: 'error' },
});
await (await getMigrations(auth.options)).runMigrations();
createServer(toNodeHandler(auth)).listen(Number(process.env.PEER_PORT), '127.0.0.1');
`;

export interface Peer {
  base: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** `npm install --prefix` into the scratch folder, once per version. */
function installPeer(): void {
  if (existsSync(join(PEER_DIR, 'node_modules', 'better-auth', 'package.json'))) return;
  mkdirSync(PEER_DIR, { recursive: true });
  console.log(`installing better-auth@${PEER_VERSION} into ${PEER_DIR}`);
  const npm = spawnSync(
    'npm',
    [
      'install',
      '--prefix',
      PEER_DIR,
      '--ignore-scripts',
      '--no-audit',
      '--no-fund',
      `better-auth@${PEER_VERSION}`,
    ],
    { cwd: PEER_DIR, stdio: 'inherit' },
  );
  if (npm.status !== 0) throw new Error(`npm install better-auth@${PEER_VERSION} failed`);
}

export async function startPeer(port: number): Promise<Peer> {
  installPeer();
  writeFileSync(join(PEER_DIR, 'peer.mjs'), SCRIPT);
  const dir = mkdtempSync(join(tmpdir(), 'auth-bench-peer-'));
  const base = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [join(PEER_DIR, 'peer.mjs')], {
    cwd: PEER_DIR,
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'production',
      PROJECT_PACKAGE_JSON: join(ROOT, 'package.json'),
      PEER_DB: join(dir, 'auth.sqlite'),
      PEER_PORT: String(port),
      PEER_URL: base,
      PEER_SECRET: randomBytes(32).toString('base64url'),
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const peer = {
    base,
    process: child,
    async stop() {
      await stopProcess(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    await waitUntilOk(`${base}/api/auth/ok`);
  } catch (error) {
    await peer.stop();
    throw error;
  }
  return peer;
}

async function postPeer(peer: Peer, path: string, body: unknown): Promise<Response> {
  const response = await fetch(`${peer.base}/api/auth${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: peer.base },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`peer ${path}: ${response.status} ${await response.text()}`);
  return response;
}

/** Signs up `count` users and signs each in: the session cookie of each sign-in. */
export async function peerSessions(peer: Peer, count: number, tag: string): Promise<string[]> {
  const cookies: string[] = [];
  for (let start = 0; start < count; start += 8) {
    await Promise.all(
      Array.from({ length: Math.min(8, count - start) }, async (_, offset) => {
        const email = `peer.${tag}.${start + offset}@example.com`;
        await postPeer(peer, '/sign-up/email', { name: 'Bench', email, password: PASSWORD });
        const signIn = await postPeer(peer, '/sign-in/email', { email, password: PASSWORD });
        const cookie = signIn.headers
          .getSetCookie()
          .map((header) => header.split(';')[0])
          .find((pair) => pair.includes('session_token='));
        if (!cookie) throw new Error('peer sign-in set no session cookie');
        cookies.push(cookie);
      }),
    );
  }
  return cookies;
}
