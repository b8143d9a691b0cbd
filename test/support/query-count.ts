import type { Knex } from 'knex';

/** One statement sent to PostgreSQL: its SQL (bindings left out: they may hold personal data). */
export interface CountedQuery {
  sql: string;
}

/**
 * Counts the round trips to the database while `work` runs: every statement knex sends (BEGIN and
 * COMMIT included, each its own round trip) is one 'query' event. The budget tests of the hot paths
 * (docs/architecture.md#hot-paths) read it.
 */
export async function countQueries<T>(db: Knex, work: () => Promise<T>): Promise<{ result: T; queries: CountedQuery[] }> {
  const queries: CountedQuery[] = [];
  const listener = (query: { sql: string }) => queries.push({ sql: query.sql });
  db.on('query', listener);
  try {
    const result = await work();
    return { result, queries };
  } finally {
    db.off('query', listener);
  }
}
