import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { connect, migrateLatest, type Db } from '../../db/connection';
import { databaseRoles } from '../../db/database-roles';
import { createApplicationLogin, createDatabase, dropDatabase } from '../../scripts/provision/postgres';

export interface TestDatabase {
  /**
   * As the worker and the CLI connect: the login `<database>_worker`, which has the application role
   * only (SELECT and INSERT on audit_events, no schema changes). Before migrations
   * (`migrate: false`) there is no such role yet: then the migration login, like `migrationDb`.
   */
  db: Db;
  /** `db`'s URL: give it to a worker or a CLI the test starts (DATABASE_URL). */
  url: string;
  /** The migration login (the test server's superuser), as `npm run db:migrate` uses it. */
  migrationDb: Db;
  migrationUrl: string;
  /**
   * As the owner role (the migration login with SET ROLE `<database>_owner`): for the few tests that
   * change the schema (extra constraints, triggers, tables) or tamper with the audit trail to prove
   * it shows; what the application cannot do. Opened on first use.
   */
  readonly owner: Db;
  name: string;
  drop(): Promise<void>;
}

/**
 * A fresh database for one test file, on the run's PostgreSQL server: migrated (by default) as the
 * migration login, with an application login made for it, as the local stack does.
 */
export async function freshDatabase(options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const serverUrl = inject('postgresUrl');
  const name = `renewals_test_${randomBytes(4).toString('hex')}`;
  const migrationUrl = await createDatabase(serverUrl, name);
  const migrationDb = connect(migrationUrl);
  const migrate = options.migrate ?? true;
  if (migrate) await migrateLatest(migrationDb);
  const url = migrate ? await createApplicationLogin(migrationUrl) : migrationUrl;
  const db = migrate ? connect(url) : migrationDb;
  let owner: Db | undefined;
  return {
    db,
    url,
    migrationDb,
    migrationUrl,
    get owner() {
      owner ??= connect(migrationUrl, { max: 2, role: databaseRoles(name).owner });
      return owner;
    },
    name,
    drop: async () => {
      await owner?.destroy();
      if (db !== migrationDb) await db.destroy();
      await migrationDb.destroy();
      await dropDatabase(serverUrl, name);
    },
  };
}
