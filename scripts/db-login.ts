/**
 * npm run db:login: on a migrated database, makes the application's login `<database>_worker` with
 * the password DATABASE_APP_PASSWORD and the application role only (or sets the password of the one
 * there), as DATABASE_MIGRATION_URL (DATABASE_URL when unset): a superuser or a login with
 * CREATEROLE. docker compose runs it after the migrations; elsewhere a DBA makes the logins (README,
 * Database roles).
 */
import { readSettings, redactUrl, requireMigrationDatabaseUrl } from '../config/settings';
import { createApplicationLogin } from './provision/postgres';

async function main(): Promise<void> {
  const settings = readSettings();
  const password = settings.databaseAppPassword;
  if (!password) throw new Error('DATABASE_APP_PASSWORD is not set: the password of the application login to make');
  const url = await createApplicationLogin(requireMigrationDatabaseUrl(settings), { password });
  console.log(`application login ready: ${redactUrl(url)}`);
}

main().catch((error: unknown) => {
  process.stderr.write(`db:login failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
