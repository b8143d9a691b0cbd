import type { Knex } from 'knex';

/** Outside a transaction: built CONCURRENTLY, so activities keep appending audit rows while it builds. */
export const config = { transaction: false };

/**
 * A person's last console sign-in (db/repositories/user-accounts.ts, the administration page): the
 * `console_signed_in` rows by actor. Without it the page read every row of the audit trail's system
 * partition (imports, runs, every sign-in since the start) to find each person's latest.
 */
const NAME = 'audit_events_console_sign_ins';

export async function up(knex: Knex): Promise<void> {
  // A concurrent build that failed half-way leaves an invalid index behind: it is built again.
  const { rows } = await knex.raw<{ rows: { valid: boolean }[] }>(
    `SELECT i.indisvalid AS valid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = ? AND c.relnamespace = current_schema()::regnamespace`,
    [NAME],
  );
  if (rows[0]?.valid) return;
  if (rows[0]) await knex.raw(`DROP INDEX CONCURRENTLY IF EXISTS ${NAME}`);
  await knex.raw(`CREATE INDEX CONCURRENTLY ${NAME} ON audit_events (actor, occurred_at) WHERE kind = 'console_signed_in'`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`DROP INDEX CONCURRENTLY IF EXISTS ${NAME}`);
}
