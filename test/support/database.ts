import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { connect, migrateLatest, type Db } from '../../db/connection';
import { createDatabase, dropDatabase } from '../../scripts/provision/postgres';

export interface TestDatabase {
  db: Db;
  url: string;
  drop(): Promise<void>;
}

/** A fresh database for one test file, on the run's PostgreSQL server, optionally migrated. */
export async function freshDatabase(options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const serverUrl = inject('postgresUrl');
  const name = `renewals_test_${randomBytes(4).toString('hex')}`;
  const url = await createDatabase(serverUrl, name);
  const db = connect(url);
  if (options.migrate ?? true) await migrateLatest(db);
  return {
    db,
    url,
    drop: async () => {
      await db.destroy();
      await dropDatabase(serverUrl, name);
    },
  };
}
