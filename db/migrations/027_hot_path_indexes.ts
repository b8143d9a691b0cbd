import type { Knex } from 'knex';
import { buildIndexConcurrently } from './concurrent-index';

/**
 * Outside a transaction: the indexes are built CONCURRENTLY, so a production book of millions of
 * policies keeps taking writes (cycles, imports) while they build.
 */
export const config = { transaction: false };

/**
 * Indexes for the hot paths (docs/architecture.md#hot-paths), found by EXPLAINing every query of a
 * contact step, a debit, a cycle's opening, a monthly run, the task sweep and the reports on a seeded
 * book (test/db/hot-queries.test.ts):
 * - policies by holder: the contact caps count what was sent to the holder on any of their policies
 *   (sentContactsOfHolder, for every channel of every send), and a lost or found mobile flags the
 *   holder's policies (flagLostContact, clearLostContact); without it each read the whole table.
 * - contacts waiting for a provider: when a circuit closes, the cycles with a contact still pending
 *   on it are told (cyclesWaitingFor); pending rows are a sliver of the table.
 */
const INDEXES: readonly (readonly [name: string, definition: string])[] = [
  ['policies_holder', 'ON policies (holder_customer_id)'],
  ['contact_attempts_pending', `ON contact_attempts (provider_code) WHERE status = 'pending'`],
];

export async function up(knex: Knex): Promise<void> {
  for (const [name, definition] of INDEXES) await buildIndexConcurrently(knex, name, definition);
}

export async function down(knex: Knex): Promise<void> {
  for (const [name] of [...INDEXES].reverse()) await knex.raw(`DROP INDEX CONCURRENTLY IF EXISTS ${name}`);
}
