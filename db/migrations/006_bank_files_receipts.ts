import type { Knex } from 'knex';

/**
 * Bank files exchanged (pain.008 out, pain.002 / camt.054 in) with their control totals, returns
 * and reversals written back to debits and payments, and messaging delivery receipts.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('bank_files', (t) => {
    t.bigIncrements('id');
    t.enu('direction', ['out', 'in'], { useNative: true, enumName: 'bank_file_direction' }).notNullable();
    t.string('message_type', 32).notNullable(); // pain.008.001.02, pain.002.001.03, camt.054.001.02
    t.string('message_id', 35).notNullable(); // GrpHdr/MsgId: unique per file and direction
    t.string('original_message_id', 35); // the pain.008 a status report answers
    t.date('collection_date');
    t.integer('nb_of_txs').notNullable();
    t.bigInteger('ctrl_sum_fen').notNullable();
    t.string('sha256', 64).notNullable();
    t.string('file_name', 255);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['direction', 'message_id']);
  });
  await knex.schema.alterTable('debit_attempts', (t) => {
    // The pain.008 that carried this attempt (file banks); null for gateway banks.
    t.bigInteger('bank_file_id').references('bank_files.id').index();
    t.timestamp('returned_at', { useTz: true });
    t.string('return_code', 32);
  });
  await knex.schema.alterTable('payments', (t) => {
    // A return or reversal: the payment stays on record, marked reversed; the premium is open again.
    t.timestamp('reversed_at', { useTz: true });
    t.string('reversal_reason', 32);
  });
  await knex.schema.createTable('contact_receipts', (t) => {
    t.bigIncrements('id');
    t.string('provider', 32).notNullable();
    t.string('provider_message_id', 200).notNullable();
    t.uuid('contact_id').references('contact_attempts.id');
    t.boolean('delivered').notNullable();
    t.string('code', 64).notNullable();
    t.timestamp('reported_at', { useTz: true }).notNullable();
    t.timestamp('received_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    // Providers push the same receipt more than once: one row per message and status.
    t.unique(['provider', 'provider_message_id', 'delivered', 'code']);
    t.index(['contact_id']);
    t.index(['provider_message_id']);
  });
  // Receipts and status checks find attempts by the provider's message ID.
  await knex.schema.alterTable('contact_attempts', (t) => {
    t.index(['provider_message_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('contact_attempts', (t) => {
    t.dropIndex(['provider_message_id']);
  });
  await knex.schema.dropTable('contact_receipts');
  await knex.schema.alterTable('payments', (t) => {
    t.dropColumn('reversed_at');
    t.dropColumn('reversal_reason');
  });
  await knex.schema.alterTable('debit_attempts', (t) => {
    t.dropColumn('bank_file_id');
    t.dropColumn('returned_at');
    t.dropColumn('return_code');
  });
  await knex.schema.dropTable('bank_files');
  await knex.raw('DROP TYPE IF EXISTS bank_file_direction');
}
