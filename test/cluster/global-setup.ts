import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/** The cluster suite runs the built service: build once when dist/ is missing or stale. */
export default function globalSetup(): void {
  execFileSync(process.execPath, [join(__dirname, '..', '..', 'scripts', 'build-if-needed.js')], {
    stdio: 'inherit',
  });
}
