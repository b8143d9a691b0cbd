import type { Knex } from 'knex';

/**
 * Builds an index CONCURRENTLY (its migration runs outside a transaction), so a production table keeps
 * taking writes while it builds. A concurrent build that failed half-way leaves an invalid index
 * behind: it is dropped and built again; a valid one is left alone.
 */
export async function buildIndexConcurrently(knex: Knex, name: string, definition: string): Promise<void> {
  const { rows } = await knex.raw<{ rows: { valid: boolean }[] }>(
    `SELECT i.indisvalid AS valid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = ? AND c.relnamespace = current_schema()::regnamespace`,
    [name],
  );
  if (rows[0]?.valid) return;
  if (rows[0]) await knex.raw(`DROP INDEX CONCURRENTLY IF EXISTS ${name}`);
  await knex.raw(`CREATE INDEX CONCURRENTLY ${name} ${definition}`);
}
