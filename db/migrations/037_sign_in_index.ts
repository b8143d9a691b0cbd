import type { Knex } from 'knex';
import { buildIndexConcurrently } from './concurrent-index';

/** Outside a transaction: built CONCURRENTLY, so activities keep appending audit rows while it builds. */
export const config = { transaction: false };

/**
 * A person's last console sign-in (db/repositories/user-accounts.ts, the administration page): the
 * `console_signed_in` rows by actor. Without it the page read every row of the audit trail's system
 * partition (imports, runs, every sign-in since the start) to find each person's latest.
 */
const NAME = 'audit_events_console_sign_ins';

export async function up(knex: Knex): Promise<void> {
  await buildIndexConcurrently(knex, NAME, `ON audit_events (actor, occurred_at) WHERE kind = 'console_signed_in'`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`DROP INDEX CONCURRENTLY IF EXISTS ${NAME}`);
}
