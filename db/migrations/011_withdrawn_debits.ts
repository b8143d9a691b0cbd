import type { Knex } from 'knex';

/**
 * Outside a transaction: a value added to an enum cannot be used before its transaction commits, and
 * knex would otherwise run this in one transaction with any later migration of the same batch.
 */
export const config = { transaction: false };

/**
 * A debit waiting for the day's bank file can be taken back when a hold comes (a claim, a
 * servicing change): it is then 'withdrawn', out of the in-flight index, never exported.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`ALTER TYPE debit_status ADD VALUE IF NOT EXISTS 'withdrawn'`);
}

export async function down(): Promise<void> {
  // PostgreSQL cannot drop an enum value: 'withdrawn' stays in debit_status (dropped with it by 003).
}
