// npm run admin:grant -- <email> / npm run admin:revoke -- <email>: gives or takes the admin role,
// with the app's own configuration (.env and the environment: the same database and Redis as the
// service, so the change reaches every running instance on its next request). Prints what it did
// and leaves an audit row (action admin.grant / admin.revoke, no actor: the operator's shell).
// Exit code 0 when done, 1 when refused (unknown email, the last admin) or failed, 2 on misuse.
import 'reflect-metadata';
import 'dotenv/config';
import { NestFactory } from '@nestjs/core';
import { AccountsService } from '../src/accounts/accounts.service';
import { AppModule } from '../src/app.module';
import { AuditService } from '../src/audit/audit.service';
import { DomainError } from '../src/common/errors';

const [command, email] = process.argv.slice(2);

async function main(): Promise<number> {
  if ((command !== 'grant' && command !== 'revoke') || !email) {
    console.error('usage: npm run admin:grant -- <email>  |  npm run admin:revoke -- <email>');
    return 2;
  }
  const grant = command === 'grant';
  const app = await NestFactory.createApplicationContext(AppModule, { logger: ['error'] });
  try {
    const accounts = app.get(AccountsService);
    let outcome;
    try {
      outcome = await accounts.setAdminByEmail(email, grant);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      console.error(
        error.code === 'USER_NOT_FOUND'
          ? `admin:${command}: no account has the email ${email}`
          : `admin:${command}: ${email}: ${error.detail} (${error.code})`,
      );
      return 1;
    }
    const { user, roles, changed } = outcome;
    await app.get(AuditService).append([
      {
        userId: user.id,
        actorId: null,
        action: `admin.${command}`,
        outcome: 'success',
        ip: null,
        userAgent: null,
        requestId: null,
        meta: { via: 'cli', changed, roles: roles.join(',') },
      },
    ]);
    const done = grant ? `granted admin to ${user.email}` : `revoked admin from ${user.email}`;
    const unchanged = grant ? `${user.email} is already admin` : `${user.email} was not admin`;
    process.stdout.write(
      `${changed ? done : `${unchanged}; nothing changed`} (id ${user.id}); ` +
        `roles now: ${roles.join(', ')}\n`,
    );
    return 0;
  } finally {
    await app.close();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(
      `admin:${command} failed: ${error instanceof Error ? error.message : String(error)}`,
    );
    process.exitCode = 1;
  },
);
