// Applies pending migrations once, then exits (0, or 1 with the reason). With several
// instances, run this before starting them with DB_MIGRATE=false, so replicas never race to
// migrate the same database. Uses the built service (dist/) and the same DB_* settings.
require('reflect-metadata');
require('dotenv/config');
const { DataSource } = require('typeorm');
const { databaseConfig } = require('../dist/src/config/database.config');
const { typeOrmOptions } = require('../dist/src/database/typeorm-options');

async function migrate() {
  const source = new DataSource({
    ...typeOrmOptions(databaseConfig(), { queryTimeout: false }),
    migrationsRun: false,
  });
  await source.initialize();
  try {
    const applied = await source.runMigrations({ transaction: 'each' });
    const names = applied.map((migration) => migration.name).join(', ');
    console.log(applied.length > 0 ? `Applied migrations: ${names}` : 'No pending migrations');
  } finally {
    await source.destroy();
  }
}

migrate().catch((error) => {
  console.error(`Migration failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
