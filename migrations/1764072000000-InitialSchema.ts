import { MigrationInterface, QueryRunner, Table, TableColumnOptions } from 'typeorm';

// Portable across SQLite and MySQL/MariaDB: only the Table API, no dialect SQL.
const id = (name = 'id'): TableColumnOptions => ({
  name,
  type: 'varchar',
  length: '36',
  isPrimary: true,
});
const ref = (name: string, isNullable = false): TableColumnOptions => ({
  name,
  type: 'varchar',
  length: '36',
  isNullable,
});
const at = (name: string, isNullable = false): TableColumnOptions => ({
  name,
  type: 'datetime',
  precision: 3,
  isNullable,
});
const hash = (name: string, isNullable = false): TableColumnOptions => ({
  name,
  type: 'varchar',
  length: '64',
  isNullable,
});

function oneTimeTokenTable(name: string): Table {
  return new Table({
    name,
    columns: [
      id(),
      ref('user_id'),
      hash('token_hash'),
      at('expires_at'),
      at('used_at', true),
      at('created_at'),
    ],
    uniques: [{ name: `UQ_${name}_token_hash`, columnNames: ['token_hash'] }],
    indices: [{ name: `IDX_${name}_user_id`, columnNames: ['user_id'] }],
    foreignKeys: [
      {
        name: `FK_${name}_user`,
        columnNames: ['user_id'],
        referencedTableName: 'users',
        referencedColumnNames: ['id'],
        onDelete: 'CASCADE',
        onUpdate: 'NO ACTION',
      },
    ],
  });
}

export class InitialSchema1764072000000 implements MigrationInterface {
  name = 'InitialSchema1764072000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // MySQL's default collations fold case and accents; keys we normalise ourselves compare exactly.
    const exact =
      queryRunner.connection.driver.options.type === 'mysql'
        ? { charset: 'utf8mb4', collation: 'utf8mb4_bin' }
        : {};
    await queryRunner.createTable(
      new Table({
        name: 'users',
        columns: [
          id(),
          { name: 'username', type: 'varchar', length: '32' },
          // NFKC-normalised and lower-cased: uniqueness without regard to case.
          { name: 'username_key', type: 'varchar', length: '32', ...exact },
          { name: 'email', type: 'varchar', length: '254', ...exact },
          { name: 'password_hash', type: 'varchar', length: '255' },
          { name: 'is_verified', type: 'boolean', default: 0 },
          at('verified_at', true),
          at('created_at'),
          at('updated_at'),
        ],
        uniques: [
          { name: 'UQ_users_email', columnNames: ['email'] },
          { name: 'UQ_users_username_key', columnNames: ['username_key'] },
        ],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'sessions',
        columns: [
          id(),
          ref('user_id'),
          // Set to user_id while the session is active, NULL after: the unique key makes a
          // second active session per user impossible, whatever the race.
          ref('active_user_id', true),
          { name: 'status', type: 'varchar', length: '16' },
          hash('refresh_token_hash'),
          at('created_at'),
          at('expires_at'),
          at('last_seen_at'),
          at('ended_at', true),
          { name: 'ip', type: 'varchar', length: '64', isNullable: true },
          { name: 'user_agent', type: 'varchar', length: '512', isNullable: true },
        ],
        uniques: [{ name: 'UQ_sessions_active_user_id', columnNames: ['active_user_id'] }],
        indices: [{ name: 'IDX_sessions_user_id', columnNames: ['user_id'] }],
        foreignKeys: [
          {
            name: 'FK_sessions_user',
            columnNames: ['user_id'],
            referencedTableName: 'users',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
            onUpdate: 'NO ACTION',
          },
        ],
      }),
    );

    await queryRunner.createTable(oneTimeTokenTable('email_verifications'));
    await queryRunner.createTable(oneTimeTokenTable('password_resets'));

    await queryRunner.createTable(
      new Table({
        name: 'audit_logs',
        columns: [
          {
            name: 'id',
            type: 'integer',
            isPrimary: true,
            isGenerated: true,
            generationStrategy: 'increment',
          },
          // No foreign key: the trail outlives the account it describes.
          ref('user_id', true),
          { name: 'action', type: 'varchar', length: '40' },
          { name: 'outcome', type: 'varchar', length: '16' },
          { name: 'ip', type: 'varchar', length: '64', isNullable: true },
          { name: 'user_agent', type: 'varchar', length: '512', isNullable: true },
          { name: 'request_id', type: 'varchar', length: '64', isNullable: true },
          { name: 'meta', type: 'text', isNullable: true },
          at('created_at'),
          hash('prev_hash'),
          hash('hash'),
        ],
        indices: [
          { name: 'IDX_audit_logs_user_id_id', columnNames: ['user_id', 'id'] },
          { name: 'IDX_audit_logs_created_at', columnNames: ['created_at'] },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of [
      'audit_logs',
      'password_resets',
      'email_verifications',
      'sessions',
      'users',
    ]) {
      await queryRunner.dropTable(table);
    }
  }
}
