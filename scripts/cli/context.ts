import { connect, type Db } from '../../db/connection';
import { CliError } from './errors';

/**
 * The database every command works on: DATABASE_URL, as `npm run stack` prints it. Commands open it
 * late (only when they run) so `--help` and argument errors never need a server.
 */
export function databaseUrl(env: NodeJS.ProcessEnv = process.env): string {
  const url = env.DATABASE_URL;
  if (!url) throw new CliError('DATABASE_URL is not set: start the local stack (npm run stack) and export the address it prints');
  return url;
}

export async function withDatabase<T>(work: (db: Db) => Promise<T>): Promise<T> {
  const db = connect(databaseUrl(), { max: 4 });
  try {
    return await work(db);
  } finally {
    await db.destroy();
  }
}
