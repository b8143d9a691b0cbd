import knex, { type Knex } from 'knex';
import pg from 'pg';
import { migrationSource } from './migrations';

// Return BIGINT (money in fen, ids) as JS numbers: fen amounts stay far below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number.parseInt(value, 10));
// Return DATE columns as the civil date text 'YYYY-MM-DD', never as a Date shifted by the local zone.
pg.types.setTypeParser(pg.types.builtins.DATE, (value) => value);

export type Db = Knex;

export function connect(url: string, pool: { min?: number; max?: number } = {}): Db {
  return knex({
    client: 'pg',
    connection: url,
    pool: { min: pool.min ?? 0, max: pool.max ?? 10 },
    migrations: { migrationSource, tableName: 'knex_migrations' },
  });
}

export async function migrateLatest(db: Db): Promise<string[]> {
  const [, applied] = (await db.migrate.latest()) as [number, string[]];
  return applied;
}
