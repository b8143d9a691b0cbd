import type { Knex } from 'knex';

/**
 * The database's two roles (docs/architecture.md#database-roles), named after the database so that
 * several databases on one server (a UAT and a production database, the tests' one per file) never
 * share them: for the database `renewals`, `renewals_owner` and `renewals_app`. Both are NOLOGIN
 * group roles; people and processes log in as users granted one of them.
 *
 * - owner: owns every table, sequence, function and type. Migrations run as it (migrateLatest sets
 *   the role); nothing else should.
 * - app: what the worker and the CLI need: SELECT, INSERT, UPDATE, DELETE on the business tables,
 *   sequences and functions; on audit_events only SELECT and INSERT.
 */
export interface DatabaseRoles {
  owner: string;
  app: string;
}

/** The longest suffix a derived name gets (`_worker`, the demo's login user): names stay within PostgreSQL's 63 bytes. */
const LONGEST_SUFFIX = '_worker'.length;
const ROLE_NAME = /^[a-z_][a-z0-9_]*$/;

export function databaseRoles(database: string): DatabaseRoles {
  if (!ROLE_NAME.test(database) || database.length + LONGEST_SUFFIX > 63) {
    throw new Error(
      `the database name ${JSON.stringify(database)} cannot name its roles: lowercase letters, digits and _ only, at most ${63 - LONGEST_SUFFIX} characters`,
    );
  }
  return { owner: `${database}_owner`, app: `${database}_app` };
}

/** The login user the demo, the local stack and the tests create for the application role. */
export function demoLoginUser(database: string): string {
  databaseRoles(database);
  return `${database}_worker`;
}

/** A role name checked by databaseRoles, as an SQL identifier. */
export function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export async function currentDatabase(db: Knex): Promise<string> {
  const { rows } = await db.raw<{ rows: { name: string }[] }>('SELECT current_database() AS name');
  return rows[0]!.name;
}

export async function rolesOf(db: Knex): Promise<DatabaseRoles> {
  return databaseRoles(await currentDatabase(db));
}

export async function roleExists(db: Knex, role: string): Promise<boolean> {
  const { rows } = await db.raw<{ rows: unknown[] }>('SELECT 1 FROM pg_roles WHERE rolname = ?', [role]);
  return rows.length > 0;
}

/**
 * What is wrong with the worker or the CLI connecting as this login, if anything: a superuser, or a
 * member of the owner role, could change or empty the audit trail. Undefined for a login that has
 * only the application role (or an unmigrated database, which fails elsewhere).
 */
export async function privilegedConnection(db: Knex): Promise<string | undefined> {
  const { rows } = await db.raw<{ rows: { user: string; superuser: boolean; owner: string | null; member: boolean | null }[] }>(
    `SELECT current_user AS user, r.rolsuper AS superuser, o.rolname AS owner,
            CASE WHEN o.oid IS NULL THEN NULL ELSE pg_has_role(current_user, o.oid, 'MEMBER') END AS member
       FROM pg_roles r
       LEFT JOIN pg_class c ON c.oid = to_regclass('public.audit_events')
       LEFT JOIN pg_roles o ON o.oid = c.relowner
      WHERE r.rolname = current_user`,
  );
  const row = rows[0];
  if (!row) return undefined;
  const app = databaseRoles(await currentDatabase(db)).app;
  if (row.superuser) return `the database login ${row.user} is a superuser: connect as a login that has only the ${app} role (README, Database roles)`;
  if (row.member) return `the database login ${row.user} can act as the owner role ${row.owner}: connect as a login that has only the ${app} role (README, Database roles)`;
  return undefined;
}
