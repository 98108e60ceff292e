import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * `npm start` and the Docker image start the server with the same Node flags (README,
 * Performance). Without `--no-allocation-site-pretenuring`, the session check's short-lived
 * objects were pretenured into the old generation: 54 mark-compacts a bench run instead of 5,
 * and a p99 over the 30 ms target. Without `--single-threaded-gc`, V8's GC helper threads
 * competed with argon2 for the cores: ~0.7 ms more CPU per login.
 */
const ROOT = join(__dirname, '..');
const ENTRY = 'dist/src/main.js';

/** The flags of a start command: between `node` and the entry file. */
function flagsOf([node, ...rest]: string[]): string[] {
  expect(node).toBe('node');
  expect(rest[rest.length - 1]).toBe(ENTRY);
  return rest.slice(0, -1);
}

function npmStartFlags(): string[] {
  const { scripts } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    scripts: { start: string };
  };
  return flagsOf(scripts.start.split(' '));
}

function dockerFlags(): string[] {
  const cmd = /^CMD (\[.*\])$/m.exec(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'))?.[1];
  return flagsOf(JSON.parse(cmd ?? '[]') as string[]);
}

describe('the server start flags', () => {
  it('are the same for npm start and the Docker image', () => {
    expect(dockerFlags()).toEqual(npmStartFlags());
  });

  it('cap the heap, keep allocation-site pretenuring off and the GC on the main thread', () => {
    expect(npmStartFlags()).toEqual(
      expect.arrayContaining([
        '--max-old-space-size=192',
        '--max-semi-space-size=32',
        '--no-allocation-site-pretenuring',
        '--single-threaded-gc',
      ]),
    );
  });

  it('are all accepted by this Node', () => {
    const run = spawnSync(process.execPath, [...npmStartFlags(), '-e', '0'], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });
});
