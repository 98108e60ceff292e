// npm run openapi -- <file>: writes the app's OpenAPI document (what /docs-json serves) to <file>,
// without listening. The app starts on a throw-away SQLite database with no mail server.
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

async function main(target: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'openapi-'));
  Object.assign(process.env, {
    LOG_LEVEL: 'silent',
    DB_TYPE: 'sqlite',
    DB_PATH: join(dir, 'auth.sqlite'),
    DB_MIGRATE: 'true',
    SECRET_KEY: randomBytes(32).toString('base64url'),
    KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64url'),
    MAIL_OUTBOX_DIR: join(dir, 'outbox'),
    DOCS_ENABLED: 'true',
  });
  // Imported after the environment is set: configuration is read when the modules load.
  const { AppModule } = await import('../src/app.module');
  const { buildOpenApiDocument, createHttpApp } = await import('../src/http');
  const { appConfig } = await import('../src/config/app.config');
  const app = await createHttpApp(AppModule);
  try {
    writeFileSync(target, `${JSON.stringify(buildOpenApiDocument(app, appConfig()), null, 2)}\n`);
  } finally {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const target = process.argv[2];
if (!target) {
  process.stderr.write('usage: npm run openapi -- <file>\n');
  process.exit(2);
}
main(resolve(target)).then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${String(error)}\n`);
    process.exit(1);
  },
);
