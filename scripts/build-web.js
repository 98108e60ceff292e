// Bundles the account dashboard (web/) with esbuild into dist/web/: minified script and
// stylesheet with content hashes in their names (served as immutable), and index.html naming
// them. Prints each asset's size, raw and gzip. Run by `npm run build`; `node scripts/build-web.js`.
const { build } = require('esbuild');
const { mkdirSync, readFileSync, rmSync, writeFileSync } = require('node:fs');
const { basename, join } = require('node:path');
const { gzipSync } = require('node:zlib');

const root = join(__dirname, '..');
const out = join(root, 'dist', 'web');

async function main() {
  rmSync(out, { recursive: true, force: true });
  mkdirSync(join(out, 'assets'), { recursive: true });
  const result = await build({
    entryPoints: { app: join(root, 'web', 'src', 'main.tsx'), style: join(root, 'web', 'app.css') },
    outdir: join(out, 'assets'),
    entryNames: '[name]-[hash]',
    bundle: true,
    minify: true,
    format: 'esm',
    target: ['es2022'],
    tsconfig: join(root, 'web', 'tsconfig.json'),
    legalComments: 'none',
    metafile: true,
    logLevel: 'warning',
  });
  const outputs = Object.keys(result.metafile.outputs).map((path) => basename(path));
  const js = outputs.find((name) => name.endsWith('.js'));
  const css = outputs.find((name) => name.endsWith('.css'));
  const html = readFileSync(join(root, 'web', 'index.html'), 'utf8')
    .replace('{{js}}', js)
    .replace('{{css}}', css);
  writeFileSync(join(out, 'index.html'), html);
  for (const name of [js, css]) {
    const body = readFileSync(join(out, 'assets', name));
    const kb = (bytes) => `${(bytes / 1024).toFixed(1)} kB`;
    console.log(
      `dashboard ${name}: ${kb(body.length)}, ${kb(gzipSync(body, { level: 9 }).length)} gzip`,
    );
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
