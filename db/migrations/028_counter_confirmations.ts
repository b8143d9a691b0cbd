import type { Knex } from 'knex';

/**
 * Four-eyes on large counter payments (docs/business-rules.md#four-eyes): a counter payment for a
 * premium above the configured line is recorded here by one cashier and reaches the cycle only when a
 * second confirms it. People are opaque references (`user:42`), never names.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('counter_payments', (t) => {
    t.bigIncrements('id');
    t.string('policy_no', 32).notNullable().references('policies.policy_no');
    t.date('due_date').notNullable();
    t.string('reference', 64).notNullable();
    t.bigInteger('amount_fen').notNullable();
    t.string('status', 16).notNullable().defaultTo('awaiting');
    t.string('recorded_by', 64).notNullable();
    t.timestamp('recorded_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.string('decided_by', 64);
    t.timestamp('decided_at', { useTz: true });
    t.text('rejection_reason');
  });
  await knex.raw(`ALTER TABLE counter_payments ADD CONSTRAINT counter_payments_status CHECK (status IN ('awaiting', 'confirmed', 'rejected'))`);
  // The rule holds even for a hand-written UPDATE: no one confirms (or rejects) their own record.
  await knex.raw(`ALTER TABLE counter_payments ADD CONSTRAINT counter_payments_second_person CHECK (decided_by IS NULL OR decided_by <> recorded_by)`);
  await knex.raw(`ALTER TABLE counter_payments ADD CONSTRAINT counter_payments_decided CHECK ((status = 'awaiting') = (decided_at IS NULL))`);
  // One counter payment waiting per premium: a second receipt for the same premium is a question for a person.
  await knex.raw(`CREATE UNIQUE INDEX counter_payments_one_awaiting ON counter_payments (policy_no, due_date) WHERE status = 'awaiting'`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('counter_payments');
}
