import { Client, Connection } from '@temporalio/client';
import { PiiCipher } from '../db/pii-cipher';
import { connect, type Db } from '../db/connection';
import { readSettings, requireDatabaseUrl, SettingsError, type Settings } from '../config/settings';
import { renewalsDataConverter } from '../workers/data-converter';
import { CliError } from './errors';

/**
 * The settings a command runs with, read from the environment when it runs (so `--help` and argument
 * errors never need a server, and each command sees the environment as it is then).
 */
export function settings(): Settings {
  try {
    return readSettings(process.env);
  } catch (error) {
    if (error instanceof SettingsError) throw new CliError(error.message);
    throw error;
  }
}

/** The database every command works on: DATABASE_URL, as `npm run stack` prints it. */
export function databaseUrl(): string {
  try {
    return requireDatabaseUrl(settings());
  } catch (error) {
    if (error instanceof SettingsError) throw new CliError(error.message);
    throw error;
  }
}

/** How long an operator command waits for a worker to answer (RENEWALS_UPDATE_TIMEOUT_MS). */
export function updateOptions(): { updateTimeoutMs: number } {
  return { updateTimeoutMs: settings().temporal.updateTimeoutMs };
}

/** Personal data encrypted and decrypted under the configured data key. */
export function cipher(): PiiCipher {
  return PiiCipher.forKey(settings().dataKey);
}

export async function withDatabase<T>(work: (db: Db) => Promise<T>): Promise<T> {
  const db = connect(databaseUrl(), { max: 4 });
  try {
    return await work(db);
  } finally {
    await db.destroy();
  }
}

/**
 * The Temporal server commands signal and query: TEMPORAL_ADDRESS (default localhost:7233). Its
 * data converter opens the failures workers seal, so a refused update still says why.
 */
export async function withTemporalClient<T>(work: (client: Client) => Promise<T>): Promise<T> {
  const { temporal, dataKey } = settings();
  const { address, namespace } = temporal;
  let connection: Connection;
  try {
    connection = await Connection.connect({ address, connectTimeout: '5 seconds' });
  } catch (error) {
    throw new CliError(`cannot reach Temporal at ${address} (set TEMPORAL_ADDRESS, or start the stack): ${(error as Error).message}`);
  }
  try {
    return await work(new Client({ connection, namespace, dataConverter: renewalsDataConverter(dataKey) }));
  } finally {
    await connection.close();
  }
}
