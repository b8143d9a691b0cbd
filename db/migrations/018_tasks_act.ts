import type { Knex } from 'knex';

/**
 * Outside a transaction, like 011 and 015: a value added to an enum cannot be used before its
 * transaction commits, and knex would otherwise run this in one transaction with a later migration.
 */
export const config = { transaction: false };

/**
 * Tasks that act (docs/business-rules.md#tasks-that-act): a task closes itself as `settled` when its
 * premium is paid or its cycle closes; a customer who says they paid elsewhere opens a
 * `payment_confirmation` task for operations; a task carries its priority (domain/task-priority.ts)
 * and, once overdue, when and from whom it was escalated to the team lead. A policy whose holder can
 * no longer be reached by phone (a wrong number) is flagged lost contact until a point is updated.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`ALTER TYPE task_status ADD VALUE IF NOT EXISTS 'settled'`);
  await knex.raw(`ALTER TYPE task_kind ADD VALUE IF NOT EXISTS 'payment_confirmation'`);
  await knex.schema.alterTable('tasks', (t) => {
    t.integer('priority').notNullable().defaultTo(0);
    t.timestamp('escalated_at', { useTz: true });
    t.string('escalated_from', 32);
  });
  await knex.raw('CREATE INDEX IF NOT EXISTS tasks_open_by_due ON tasks (due_at) WHERE status = \'open\'');
  await knex.schema.alterTable('policies', (t) => {
    t.timestamp('lost_contact_at', { useTz: true });
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('policies', (t) => {
    t.dropColumn('lost_contact_at');
  });
  await knex.raw('DROP INDEX IF EXISTS tasks_open_by_due');
  await knex('tasks').where({ kind: 'payment_confirmation' }).delete();
  await knex.raw(`UPDATE tasks SET status = 'done' WHERE status::text = 'settled'`);
  await knex.schema.alterTable('tasks', (t) => {
    t.dropColumn('escalated_from');
    t.dropColumn('escalated_at');
    t.dropColumn('priority');
  });
  // PostgreSQL cannot drop an enum value: 'settled' and 'payment_confirmation' stay (dropped with their types by 005).
}
