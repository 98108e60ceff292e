import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';

const GENESIS_HASH = '0'.repeat(64);

/**
 * The audit table at scale (issue 25, items 7 and 8):
 * - appends queue on a lock of the one row of `audit_chain_head`, which holds the chain's head,
 *   instead of racing on the unique key on prev_hash: that key goes, and with it a random
 *   SHA-256 index that cost a page read per appended row once the table outgrew memory (the
 *   lock keeps one successor per row; verification still checks every link);
 * - `audit_logs.id` becomes BIGINT on MySQL (SQLite's INTEGER already is 64-bit);
 * - `audit_purge_lease`: one row saying which instance runs the retention purge, until when.
 * On MySQL the ALTER copies `audit_logs` once: on a large table, run it in a quiet hour.
 */
export class AuditAtScale1798200000000 implements MigrationInterface {
  name = 'AuditAtScale1798200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    if (queryRunner.connection.options.type === 'mysql') {
      await queryRunner.query(
        'ALTER TABLE audit_logs DROP INDEX UQ_audit_logs_prev_hash, ' +
          'MODIFY id BIGINT NOT NULL AUTO_INCREMENT',
      );
    } else {
      await queryRunner.dropIndex('audit_logs', 'UQ_audit_logs_prev_hash');
    }

    await queryRunner.createTable(
      new Table({
        name: 'audit_chain_head',
        columns: [
          { name: 'id', type: 'integer', isPrimary: true },
          { name: 'hash', type: 'varchar', length: '64' },
        ],
      }),
    );
    const [newest] = (await queryRunner.query(
      'SELECT hash FROM audit_logs ORDER BY id DESC LIMIT 1',
    )) as Array<{ hash: string }>;
    await queryRunner.query('INSERT INTO audit_chain_head (id, hash) VALUES (1, ?)', [
      newest?.hash ?? GENESIS_HASH,
    ]);

    await queryRunner.createTable(
      new Table({
        name: 'audit_purge_lease',
        columns: [
          { name: 'id', type: 'integer', isPrimary: true },
          { name: 'holder', type: 'varchar', length: '64', isNullable: true },
          { name: 'expires_at', type: 'datetime', precision: 3 },
        ],
      }),
    );
    await queryRunner.query(
      "INSERT INTO audit_purge_lease (id, holder, expires_at) VALUES (1, NULL, '1970-01-01 00:00:00.000')",
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('audit_purge_lease');
    await queryRunner.dropTable('audit_chain_head');
    if (queryRunner.connection.options.type === 'mysql') {
      await queryRunner.query('ALTER TABLE audit_logs MODIFY id INT NOT NULL AUTO_INCREMENT');
    }
    await queryRunner.createIndex(
      'audit_logs',
      new TableIndex({
        name: 'UQ_audit_logs_prev_hash',
        columnNames: ['prev_hash'],
        isUnique: true,
      }),
    );
  }
}
