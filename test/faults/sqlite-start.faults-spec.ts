import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mountTmpfs, Refusal, SqliteService, sqliteEnv, unmount } from './sqlite-service';

/** The one line a refused start printed (no stack, nothing else), or the test fails showing all. */
function oneLine(refusal: Refusal): string {
  const lines = refusal.output.split('\n').filter((line) => line.trim() !== '');
  expect({ code: refusal.code, lines: lines.length }).toEqual({ code: 1, lines: 1 });
  return lines[0];
}

/**
 * SQLite mode is one process per database file: a second process on the same DB_PATH is refused
 * at start, and an unusable path stops the start with one line that names it and the cause.
 * Read-only folders are read-only tmpfs mounts (root ignores file modes; CI runs as root).
 */
describe('SQLite: where the database file lives', () => {
  let dir: string;
  const mounts: string[] = [];

  const readOnlyFolder = (name: string) => {
    const folder = join(dir, name);
    mkdirSync(folder);
    mountTmpfs(folder, '1m', true);
    mounts.push(folder);
    return folder;
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'faults-sqlite-start-'));
  });

  afterAll(() => {
    for (const folder of mounts) unmount(folder);
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a second process on the same DB_PATH, and the first keeps serving', async () => {
    const dbPath = join(dir, 'shared', 'auth.sqlite');
    const first = await SqliteService.create(sqliteEnv(dbPath));
    await first.start();
    try {
      const second = await SqliteService.create(sqliteEnv(dbPath));
      const line = oneLine(await second.startRefused());
      expect(line).toContain(dbPath);
      expect(line).toMatch(/in use by another process/);
      expect((await first.call('GET', '/health/ready')).status).toBe(200);
    } finally {
      await first.stop();
    }
    // The lock goes with the process: the next start on the file succeeds.
    const next = await SqliteService.create(sqliteEnv(dbPath));
    await next.start();
    await next.stop();
  }, 60_000);

  it('names a read-only folder', async () => {
    const folder = readOnlyFolder('read-only');
    const service = await SqliteService.create(sqliteEnv(join(folder, 'auth.sqlite')));
    const line = oneLine(await service.startRefused());
    expect(line).toContain(folder);
    expect(line).toMatch(/not writable.*EROFS/);
  }, 30_000);

  it('names a missing folder that cannot be created', async () => {
    const missing = join(readOnlyFolder('no-parent'), 'data');
    const service = await SqliteService.create(sqliteEnv(join(missing, 'auth.sqlite')));
    const line = oneLine(await service.startRefused());
    expect(line).toContain(missing);
    expect(line).toMatch(/cannot be created.*EROFS/);
  }, 30_000);

  it('names a ./data/.secret_key that cannot be written', async () => {
    // Outside production with no SECRET_KEY, the service keeps a generated key in ./data.
    const cwd = join(dir, 'app');
    mkdirSync(cwd);
    const data = join(cwd, 'data');
    mkdirSync(data);
    mountTmpfs(data, '1m', true);
    mounts.push(data);
    const env: Record<string, string> = {
      ...sqliteEnv(join(dir, 'own', 'auth.sqlite')),
      NODE_ENV: 'development',
    };
    delete env.SECRET_KEY;
    const service = await SqliteService.create(env, cwd);
    const line = oneLine(await service.startRefused());
    expect(line).toContain('data/.secret_key');
    expect(line).toMatch(/SECRET_KEY.*EROFS/);
  }, 30_000);
});
