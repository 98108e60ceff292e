import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/** The browser suite drives the dashboard as `npm run build` bundles it: bundle it once, fresh. */
export default function buildDashboard(): void {
  execFileSync('node', [join(__dirname, '..', '..', '..', 'scripts', 'build-web.js')], {
    stdio: 'inherit',
  });
}
