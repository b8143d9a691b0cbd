import type { Knex } from 'knex';

/**
 * Outside a transaction, like 011: a value added to an enum cannot be used before its transaction
 * commits, and knex would otherwise run this in one transaction with any later migration.
 */
export const config = { transaction: false };

/**
 * One circuit per messaging provider (domain/provider-circuit.ts): open while the provider refuses
 * every message (balance, credentials), with the operations task that says so. That task belongs to
 * no policy, so a task's policy and due date may now be empty. And the lookup that makes audit rows
 * of a retried activity idempotent (appendAuditOnce): by workflow, run, activity and kind.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('provider_circuits', (t) => {
    t.string('provider', 32).primary();
    t.string('status', 16).notNullable().defaultTo('closed');
    t.string('code', 64);
    t.timestamp('opened_at', { useTz: true });
    t.timestamp('probe_at', { useTz: true });
    t.timestamp('probe_claimed_at', { useTz: true });
    t.integer('failed_probes').notNullable().defaultTo(0);
    // Numbers each opening, so each gets its own operations task.
    t.integer('openings').notNullable().defaultTo(0);
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw(`ALTER TABLE provider_circuits ADD CONSTRAINT provider_circuits_status CHECK (status IN ('closed', 'open', 'probing'))`);
  await knex.raw(`ALTER TYPE task_kind ADD VALUE IF NOT EXISTS 'provider_outage'`);
  await knex.raw('ALTER TABLE tasks ALTER COLUMN policy_no DROP NOT NULL, ALTER COLUMN due_date DROP NOT NULL');
  await knex.raw('CREATE INDEX IF NOT EXISTS audit_events_by_activity ON audit_events (workflow_id, run_id, activity_id, kind)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX IF EXISTS audit_events_by_activity');
  await knex('tasks').where({ kind: 'provider_outage' }).delete();
  await knex.raw('ALTER TABLE tasks ALTER COLUMN policy_no SET NOT NULL, ALTER COLUMN due_date SET NOT NULL');
  await knex.schema.dropTable('provider_circuits');
  // PostgreSQL cannot drop an enum value: 'provider_outage' stays in task_kind.
}
