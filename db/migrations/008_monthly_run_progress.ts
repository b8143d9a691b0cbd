import type { Knex } from 'knex';

/**
 * Monthly run progress: where the run stands (keyset cursor, pages) so `run status` can answer from
 * the database once the workflow is closed, and an index for the run's page query.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('monthly_runs', (t) => {
    t.integer('pages').notNullable().defaultTo(0);
    t.date('cursor_due_date');
    t.string('cursor_policy_no', 32);
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  // The run pages through premiums still due, by (due_date, policy_no): most rows of past months are
  // paid, so the partial index stays small and the page query reads only what it returns.
  await knex.raw(`CREATE INDEX premium_dues_due_keyset ON premium_dues (due_date, policy_no) WHERE status = 'due'`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX IF EXISTS premium_dues_due_keyset');
  await knex.schema.alterTable('monthly_runs', (t) => {
    t.dropColumn('pages');
    t.dropColumn('cursor_due_date');
    t.dropColumn('cursor_policy_no');
    t.dropColumn('updated_at');
  });
}
