import type { Knex } from 'knex';

/** Outside a transaction, like 030: a value added to an enum cannot be used before its transaction commits. */
export const config = { transaction: false };

/**
 * Printed letters (docs/architecture.md#letters): one row per letter contact attempt, holding the PDF
 * itself (`pdf`, bytea). The bytes live in the database rather than in a folder so that they are
 * written in the one transaction that records the letter, backed up and restored with the facts that
 * name them, and readable by every worker and by `renewals letters batch` wherever they run; a letter is
 * some 90–100 KB with its font subset. A batch copies them to the print house's outbox folder.
 * `batch_id` and `handed_over_at` are set when a batch takes the letter; `returned_at` and
 * `return_reason` when the post brings it back. A postal address is a contact point of type `postal`.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`ALTER TYPE contact_point_type ADD VALUE IF NOT EXISTS 'postal'`);
  await knex.schema.createTable('letter_batches', (t) => {
    t.string('id', 40).primary();
    t.string('print_house', 16).notNullable();
    t.date('batch_date').notNullable();
    t.integer('letters').notNullable();
    t.integer('pages').notNullable();
    t.string('sha256', 64).notNullable();
    t.string('folder', 500).notNullable();
    t.string('created_by', 64).notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.schema.createTable('letters', (t) => {
    t.bigIncrements('id');
    t.uuid('contact_attempt_id').notNullable().unique().references('contact_attempts.id');
    t.string('policy_no', 32).notNullable().references('policies.policy_no');
    t.string('template', 64).notNullable();
    t.date('letter_date').notNullable();
    t.string('print_house', 16).notNullable();
    t.integer('pages').notNullable();
    t.string('sha256', 64).notNullable();
    t.binary('pdf').notNullable();
    // The postal point the letter went to, flagged when it comes back (none: no address on file).
    t.bigInteger('contact_point_id').references('contact_points.id');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.string('batch_id', 40).references('letter_batches.id');
    t.timestamp('handed_over_at', { useTz: true });
    t.timestamp('returned_at', { useTz: true });
    t.string('return_reason', 32);
  });
  await knex.raw('ALTER TABLE letters ADD CONSTRAINT letters_handed_over_in_batch CHECK ((batch_id IS NULL) = (handed_over_at IS NULL))');
  // What the next batch takes: letters not yet handed over, per print house, oldest first.
  await knex.raw('CREATE INDEX letters_waiting ON letters (print_house, id) WHERE batch_id IS NULL');
  await knex.raw('CREATE INDEX letters_of_batch ON letters (batch_id)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('letters');
  await knex.schema.dropTable('letter_batches');
  await knex('contact_points').where({ type: 'postal' }).delete();
  // PostgreSQL cannot drop an enum value: 'postal' stays in contact_point_type.
}
