import {
  MigrationInterface,
  QueryRunner,
  Table,
  TableColumnOptions,
  TableForeignKey,
} from 'typeorm';

const at = (name: string, isNullable = false): TableColumnOptions => ({
  name,
  type: 'datetime',
  precision: 3,
  isNullable,
});
const userId: TableColumnOptions = { name: 'user_id', type: 'varchar', length: '36' };
const ownedBy = (table: string) =>
  new TableForeignKey({
    name: `FK_${table}_user`,
    columnNames: ['user_id'],
    referencedTableName: 'users',
    referencedColumnNames: ['id'],
    onDelete: 'CASCADE',
    onUpdate: 'NO ACTION',
  });

/**
 * Issue 29, two-factor login: the sealed TOTP secrets, the recovery codes (hashes only), the
 * logins waiting for their second factor, and how each session was authenticated (`amr`, RFC
 * 8176: "pwd" for the sessions before this migration).
 */
export class TwoFactor1799200000000 implements MigrationInterface {
  name = 'TwoFactor1799200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'mfa_totp',
        columns: [
          { ...userId, isPrimary: true },
          { name: 'secret', type: 'varchar', length: '255' },
          at('enabled_at', true),
          { name: 'last_step', type: 'integer', isNullable: true },
          at('created_at'),
        ],
        foreignKeys: [ownedBy('mfa_totp')],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'mfa_recovery_codes',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          userId,
          { name: 'code_hash', type: 'varchar', length: '64' },
          at('used_at', true),
          at('created_at'),
        ],
        uniques: [{ name: 'UQ_mfa_recovery_codes_code_hash', columnNames: ['code_hash'] }],
        indices: [{ name: 'IDX_mfa_recovery_codes_user_id', columnNames: ['user_id'] }],
        foreignKeys: [ownedBy('mfa_recovery_codes')],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'mfa_challenges',
        columns: [
          { name: 'token_hash', type: 'varchar', length: '64', isPrimary: true },
          userId,
          { name: 'password_fingerprint', type: 'varchar', length: '64' },
          { name: 'attempts', type: 'integer', default: 0 },
          { name: 'passed_with', type: 'varchar', length: '16', isNullable: true },
          at('used_at', true),
          at('created_at'),
          at('expires_at'),
        ],
        indices: [{ name: 'IDX_mfa_challenges_user_id', columnNames: ['user_id'] }],
        foreignKeys: [ownedBy('mfa_challenges')],
      }),
    );
    // Plain ALTER on both databases: TypeORM's addColumn rebuilds a SQLite table.
    await queryRunner.query(
      "ALTER TABLE sessions ADD COLUMN amr varchar(32) NOT NULL DEFAULT 'pwd'",
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE sessions DROP COLUMN amr');
    await queryRunner.dropTable('mfa_challenges');
    await queryRunner.dropTable('mfa_recovery_codes');
    await queryRunner.dropTable('mfa_totp');
  }
}
