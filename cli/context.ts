import { Client, Connection } from '@temporalio/client';
import { readAuditKeys } from '../config/audit-keys';
import { configuredKeys, requireDataKey } from '../config/data-keys';
import { requireCreditor } from '../config/demo-defaults';
import { KeyRingRefused, openKeyRing } from '../db/key-ring';
import { PiiCipher } from '../db/pii-cipher';
import { retiringKeys } from '../db/repositories/data-keys';
import { connect, type Db } from '../db/connection';
import { readSettings, requireDatabaseUrl, requireMigrationDatabaseUrl, SettingsError, type CreditorSettings, type Settings } from '../config/settings';
import { renewalsDataConverter } from '../workers/data-converter';
import { CliError } from './errors';

/**
 * The settings a command runs with, read from the environment when it runs (so `--help` and argument
 * errors never need a server, and each command sees the environment as it is then).
 */
export function settings(): Settings {
  return asCliError(() => readSettings(process.env));
}

/** The database every command works on: DATABASE_URL, as `npm run stack` prints it. */
export function databaseUrl(): string {
  return asCliError(() => requireDatabaseUrl(settings()));
}

/** The login migrations run as: DATABASE_MIGRATION_URL, else DATABASE_URL. */
export function migrationDatabaseUrl(): string {
  return asCliError(() => requireMigrationDatabaseUrl(settings()));
}

/** How long an operator command waits for a worker to answer (RENEWALS_UPDATE_TIMEOUT_MS). */
export function updateOptions(): { updateTimeoutMs: number } {
  return { updateTimeoutMs: settings().temporal.updateTimeoutMs };
}

/** A SettingsError as the CLI's one-line error. */
function asCliError<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof SettingsError) throw new CliError(error.message);
    throw error;
  }
}

/**
 * The start-up check of every command but the demo's: outside RENEWALS_ENV=demo, RENEWALS_DATA_KEY
 * must be set (and not be the development key) before anything else happens; so must
 * RENEWALS_AUDIT_KEY, which signs the audit chain's heads (config/audit-keys.ts).
 */
export function requireDataKeyOutsideDemo(): void {
  asCliError(() => {
    requireDataKey(settings());
    readAuditKeys();
  });
}

/** The insurer's collection account for pain.008: outside RENEWALS_ENV=demo never the demo's (BANK_CREDITOR_*). */
export function creditor(): CreditorSettings {
  return asCliError(() => requireCreditor(settings()));
}

/** The configured keys as a cipher, not yet checked against a database (`keys status` reads with it). */
export function configuredCipher(): PiiCipher {
  return asCliError(() => PiiCipher.forKeys(configuredKeys(settings())));
}

/**
 * Personal data encrypted and decrypted under the configured keys, once the database's key ring has
 * accepted them (db/key-ring.ts: a wrong key is refused here). `index`: the command looks rows up by
 * keyed hash (imports, contact checks), which would miss rows during a rotation: refused until it ends.
 */
export async function cipherFor(db: Db, use: 'decrypt' | 'index' = 'decrypt'): Promise<PiiCipher> {
  const cipher = configuredCipher();
  try {
    const ring = await openKeyRing(db, cipher);
    if (use === 'index') refuseDuringRotation(ring.retiring);
    return cipher;
  } catch (error) {
    if (error instanceof KeyRingRefused) throw new CliError(error.message);
    throw error;
  }
}

/**
 * For a command that compares stored keyed hashes without a key of its own (contacts
 * check-quality): refused while a rotation is under way, when rows are indexed under two keys.
 */
export async function requireNoRotation(db: Db): Promise<void> {
  refuseDuringRotation(await retiringKeys(db));
}

function refuseDuringRotation(retiring: readonly string[]): void {
  if (retiring.length === 0) return;
  throw new CliError(`a key rotation is under way (rows may still be under key ${retiring.join(', ')}): finish it with \`renewals keys rotate\` first, so that lookups by keyed hash find every row`);
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
  const { temporal } = settings();
  const { address, namespace } = temporal;
  let connection: Connection;
  try {
    connection = await Connection.connect({ address, connectTimeout: '5 seconds' });
  } catch (error) {
    throw new CliError(`cannot reach Temporal at ${address} (set TEMPORAL_ADDRESS, or start the stack): ${(error as Error).message}`);
  }
  try {
    return await work(new Client({ connection, namespace, dataConverter: renewalsDataConverter(configuredCipher()) }));
  } finally {
    await connection.close();
  }
}
