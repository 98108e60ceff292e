import {
  MigrationInterface,
  QueryRunner,
  Table,
  TableColumn,
  TableColumnOptions,
  TableForeignKey,
} from 'typeorm';

const at = (name: string, isNullable = false): TableColumnOptions => ({
  name,
  type: 'datetime',
  precision: 3,
  isNullable,
});
const userId = (isNullable = false): TableColumnOptions => ({
  name: 'user_id',
  type: 'varchar',
  length: '36',
  isNullable,
});
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
 * Issue 30, social login: the linked provider identities, the sign-ins under way (their `state`,
 * kept hashed) and their one-time results (the exchange `code`, kept hashed), which factor a
 * two-factor login started with, and accounts without a password (made by a provider).
 *
 * Outside a transaction: SQLite cannot drop NOT NULL in place, so `users` is rebuilt, and its
 * foreign keys must be off meanwhile (a DROP TABLE with them on would cascade into every table
 * that references users). PRAGMA foreign_keys is ignored inside a transaction.
 */
export class SocialLogin1799300000000 implements MigrationInterface {
  name = 'SocialLogin1799300000000';
  transaction = false;

  async up(queryRunner: QueryRunner): Promise<void> {
    await this.inTransaction(queryRunner, async () => {
      await queryRunner.createTable(
        new Table({
          name: 'user_identities',
          columns: [
            { name: 'id', type: 'varchar', length: '36', isPrimary: true },
            userId(),
            { name: 'provider', type: 'varchar', length: '32' },
            { name: 'issuer', type: 'varchar', length: '255' },
            { name: 'subject', type: 'varchar', length: '255' },
            { name: 'email', type: 'varchar', length: '254', isNullable: true },
            at('created_at'),
            at('last_used_at', true),
          ],
          uniques: [
            { name: 'UQ_user_identities_issuer_subject', columnNames: ['issuer', 'subject'] },
            { name: 'UQ_user_identities_user_provider', columnNames: ['user_id', 'provider'] },
          ],
          foreignKeys: [ownedBy('user_identities')],
        }),
      );
      await queryRunner.createTable(
        new Table({
          name: 'oauth_flows',
          columns: [
            { name: 'state_hash', type: 'varchar', length: '64', isPrimary: true },
            { name: 'browser_hash', type: 'varchar', length: '64' },
            { name: 'provider', type: 'varchar', length: '32' },
            { name: 'purpose', type: 'varchar', length: '8' },
            userId(true),
            { name: 'redirect_uri', type: 'varchar', length: '2048' },
            { name: 'force', type: 'boolean', default: false },
            { name: 'code_verifier', type: 'varchar', length: '255' },
            { name: 'nonce', type: 'varchar', length: '64' },
            at('used_at', true),
            at('created_at'),
            at('expires_at'),
          ],
          indices: [{ name: 'IDX_oauth_flows_expires_at', columnNames: ['expires_at'] }],
          foreignKeys: [ownedBy('oauth_flows')],
        }),
      );
      await queryRunner.createTable(
        new Table({
          name: 'oauth_results',
          columns: [
            { name: 'code_hash', type: 'varchar', length: '64', isPrimary: true },
            userId(),
            { name: 'provider', type: 'varchar', length: '32' },
            { name: 'force', type: 'boolean', default: false },
            at('used_at', true),
            at('created_at'),
            at('expires_at'),
          ],
          indices: [{ name: 'IDX_oauth_results_expires_at', columnNames: ['expires_at'] }],
          foreignKeys: [ownedBy('oauth_results')],
        }),
      );
      // Plain ALTER on both databases: TypeORM's addColumn rebuilds a SQLite table.
      await queryRunner.query(
        "ALTER TABLE mfa_challenges ADD COLUMN first_factor varchar(8) NOT NULL DEFAULT 'pwd'",
      );
    });
    await this.setPasswordHashNullable(queryRunner, true);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    // A revert runs down() inside a transaction even so: end it, and open one for the
    // revert's own bookkeeping after.
    const wrapped = queryRunner.isTransactionActive;
    if (wrapped) await queryRunner.commitTransaction();
    try {
      await this.inTransaction(queryRunner, async () => {
        await queryRunner.query('ALTER TABLE mfa_challenges DROP COLUMN first_factor');
        await queryRunner.dropTable('oauth_results');
        await queryRunner.dropTable('oauth_flows');
        await queryRunner.dropTable('user_identities');
        // Accounts made by a provider have no password: the older schema cannot hold them.
        await queryRunner.query('DELETE FROM users WHERE password_hash IS NULL');
      });
      await this.setPasswordHashNullable(queryRunner, false);
    } finally {
      if (wrapped) await queryRunner.startTransaction();
    }
  }

  private async setPasswordHashNullable(queryRunner: QueryRunner, isNullable: boolean) {
    const column = (nullable: boolean) =>
      new TableColumn({
        name: 'password_hash',
        type: 'varchar',
        length: '255',
        isNullable: nullable,
      });
    if (queryRunner.connection.options.type === 'mysql') {
      await queryRunner.query(
        `ALTER TABLE users MODIFY password_hash varchar(255) ${isNullable ? 'NULL' : 'NOT NULL'}`,
      );
      return;
    }
    await queryRunner.query('PRAGMA foreign_keys = OFF');
    try {
      await this.inTransaction(queryRunner, async () => {
        await queryRunner.changeColumn('users', 'password_hash', column(isNullable));
        const broken: unknown[] = await queryRunner.query('PRAGMA foreign_key_check');
        if (broken.length > 0) throw new Error('users rebuild left dangling foreign keys');
      });
    } finally {
      await queryRunner.query('PRAGMA foreign_keys = ON');
    }
  }

  private async inTransaction(queryRunner: QueryRunner, work: () => Promise<void>) {
    await queryRunner.startTransaction();
    try {
      await work();
      await queryRunner.commitTransaction();
    } catch (error) {
      await queryRunner.rollbackTransaction();
      throw error;
    }
  }
}
