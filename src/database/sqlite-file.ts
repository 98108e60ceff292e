import Database from 'better-sqlite3';
import { accessSync, constants, existsSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ConfigError } from '../config/env';
import type { DatabaseConfig } from '../config/database.config';

/** The lock this process holds on its database file, kept open (and so held) until it exits. */
let held: { path: string; lock: Database.Database } | undefined;

/**
 * Makes sure the SQLite file can be used, and claims it for this process: SQLite mode is one
 * process per database file. The claim is an exclusive lock, through SQLite itself, on
 * `<DB_PATH>.lock`: the operating system releases it when the process ends, however it ends,
 * and it leaves the database itself open to readers such as `npm run audit:verify`.
 * Each problem is a ConfigError naming the path and the cause, which main.ts prints as one line.
 */
export function claimSqliteFile(db: DatabaseConfig): void {
  if (db.type !== 'sqlite' || db.path === ':memory:') return;
  const path = resolve(db.path);
  if (held?.path === path) return;
  const folder = dirname(path);
  const refuse = (problem: string, error: unknown) =>
    new ConfigError('DB_PATH', `${path} cannot be used: ${problem} (${codeOf(error)})`);
  try {
    mkdirSync(folder, { recursive: true });
  } catch (error) {
    throw refuse(`its folder ${folder} cannot be created`, whyNotCreated(folder) ?? error);
  }
  try {
    accessSync(folder, constants.W_OK);
  } catch (error) {
    throw refuse(`its folder ${folder} is not writable`, error);
  }
  if (existsSync(path)) {
    try {
      accessSync(path, constants.R_OK | constants.W_OK);
    } catch (error) {
      throw refuse('the file is not readable and writable', error);
    }
  }
  const lockPath = `${path}.lock`;
  let lock: Database.Database;
  try {
    lock = new Database(lockPath, { timeout: 0 });
  } catch (error) {
    throw refuse(`its lock file ${lockPath} cannot be opened`, error);
  }
  try {
    lock.pragma('locking_mode = EXCLUSIVE');
    lock.exec('BEGIN EXCLUSIVE');
  } catch (error) {
    lock.close();
    if (codeOf(error) !== 'SQLITE_BUSY') throw refuse(`its lock file ${lockPath} failed`, error);
    throw new ConfigError(
      'DB_PATH',
      `${path} is in use by another process, which holds ${lockPath}; SQLite mode runs one process per database file`,
    );
  }
  held = { path, lock };
}

/** Node's recursive mkdir can say ENOENT where the real cause is the nearest existing folder's. */
function whyNotCreated(folder: string): unknown {
  let ancestor = dirname(folder);
  while (!existsSync(ancestor) && dirname(ancestor) !== ancestor) ancestor = dirname(ancestor);
  try {
    accessSync(ancestor, constants.W_OK);
    return undefined;
  } catch (error) {
    return error;
  }
}

function codeOf(error: unknown): string {
  return String((error as { code?: unknown } | null)?.code ?? (error as Error)?.message);
}
