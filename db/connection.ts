import knex, { type Knex } from 'knex';
import pg from 'pg';
import { readAuditKeys } from '../config/audit-keys';
import { AuditHeadKey } from './audit-chain';
import { ident, rolesOf, roleExists } from './database-roles';
import { migrationSource, OWNER_MIGRATIONS_AFTER } from './migrations';

// Return BIGINT (money in fen, ids) as JS numbers: fen amounts stay far below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number.parseInt(value, 10));
// Return DATE columns as the civil date text 'YYYY-MM-DD', never as a Date shifted by the local zone.
pg.types.setTypeParser(pg.types.builtins.DATE, (value) => value);

export type Db = Knex;

/**
 * A pool of connections to `url`. `role`: every connection acts as this role (SET ROLE) — for a
 * login that is a member of it, e.g. a test acting as the owner role. Every connection is handed the
 * audit key the chain trigger signs partition heads with (docs/architecture.md#the-audit-chain):
 * `auditKey`, or RENEWALS_AUDIT_KEY (the development key in the demo; refused here, before anything
 * connects, when production has none).
 */
export function connect(url: string, options: { min?: number; max?: number; role?: string; auditKey?: string } = {}): Db {
  const { role } = options;
  const key = new AuditHeadKey(options.auditKey ?? readAuditKeys().current).sessionSettings();
  return knex({
    client: 'pg',
    connection: url,
    pool: {
      min: options.min ?? 0,
      max: options.max ?? 10,
      afterCreate: (connection: pg.Client, done: (error: Error | null, connection: pg.Client) => void) => {
        // Parameters, so the padded key never appears in the statement text (pg_stat_activity).
        const setup = async () => {
          if (role) await connection.query(`SET ROLE ${ident(role)}`);
          await connection.query(
            `SELECT set_config('renewals.audit_key_id', $1, false), set_config('renewals.audit_key_ipad', $2, false), set_config('renewals.audit_key_opad', $3, false)`,
            [key.id, key.ipad, key.opad],
          );
        };
        setup().then(
          () => done(null, connection),
          (error: Error) => done(error, connection),
        );
      },
    },
  });
}

const MIGRATIONS_TABLE = 'knex_migrations';

/**
 * The migrations' own connection: one connection to the same database as `db`, so that the role a
 * migration runs as (SET ROLE before it, RESET after) holds for all its statements, including those
 * of a migration that runs outside a transaction. Migrations after 014 run as the owner role, so
 * what they create is the owner's and gets the application role's grants by default privileges.
 */
async function withMigrator<T>(db: Db, work: (migrator: Db, hooks: Knex.MigratorConfigWithLifecycleHooks) => Promise<T>): Promise<T> {
  const migrator = knex({
    client: 'pg',
    connection: (db.client as { config: Knex.Config }).config.connection,
    pool: { min: 0, max: 1 },
    migrations: { migrationSource, tableName: MIGRATIONS_TABLE },
  });
  const hooks: Knex.MigratorConfigWithLifecycleHooks = {
    beforeEach: async (conn, migrations) => {
      const [name] = migrations[0] as readonly [string, unknown];
      if (name > OWNER_MIGRATIONS_AFTER) await conn.raw(`SET ROLE ${ident((await rolesOf(conn)).owner)}`);
    },
    afterEach: async (conn) => {
      await conn.raw('RESET ROLE');
    },
  };
  try {
    return await work(migrator, hooks);
  } finally {
    await migrator.destroy();
  }
}

/**
 * Applies the pending migrations and returns their names. Run it as the migration login
 * (DATABASE_MIGRATION_URL): a superuser, or a login that is a member of the owner role (never the
 * application's login). Refuses to finish quietly when a migration left an object that is not the
 * owner role's: a later migration must create everything as the owner (docs/architecture.md).
 */
export async function migrateLatest(db: Db): Promise<string[]> {
  const { owner } = await rolesOf(db);
  if (await roleExists(db, owner)) {
    const { rows } = await db.raw<{ rows: { able: boolean; user: string }[] }>(
      `SELECT current_user AS user, rolsuper OR pg_has_role(current_user, ?, 'MEMBER') AS able FROM pg_roles WHERE rolname = current_user`,
      [owner],
    );
    if (!rows[0]?.able) {
      throw new Error(`the database login ${rows[0]?.user} cannot act as the owner role ${owner}: migrations run as a superuser or a member of ${owner} (DATABASE_MIGRATION_URL; README, Database roles)`);
    }
  }
  const [, applied] = (await withMigrator(db, (migrator, hooks) => migrator.migrate.latest(hooks))) as [number, string[]];
  const strays = await notOwnedByOwner(db);
  if (strays.length > 0) {
    throw new Error(`migrations left objects not owned by ${owner}: ${strays.join(', ')}. A migration after 014 creates objects as the owner role (migrateLatest sets it; never RESET ROLE or SET ROLE in a migration)`);
  }
  return applied;
}

/** Rolls back migrations: the last batch, or all of them. */
export async function rollbackMigrations(db: Db, all = false): Promise<void> {
  await withMigrator(db, (migrator, hooks) => migrator.migrate.rollback(hooks, all));
}

/**
 * Objects in the schema that are not the owner role's, once migration 014 has made it: tables,
 * sequences, views, functions and types, extensions' objects aside.
 */
export async function notOwnedByOwner(db: Db): Promise<string[]> {
  const { owner } = await rolesOf(db);
  const migrated = await db.raw<{ rows: unknown[] }>(
    `SELECT 1 FROM pg_class c WHERE c.oid = to_regclass('public.${MIGRATIONS_TABLE}') AND EXISTS (SELECT 1 FROM pg_roles WHERE rolname = ?)`,
    [owner],
  );
  if (migrated.rows.length === 0) return [];
  const roles = await db(MIGRATIONS_TABLE).where({ name: OWNER_MIGRATIONS_AFTER }).first<{ name: string } | undefined>('name');
  if (!roles) return [];
  const { rows } = await db.raw<{ rows: { name: string }[] }>(
    `WITH o AS (SELECT oid FROM pg_roles WHERE rolname = ?)
     SELECT kind || ' ' || name AS name FROM (
       SELECT 'relation' AS kind, c.oid::regclass::text AS name, c.relowner AS owner, c.oid, 'pg_class'::regclass AS catalog FROM pg_class c
        WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
       UNION ALL
       SELECT 'function', p.oid::regprocedure::text, p.proowner, p.oid, 'pg_proc'::regclass FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace
       UNION ALL
       SELECT 'type', t.oid::regtype::text, t.typowner, t.oid, 'pg_type'::regclass FROM pg_type t
        WHERE t.typnamespace = 'public'::regnamespace AND t.typtype IN ('e', 'd', 'r')
     ) objects
     WHERE owner <> (SELECT oid FROM o)
       AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = objects.catalog AND d.objid = objects.oid AND d.deptype = 'e')
     ORDER BY 1`,
    [owner],
  );
  return rows.map((r) => r.name);
}
