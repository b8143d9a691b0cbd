import type { Knex } from 'knex';

/**
 * Indexes for the team reports (reports/weekly.ts, persistency.ts, lapse-reasons.ts,
 * task-performance.ts; docs/business-rules.md#team-reports): a cohort's policies by issue date,
 * a week's or month's tasks by when they were opened and completed, and a month's refusals.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('CREATE INDEX IF NOT EXISTS policies_issue_date ON policies (issue_date)');
  await knex.raw('CREATE INDEX IF NOT EXISTS tasks_created_at ON tasks (created_at)');
  await knex.raw('CREATE INDEX IF NOT EXISTS tasks_completed_at ON tasks (completed_at) WHERE completed_at IS NOT NULL');
  await knex.raw(`CREATE INDEX IF NOT EXISTS audit_events_refused_at ON audit_events (occurred_at) WHERE kind = 'customer_refused'`);
}

export async function down(knex: Knex): Promise<void> {
  for (const index of ['audit_events_refused_at', 'tasks_completed_at', 'tasks_created_at', 'policies_issue_date']) {
    await knex.raw(`DROP INDEX IF EXISTS ${index}`);
  }
}
