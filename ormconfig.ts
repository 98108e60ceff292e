// The data source for the TypeORM CLI (npm run migration:run|revert|generate).
import 'reflect-metadata';
import 'dotenv/config';
import { DataSource } from 'typeorm';
import { databaseConfig } from './src/config/database.config';
import { typeOrmOptions } from './src/database/typeorm-options';

export default new DataSource({
  ...typeOrmOptions(databaseConfig(), { queryTimeout: false }),
  migrationsRun: false,
});
