// npm run audit:verify: walks the audit hash chain from the oldest remaining row, with the app's
// own configuration (.env and the environment). Exit code 0 when intact, 1 when broken or failed.
import 'reflect-metadata';
import 'dotenv/config';
import { DataSource } from 'typeorm';
import { AuditLog } from '../src/audit/audit-log.entity';
import { verifyAuditChain } from '../src/audit/audit.service';
import { CryptoService } from '../src/common/crypto.service';
import { authConfig } from '../src/config/auth.config';
import { databaseConfig } from '../src/config/database.config';
import { typeOrmOptions } from '../src/database/typeorm-options';

async function main(): Promise<number> {
  const dataSource = new DataSource({
    ...typeOrmOptions(databaseConfig()),
    migrationsRun: false,
    logging: false,
  });
  await dataSource.initialize();
  try {
    const crypto = new CryptoService(authConfig());
    const verdict = await verifyAuditChain(dataSource.getRepository(AuditLog), (value) =>
      crypto.sha256(value),
    );
    if (verdict.ok) {
      process.stdout.write(`OK: ${verdict.count} audit rows verified\n`);
      return 0;
    }
    const why =
      verdict.reason === 'link'
        ? 'its prev_hash is not the hash of the row before it (a row was removed or inserted)'
        : 'its content does not match its hash (the row was edited)';
    console.error(
      `BROKEN: audit row ${verdict.brokenId}: ${why}; ${verdict.count} rows before it verified`,
    );
    return 1;
  } finally {
    await dataSource.destroy();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`audit:verify failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
