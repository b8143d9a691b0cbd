import { Client, Connection } from '@temporalio/client';
import { connect, type Db } from '../db/connection';
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

/** The Temporal server commands signal and query: TEMPORAL_ADDRESS (default localhost:7233). */
export async function withTemporalClient<T>(work: (client: Client) => Promise<T>): Promise<T> {
  const address = process.env.TEMPORAL_ADDRESS ?? 'localhost:7233';
  let connection: Connection;
  try {
    connection = await Connection.connect({ address, connectTimeout: '5 seconds' });
  } catch (error) {
    throw new CliError(`cannot reach Temporal at ${address} (set TEMPORAL_ADDRESS, or start the stack): ${(error as Error).message}`);
  }
  try {
    return await work(new Client({ connection, namespace: process.env.TEMPORAL_NAMESPACE ?? 'default' }));
  } finally {
    await connection.close();
  }
}
