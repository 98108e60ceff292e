// First: sizes libuv's thread pool (argon2) before anything starts it.
import './config/thread-pool';
import 'reflect-metadata';
import { AppModule } from './app.module';
import { appConfig } from './config/app.config';
import { databaseConfig } from './config/database.config';
import { ConfigError } from './config/env';
import { claimSqliteFile } from './database/sqlite-file';
import { closeOnSignals, createHttpApp } from './http';

async function bootstrap(): Promise<void> {
  claimSqliteFile(databaseConfig());
  const app = await createHttpApp(AppModule);
  closeOnSignals(app);
  await app.listen(appConfig().port, '0.0.0.0');
}

bootstrap().catch((error: unknown) => {
  // A configuration mistake gets one clear line, not a stack trace.
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
