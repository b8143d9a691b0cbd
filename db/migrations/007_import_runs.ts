import type { Knex } from 'knex';

/**
 * Imports of policies.csv, agents.csv and products.csv: one row per run (what file, what came of
 * it, the rejected rows by row/column/reason, never their values), and the fingerprint of the
 * source row each policy or agent was last written from, so re-importing an unchanged row is
 * recognised without decrypting anything and writes nothing.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('import_runs', (t) => {
    t.bigIncrements('id');
    t.enu('kind', ['policies', 'agents', 'products'], { useNative: true, enumName: 'import_kind' }).notNullable();
    t.string('file_name', 255).notNullable();
    t.string('sha256', 64);
    t.string('encoding', 16);
    t.enu('status', ['running', 'finished', 'failed'], { useNative: true, enumName: 'import_status' }).notNullable().defaultTo('running');
    t.integer('rows').notNullable().defaultTo(0);
    t.integer('inserted').notNullable().defaultTo(0);
    t.integer('updated').notNullable().defaultTo(0);
    t.integer('unchanged').notNullable().defaultTo(0);
    t.integer('rejected_rows').notNullable().defaultTo(0);
    // [{row, column, reason}], capped (rejected_count holds the full number of problems).
    t.jsonb('rejected').notNullable().defaultTo('[]');
    t.integer('rejected_count').notNullable().defaultTo(0);
    // Why a whole file failed (unreadable, bad header): a message without row values.
    t.text('failure');
    t.timestamp('started_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('finished_at', { useTz: true });
    // "Was this exact file imported before, and when?"
    t.index(['sha256', 'started_at']);
    t.index(['kind', 'started_at']);
  });
  await knex.schema.createTable('import_fingerprints', (t) => {
    t.enu('kind', null, { useNative: true, existingType: true, enumName: 'import_kind' }).notNullable();
    t.string('row_key', 32).notNullable();
    // Keyed hash (HMAC) of the validated record: equal rows match, values cannot be guessed back.
    t.string('fingerprint', 64).notNullable();
    t.bigInteger('import_run_id').notNullable().references('import_runs.id');
    t.primary(['kind', 'row_key']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('import_fingerprints');
  await knex.schema.dropTable('import_runs');
  await knex.raw('DROP TYPE IF EXISTS import_status');
  await knex.raw('DROP TYPE IF EXISTS import_kind');
}
