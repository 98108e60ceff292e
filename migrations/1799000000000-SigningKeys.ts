import { MigrationInterface, QueryRunner, Table, TableUnique } from 'typeorm';

/**
 * Issue 27: the key pairs access tokens are signed with under ES256, EdDSA or RS256, shared by
 * every instance. `slot` is the status while `next` or `current` and NULL once retired; its
 * unique key allows one current and one next key, whichever instance races to make them.
 */
export class SigningKeys1799000000000 implements MigrationInterface {
  name = 'SigningKeys1799000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'signing_keys',
        columns: [
          { name: 'kid', type: 'varchar', length: '64', isPrimary: true },
          { name: 'alg', type: 'varchar', length: '16' },
          { name: 'public_jwk', type: 'text' },
          { name: 'private_key', type: 'text' },
          { name: 'status', type: 'varchar', length: '16' },
          { name: 'slot', type: 'varchar', length: '16', isNullable: true },
          { name: 'created_at', type: 'datetime', precision: 3 },
          { name: 'activated_at', type: 'datetime', precision: 3, isNullable: true },
          { name: 'retired_at', type: 'datetime', precision: 3, isNullable: true },
        ],
        uniques: [new TableUnique({ name: 'UQ_signing_keys_slot', columnNames: ['slot'] })],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('signing_keys');
  }
}
