// `npm start` on a fresh clone: build once when dist/ is missing or older than the sources.
const { execSync } = require('node:child_process');
const { existsSync, statSync, readdirSync } = require('node:fs');
const { join } = require('node:path');

const entry = join(__dirname, '..', 'dist', 'src', 'main.js');

function newestSource(dir) {
  let newest = 0;
  for (const item of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, item.name);
    newest = Math.max(newest, item.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

const root = join(__dirname, '..');
const stale =
  !existsSync(entry) ||
  !existsSync(join(root, 'dist', 'web', 'index.html')) ||
  Math.max(...['src', 'migrations', 'web', 'clients'].map((dir) => newestSource(join(root, dir)))) >
    statSync(entry).mtimeMs;
if (stale) {
  console.log('Building the service (first start or changed sources)...');
  execSync('npm run build', { cwd: root, stdio: 'inherit' });
}
