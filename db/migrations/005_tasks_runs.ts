import type { Knex } from 'knex';

/** Human follow-ups and the monthly runs that start cycles. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('tasks', (t) => {
    t.bigIncrements('id');
    t.enu('kind', ['call', 'visit', 'fix_account', 'fix_contact', 'escalation', 'underwriting', 'declaration'], {
      useNative: true,
      enumName: 'task_kind',
    }).notNullable();
    t.string('step', 48).notNullable();
    t.string('policy_no', 32).notNullable().references('policies.policy_no');
    t.date('due_date').notNullable();
    t.string('assignee_agent_code', 32);
    t.enu('assignee_role', ['agent', 'team_lead', 'operations', 'underwriter'], {
      useNative: true,
      enumName: 'task_assignee_role',
    }).notNullable();
    t.timestamp('due_at', { useTz: true }).notNullable();
    t.enu('status', ['open', 'done', 'cancelled'], { useNative: true, enumName: 'task_status' })
      .notNullable()
      .defaultTo('open');
    t.string('outcome_code', 32);
    t.string('workflow_id', 200).notNullable();
    t.string('run_id', 64).notNullable();
    t.string('activity_id', 64).notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('completed_at', { useTz: true });
    // A retried activity finds the task it already opened.
    t.unique(['workflow_id', 'step', 'kind']);
    t.index(['status', 'assignee_agent_code']);
  });
  await knex.schema.createTable('monthly_runs', (t) => {
    t.string('month', 7).primary();
    t.string('workflow_id', 200).notNullable();
    t.enu('status', ['running', 'paused', 'completed', 'cancelled'], { useNative: true, enumName: 'monthly_run_status' })
      .notNullable();
    t.integer('premiums_found').notNullable().defaultTo(0);
    t.integer('cycles_started').notNullable().defaultTo(0);
    t.integer('cycles_existing').notNullable().defaultTo(0);
    t.timestamp('started_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('finished_at', { useTz: true });
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('monthly_runs');
  await knex.schema.dropTable('tasks');
  for (const type of ['monthly_run_status', 'task_status', 'task_assignee_role', 'task_kind']) {
    await knex.raw(`DROP TYPE IF EXISTS ${type}`);
  }
}
