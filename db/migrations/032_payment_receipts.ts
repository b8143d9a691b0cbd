import type { Knex } from 'knex';

/** Outside a transaction, like 015 and 030: a value added to an enum cannot be used before its transaction commits. */
export const config = { transaction: false };

/**
 * Receipts imported from a bank statement or a counter's receipt list (docs/business-rules.md#receipts-import):
 * one row per reference, ever (a file imported twice pays nothing twice). `pending` while its payment is
 * being sent to the cycle, then `paid` (the premium it paid) or `suspense` (put aside with its reason and
 * an operations task). The policy number is kept as the file gave it, known or not.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('payment_receipts', (t) => {
    t.bigIncrements('id');
    t.string('reference', 64).notNullable().unique();
    t.string('policy_no', 32).notNullable();
    t.bigInteger('amount_fen').notNullable();
    t.timestamp('paid_at', { useTz: true }).notNullable();
    t.string('via', 16).notNullable();
    t.string('outcome', 16).notNullable();
    t.bigInteger('premium_due_id').references('premium_dues.id');
    t.string('suspense_reason', 32);
    t.bigInteger('task_id').references('tasks.id');
    t.specificType('file_sha256', 'char(64)').notNullable();
    t.integer('row_no').notNullable();
    t.string('imported_by', 64).notNullable();
    t.timestamp('imported_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw(`ALTER TABLE payment_receipts ADD CONSTRAINT payment_receipts_via CHECK (via IN ('counter', 'online', 'transfer'))`);
  await knex.raw(`ALTER TABLE payment_receipts ADD CONSTRAINT payment_receipts_outcome CHECK (outcome IN ('pending', 'paid', 'suspense'))`);
  await knex.raw(`ALTER TABLE payment_receipts ADD CONSTRAINT payment_receipts_amount CHECK (amount_fen > 0)`);
  await knex.raw(`ALTER TABLE payment_receipts ADD CONSTRAINT payment_receipts_suspense_reason
    CHECK ((outcome = 'suspense') = (suspense_reason IS NOT NULL))`);
  await knex.raw(`CREATE INDEX payment_receipts_suspense ON payment_receipts (imported_at) WHERE outcome = 'suspense'`);
  await knex.raw(`ALTER TYPE task_kind ADD VALUE IF NOT EXISTS 'payment_suspense'`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('payment_receipts');
  await knex('tasks').where({ kind: 'payment_suspense' }).delete();
  // PostgreSQL cannot drop an enum value: 'payment_suspense' stays in task_kind.
}
