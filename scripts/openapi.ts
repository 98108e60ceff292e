// npm run openapi -- <file>: writes the app's OpenAPI document (what /docs-json serves) to <file>,
// without listening. The app starts on a throw-away SQLite database with no mail server.
import 'reflect-metadata';
import type { OpenAPIObject } from '@nestjs/swagger';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** Builds the document in this process; also used by `npm run client:generate`. */
export async function buildOpenApiDocumentOffline(): Promise<OpenAPIObject> {
  const dir = mkdtempSync(join(tmpdir(), 'openapi-'));
  Object.assign(process.env, {
    LOG_LEVEL: 'silent',
    DB_TYPE: 'sqlite',
    DB_PATH: join(dir, 'auth.sqlite'),
    DB_MIGRATE: 'true',
    SECRET_KEY: randomBytes(32).toString('base64url'),
    MAIL_OUTBOX_DIR: join(dir, 'outbox'),
    DOCS_ENABLED: 'true',
  });
  // Imported after the environment is set: configuration is read when the modules load.
  const { AppModule } = await import('../src/app.module');
  const { buildOpenApiDocument, createHttpApp } = await import('../src/http');
  const { appConfig } = await import('../src/config/app.config');
  const app = await createHttpApp(AppModule);
  try {
    return buildOpenApiDocument(app, appConfig());
  } finally {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs `main`, then exits: 0 when it resolved, 1 (with the error on stderr) when it threw. */
export function runScript(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`${String(error)}\n`);
      process.exit(1);
    },
  );
}

if (require.main === module) {
  const target = process.argv[2];
  if (!target) {
    process.stderr.write('usage: npm run openapi -- <file>\n');
    process.exit(2);
  }
  runScript(async () => {
    const document = await buildOpenApiDocumentOffline();
    writeFileSync(resolve(target), `${JSON.stringify(document, null, 2)}\n`);
  });
}
