import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';

/**
 * Roles and admin (issue 28):
 * - `users.status` (`active` or `disabled`) and `users.last_login_at` (set by each login;
 *   filled here from the sessions table);
 * - `user_roles`: the roles assigned beyond `user`, which every account has;
 * - `audit_logs.actor_id`: who acted, when that is not the account the row concerns (an admin).
 *   The hash chain covers it only where it is set, so the rows written before still verify.
 * Plain ADD COLUMN statements, which SQLite and MySQL both take in place (no table copy).
 */
export class RolesAndStatus1799100000000 implements MigrationInterface {
  name = 'RolesAndStatus1799100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      "ALTER TABLE users ADD COLUMN status varchar(16) NOT NULL DEFAULT 'active'",
    );
    await queryRunner.query('ALTER TABLE users ADD COLUMN last_login_at datetime(3) NULL');
    await queryRunner.query(
      'UPDATE users SET last_login_at = ' +
        '(SELECT MAX(sessions.created_at) FROM sessions WHERE sessions.user_id = users.id)',
    );
    // The admin listing: newest first, continued by (created_at, id).
    await queryRunner.createIndex(
      'users',
      new TableIndex({ name: 'IDX_users_created_at_id', columnNames: ['created_at', 'id'] }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'user_roles',
        columns: [
          { name: 'user_id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'role', type: 'varchar', length: '32', isPrimary: true },
          { name: 'granted_at', type: 'datetime', precision: 3 },
        ],
        indices: [{ name: 'IDX_user_roles_role', columnNames: ['role', 'user_id'] }],
        foreignKeys: [
          {
            name: 'FK_user_roles_user',
            columnNames: ['user_id'],
            referencedTableName: 'users',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
            onUpdate: 'NO ACTION',
          },
        ],
      }),
    );

    // No foreign key, like user_id: the trail outlives the accounts it names.
    await queryRunner.query('ALTER TABLE audit_logs ADD COLUMN actor_id varchar(36) NULL');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE audit_logs DROP COLUMN actor_id');
    await queryRunner.dropTable('user_roles');
    await queryRunner.dropIndex('users', 'IDX_users_created_at_id');
    await queryRunner.query('ALTER TABLE users DROP COLUMN last_login_at');
    await queryRunner.query('ALTER TABLE users DROP COLUMN status');
  }
}
