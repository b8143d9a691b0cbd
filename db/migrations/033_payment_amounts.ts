import type { Knex } from 'knex';

/** Outside a transaction, like 015 and 032: a value added to an enum cannot be used before its transaction commits. */
export const config = { transaction: false };

/**
 * Payments with amounts (docs/business-rules.md#payment-amounts). A premium is paid when its payments
 * not reversed add up to its amount; `payments.received_at` is the instant the customer paid.
 *
 * The suspense ledger: money received that pays no premium (more than was owed, or a premium already
 * settled), one row per payment reference and way, ever, each with a refund task for operations. A
 * suspension can end `undone`: a payment made within grace and reported after it.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('suspense_entries', (t) => {
    t.bigIncrements('id');
    t.string('policy_no', 32).notNullable().references('policies.policy_no');
    t.bigInteger('premium_due_id').references('premium_dues.id');
    t.bigInteger('amount_fen').notNullable();
    t.timestamp('paid_at', { useTz: true }).notNullable();
    t.string('via', 16).notNullable();
    t.string('reference', 64).notNullable();
    t.string('reason', 32).notNullable();
    t.string('status', 16).notNullable().defaultTo('open');
    t.bigInteger('task_id').references('tasks.id');
    t.string('recorded_by', 64).notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['via', 'reference']);
  });
  await knex.raw(`ALTER TABLE suspense_entries ADD CONSTRAINT suspense_entries_amount CHECK (amount_fen > 0)`);
  await knex.raw(`ALTER TABLE suspense_entries ADD CONSTRAINT suspense_entries_reason CHECK (reason IN ('over_payment', 'already_paid', 'after_lapse', 'refused_by_cycle'))`);
  await knex.raw(`ALTER TABLE suspense_entries ADD CONSTRAINT suspense_entries_status CHECK (status IN ('open', 'refunded'))`);
  await knex.raw(`CREATE INDEX suspense_entries_open ON suspense_entries (created_at) WHERE status = 'open'`);
  await knex.raw(`ALTER TYPE task_kind ADD VALUE IF NOT EXISTS 'payment_refund'`);
  await knex.raw(`ALTER TYPE suspension_outcome ADD VALUE IF NOT EXISTS 'undone'`);
  // The policy system is told a suspension was undone, as it was told of it.
  await knex.raw(`ALTER TABLE policy_admin_outbox DROP CONSTRAINT policy_admin_outbox_kind`);
  await knex.raw(`ALTER TABLE policy_admin_outbox ADD CONSTRAINT policy_admin_outbox_kind
    CHECK (kind IN ('policy_suspended', 'suspension_undone', 'policy_reinstated', 'reduced_paid_up_requested', 'premium_loan_booked'))`);
}

export async function down(knex: Knex): Promise<void> {
  await knex('policy_admin_outbox').where({ kind: 'suspension_undone' }).delete();
  await knex.raw(`ALTER TABLE policy_admin_outbox DROP CONSTRAINT policy_admin_outbox_kind`);
  await knex.raw(`ALTER TABLE policy_admin_outbox ADD CONSTRAINT policy_admin_outbox_kind
    CHECK (kind IN ('policy_suspended', 'policy_reinstated', 'reduced_paid_up_requested', 'premium_loan_booked'))`);
  await knex.schema.dropTable('suspense_entries');
  await knex('tasks').where({ kind: 'payment_refund' }).delete();
  // PostgreSQL cannot drop an enum value: 'payment_refund' and 'undone' stay.
}
