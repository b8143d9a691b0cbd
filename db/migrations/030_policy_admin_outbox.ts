import type { Knex } from 'knex';

/** Outside a transaction, like 015: a value added to an enum cannot be used before its transaction commits. */
export const config = { transaction: false };

/**
 * The changes the policy administration system must make (docs/architecture.md#policy-administration):
 * one row per change, written in the transaction of the fact it reports and delivered by the relay.
 * `event_id` is derived from the fact, so a retried activity writes its row once. The payload holds
 * business facts only (dates, fen, codes): the policy number is the one personal-adjacent value.
 * A row is pending (neither delivered nor dead), delivered, or dead (operations re-drive it).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('policy_admin_outbox', (t) => {
    t.bigIncrements('id');
    t.string('event_id', 80).notNullable().unique();
    t.string('kind', 32).notNullable();
    t.string('policy_no', 32).notNullable().references('policies.policy_no');
    t.jsonb('payload').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.integer('attempts').notNullable().defaultTo(0);
    t.timestamp('next_attempt_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('delivered_at', { useTz: true });
    t.timestamp('dead_at', { useTz: true });
    t.string('last_error', 200);
    // The administration system's reference for the change, from its answer.
    t.string('admin_reference', 64);
  });
  await knex.raw(`ALTER TABLE policy_admin_outbox ADD CONSTRAINT policy_admin_outbox_kind
    CHECK (kind IN ('policy_suspended', 'policy_reinstated', 'reduced_paid_up_requested', 'premium_loan_booked'))`);
  await knex.raw('ALTER TABLE policy_admin_outbox ADD CONSTRAINT policy_admin_outbox_settled_once CHECK (delivered_at IS NULL OR dead_at IS NULL)');
  // What the relay claims: pending rows by when they are due.
  await knex.raw('CREATE INDEX policy_admin_outbox_pending ON policy_admin_outbox (next_attempt_at, id) WHERE delivered_at IS NULL AND dead_at IS NULL');
  await knex.raw('CREATE INDEX policy_admin_outbox_by_policy ON policy_admin_outbox (policy_no, id)');
  await knex.raw(`ALTER TYPE task_kind ADD VALUE IF NOT EXISTS 'policy_admin_undelivered'`);
}

export async function down(knex: Knex): Promise<void> {
  await knex('tasks').where({ kind: 'policy_admin_undelivered' }).delete();
  await knex.schema.dropTable('policy_admin_outbox');
  // PostgreSQL cannot drop an enum value: 'policy_admin_undelivered' stays in task_kind.
}
