import type { Knex } from 'knex';

/**
 * The key ring (docs/architecture.md#keys). `data_keys` holds one row per data key the database has
 * seen, by its public id, with a check value that recognises the key at start-up (a wrong key is
 * refused before it writes anything) and its state: `current` (exactly one: everything is written
 * under it), `retiring` (rows may still be under it: a rotation is under way, blind-index lookups
 * would miss them, so imports wait) and `retired` (no row is under it any more). The id `v1` stands
 * for values in the format without key ids, written under the key with that check value.
 * Import fingerprints are keyed hashes too: each now says which key computed it.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('data_keys', (t) => {
    t.string('key_id', 16).primary();
    t.string('check_value', 64).notNullable();
    t.string('state', 16).notNullable();
    t.timestamp('registered_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('retired_at', { useTz: true });
  });
  await knex.raw(`ALTER TABLE data_keys ADD CONSTRAINT data_keys_state CHECK (state IN ('current', 'retiring', 'retired'))`);
  await knex.raw(`CREATE UNIQUE INDEX data_keys_one_current ON data_keys (state) WHERE state = 'current'`);
  await knex.schema.alterTable('import_fingerprints', (t) => {
    // Null: computed before key ids existed (under the master key directly).
    t.string('key_id', 16);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('import_fingerprints', (t) => {
    t.dropColumn('key_id');
  });
  await knex.schema.dropTable('data_keys');
}
