import type { Knex } from 'knex';

/**
 * Indexes for the daily and monthly reports (reports/): each lets a report find one
 * day's rows or one month's lapses without reading the whole table. Monthly figures scan the
 * month's premiums anyway; these keep the small lookups small as the history grows.
 */
export async function up(knex: Knex): Promise<void> {
  // Daily: payments received during a day (leaving grace paid).
  await knex.raw('CREATE INDEX payments_received_at ON payments (received_at)');
  // Daily: bank answers and returns recorded during a day.
  await knex.raw('CREATE INDEX debit_attempts_resolved_at ON debit_attempts (resolved_at) WHERE resolved_at IS NOT NULL');
  await knex.raw('CREATE INDEX debit_attempts_returned_at ON debit_attempts (returned_at) WHERE returned_at IS NOT NULL');
  // Daily: contacts planned for a day.
  await knex.raw('CREATE INDEX contact_attempts_planned_at ON contact_attempts (planned_at)');
  // Monthly: a month's lapses by due date; daily: the lapses of a day. Only suspensions, a small slice of the trail.
  await knex.raw(`CREATE INDEX audit_events_suspended_due ON audit_events (due_date, policy_no) INCLUDE (occurred_at)
    WHERE kind = 'policy_suspended'`);
  await knex.raw(`CREATE INDEX audit_events_suspended_at ON audit_events (occurred_at) WHERE kind = 'policy_suspended'`);
  // Daily: open tasks (exceptions) without reading the closed ones.
  await knex.raw(`CREATE INDEX tasks_open_due_at ON tasks (due_at) WHERE status = 'open'`);
}

export async function down(knex: Knex): Promise<void> {
  for (const index of [
    'tasks_open_due_at',
    'audit_events_suspended_at',
    'audit_events_suspended_due',
    'contact_attempts_planned_at',
    'debit_attempts_returned_at',
    'debit_attempts_resolved_at',
    'payments_received_at',
  ]) {
    await knex.raw(`DROP INDEX IF EXISTS ${index}`);
  }
}
