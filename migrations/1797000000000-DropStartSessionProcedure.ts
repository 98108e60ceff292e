import { MigrationInterface, QueryRunner } from 'typeorm';
import { StartSessionProcedure1796500000000 } from './1796500000000-StartSessionProcedure';

/**
 * MySQL/MariaDB only: drops the `start_session` procedure. A session now starts with the same
 * TypeScript transaction on both databases (SessionsService.start), so its rules are written
 * once. `down` creates the procedure again, as 1796500000000 did.
 */
export class DropStartSessionProcedure1797000000000 implements MigrationInterface {
  name = 'DropStartSessionProcedure1797000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    if (queryRunner.connection.options.type !== 'mysql') return;
    await queryRunner.query('DROP PROCEDURE IF EXISTS start_session');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await new StartSessionProcedure1796500000000().up(queryRunner);
  }
}
