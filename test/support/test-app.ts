import type { Type } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { AppModule } from '../../src/app.module';
import { createHttpApp } from '../../src/http';
import { MailService } from '../../src/mail/mail.service';
import { SmtpPeer } from './smtp-peer';

export interface TestApp {
  app: NestFastifyApplication;
  http: TestAgent;
  smtp: SmtpPeer;
  dbType: 'sqlite' | 'mysql';
  close(): Promise<void>;
}

const MYSQL = {
  host: process.env.DB_HOST ?? '127.0.0.1',
  port: Number(process.env.DB_PORT ?? 3306),
  user: process.env.DB_USER ?? 'root',
  password: process.env.DB_PASSWORD ?? '',
};

async function mysqlAdmin(sql: string): Promise<void> {
  const connection = await createConnection(MYSQL);
  try {
    await connection.query(sql);
  } finally {
    await connection.end();
  }
}

/**
 * The real app (same http.ts as production) on a fresh database with the real migrations:
 * SQLite by default, MariaDB/MySQL when DB_TYPE=mysql. Mail goes over SMTP to an in-process peer.
 * `rootModule` is AppModule, or a test module that imports it to add to it.
 */
export async function startTestApp(
  overrides: Record<string, string> = {},
  rootModule: Type<unknown> = AppModule,
): Promise<TestApp> {
  const dbType = process.env.DB_TYPE === 'mysql' ? 'mysql' : 'sqlite';
  const smtp = await SmtpPeer.start();
  const dir = mkdtempSync(join(tmpdir(), 'auth-e2e-'));
  const dbName = `auth_e2e_${randomBytes(6).toString('hex')}`;
  if (dbType === 'mysql') {
    await mysqlAdmin(
      `CREATE DATABASE \`${dbName}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
    );
  }
  Object.assign(process.env, {
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    DB_TYPE: dbType,
    DB_PATH: join(dir, 'auth.sqlite'),
    DB_HOST: MYSQL.host,
    DB_PORT: String(MYSQL.port),
    DB_USER: MYSQL.user,
    DB_PASSWORD: MYSQL.password,
    DB_NAME: dbName,
    DB_MIGRATE: 'true',
    SECRET_KEY: randomBytes(32).toString('base64url'),
    KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64url'),
    APP_URL: 'http://localhost:3000',
    SMTP_SERVER: '127.0.0.1',
    SMTP_PORT: String(smtp.port),
    SMTP_EMAIL: 'no-reply@auth.test',
    SMTP_PASSWORD: '',
    MAIL_FROM: 'no-reply@auth.test',
    MAIL_OUTBOX_DIR: join(dir, 'outbox'),
    THROTTLE_ENABLED: 'false',
    SESSION_POLICY: 'reject',
    ...overrides,
  });
  let app: NestFastifyApplication;
  try {
    app = await createHttpApp(rootModule);
  } catch (error) {
    await smtp.close();
    rmSync(dir, { recursive: true, force: true });
    if (dbType === 'mysql') await mysqlAdmin(`DROP DATABASE IF EXISTS \`${dbName}\``);
    throw error;
  }
  return {
    app,
    http: request(app.getHttpServer()),
    smtp,
    dbType,
    async close() {
      await app.get(MailService).drain();
      await app.close();
      await smtp.close();
      rmSync(dir, { recursive: true, force: true });
      if (dbType === 'mysql') await mysqlAdmin(`DROP DATABASE IF EXISTS \`${dbName}\``);
    },
  };
}
