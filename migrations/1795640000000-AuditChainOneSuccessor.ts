import { MigrationInterface, QueryRunner, TableIndex } from 'typeorm';

/**
 * Every audit row names its predecessor's hash, and no two rows may name the same one: a fork
 * of the chain becomes a unique-key violation, so writers (several instances included) can
 * append without a lock and retry from the new head when they lose a race. Fails, rather than
 * hiding it, on a table whose chain is already forked.
 */
export class AuditChainOneSuccessor1795640000000 implements MigrationInterface {
  name = 'AuditChainOneSuccessor1795640000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createIndex(
      'audit_logs',
      new TableIndex({
        name: 'UQ_audit_logs_prev_hash',
        columnNames: ['prev_hash'],
        isUnique: true,
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('audit_logs', 'UQ_audit_logs_prev_hash');
  }
}
