// Copies the non-TypeScript files the service reads at run time (mail templates, page assets)
// next to the compiled code. Deterministic, unlike watch-based copying.
const { cpSync, readdirSync, statSync } = require('node:fs');
const { join, relative } = require('node:path');

const root = join(__dirname, '..');
const source = join(root, 'src');
const target = join(root, 'dist', 'src');
const RUNTIME_FILE = /\.(hbs|css)$|^src\/pages\/assets\/.+\.js$/;

function walk(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (RUNTIME_FILE.test(name) || RUNTIME_FILE.test(relative(root, path))) {
      cpSync(path, join(target, relative(source, path)));
    }
  }
}

walk(source);
