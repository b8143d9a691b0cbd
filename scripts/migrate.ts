/**
 * npm run db:migrate: applies the schema migrations as DATABASE_MIGRATION_URL's login (DATABASE_URL
 * when unset), a member of the database's owner role or a superuser, and says which ran.
 */
import { connect, migrateLatest } from '../db/connection';
import { readAuditKeys } from '../config/audit-keys';
import { requireDataKey } from '../config/data-keys';
import { readSettings, redactUrl, requireMigrationDatabaseUrl } from '../config/settings';

async function main(): Promise<void> {
  const settings = readSettings();
  // Like every command: outside RENEWALS_ENV=demo, not without a data key.
  requireDataKey(settings);
  // Migration 023 signs the audit chain's first heads: not without the audit key either.
  readAuditKeys();
  const url = requireMigrationDatabaseUrl(settings);
  const db = connect(url);
  try {
    const applied = await migrateLatest(db);
    console.log(applied.length ? `applied to ${redactUrl(url)}: ${applied.join(', ')}` : `${redactUrl(url)} is up to date`);
  } finally {
    await db.destroy();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`migrate failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
