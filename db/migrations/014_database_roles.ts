import type { Knex } from 'knex';
import { currentDatabase, databaseRoles, ident, roleExists } from '../database-roles';

/**
 * Database roles (docs/architecture.md#database-roles): an owner role that owns every object, and an
 * application role the worker's and the CLI's login users are granted. Both NOLOGIN, named after the
 * database (`<database>_owner`, `<database>_app`), created here unless a DBA made them already.
 *
 * The application role may SELECT, INSERT, UPDATE and DELETE the business tables, use their
 * sequences and execute the functions; on audit_events only SELECT and INSERT. It owns nothing, so
 * it can neither ALTER nor DROP a table nor touch a trigger; it has no TRUNCATE, TRIGGER or
 * REFERENCES privilege anywhere, no CREATE on the schema, no TEMPORARY on the database. Objects the
 * owner creates later get the same grants by default privileges; PUBLIC gets nothing.
 *
 * The chain trigger needs no SECURITY DEFINER: it runs as the inserting login, which may take the
 * advisory lock (anyone may), read audit_events and execute the digest. Its search_path is fixed,
 * so no object of the session's choosing stands in for the table or the digest.
 *
 * Runs as the migrating login (a superuser, or the database's owner with CREATEROLE, the first
 * time): existing objects are handed to the owner role. Migrations after this one run as the owner
 * role (db/connection.ts, migrateLatest). An existing database upgraded by this migration ends the
 * same as a fresh one: both get here with their objects owned by the migrating login.
 */
export async function up(knex: Knex): Promise<void> {
  const database = await currentDatabase(knex);
  const { owner, app } = databaseRoles(database);
  for (const role of [owner, app]) await createRoleIfAbsent(knex, role);
  await letMigratorActAs(knex, owner);

  await knex.raw(`
    DO $do$
    DECLARE r record;
    BEGIN
      -- Tables, views, foreign tables (their indexes, and sequences a column owns, follow them).
      FOR r IN SELECT c.oid::regclass AS name, c.relkind FROM pg_class c
                WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
                  AND c.relowner <> '${owner}'::regrole AND NOT ${memberOfExtension('pg_class', 'c.oid')}
      LOOP
        EXECUTE format('ALTER %s %s OWNER TO ${ident(owner)}',
          CASE r.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END, r.name);
      END LOOP;
      -- Sequences no column owns.
      FOR r IN SELECT c.oid::regclass AS name FROM pg_class c
                WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'S'
                  AND c.relowner <> '${owner}'::regrole AND NOT ${memberOfExtension('pg_class', 'c.oid')}
      LOOP
        EXECUTE format('ALTER SEQUENCE %s OWNER TO ${ident(owner)}', r.name);
      END LOOP;
      FOR r IN SELECT p.oid::regprocedure AS name FROM pg_proc p
                WHERE p.pronamespace = 'public'::regnamespace
                  AND p.proowner <> '${owner}'::regrole AND NOT ${memberOfExtension('pg_proc', 'p.oid')}
      LOOP
        EXECUTE format('ALTER ROUTINE %s OWNER TO ${ident(owner)}', r.name);
      END LOOP;
      -- Enums, domains, ranges and standalone composite types (a table's row type and every array type follow their own).
      FOR r IN SELECT t.oid::regtype AS name FROM pg_type t
                WHERE t.typnamespace = 'public'::regnamespace AND t.typowner <> '${owner}'::regrole
                  AND (t.typtype IN ('e', 'd', 'r') OR (t.typtype = 'c' AND (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c'))
                  AND NOT ${memberOfExtension('pg_type', 't.oid')}
      LOOP
        EXECUTE format('ALTER TYPE %s OWNER TO ${ident(owner)}', r.name);
      END LOOP;
    END $do$`);

  // The schema: the owner creates in it, the application only uses it, nobody else creates.
  await knex.raw(`GRANT USAGE, CREATE ON SCHEMA public TO ${ident(owner)}`);
  await knex.raw(`GRANT USAGE ON SCHEMA public TO ${ident(app)}`);
  await knex.raw('REVOKE CREATE ON SCHEMA public FROM PUBLIC');

  // What the application does: read and write the business tables; append to and read the audit trail.
  await knex.raw('REVOKE ALL ON ALL TABLES IN SCHEMA public FROM PUBLIC');
  await knex.raw(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${ident(app)}`);
  await knex.raw(`REVOKE ALL ON TABLE audit_events FROM ${ident(app)}`);
  await knex.raw(`GRANT SELECT, INSERT ON TABLE audit_events TO ${ident(app)}`);
  // knex's own bookkeeping belongs to migrations alone.
  await knex.raw(`REVOKE ALL ON TABLE knex_migrations, knex_migrations_lock FROM ${ident(app)}`);
  await knex.raw('REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM PUBLIC');
  await knex.raw(`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${ident(app)}`);
  await knex.raw(`REVOKE ALL ON SEQUENCE knex_migrations_id_seq, knex_migrations_lock_index_seq FROM ${ident(app)}`);
  await knex.raw('REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA public FROM PUBLIC');
  await knex.raw(`GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO ${ident(app)}`);

  // What the owner creates from now on gets the same grants (an append-only table revokes UPDATE
  // and DELETE again in its own migration, as audit_events does above).
  await knex.raw(`ALTER DEFAULT PRIVILEGES FOR ROLE ${ident(owner)} IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${ident(app)}`);
  await knex.raw(`ALTER DEFAULT PRIVILEGES FOR ROLE ${ident(owner)} IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO ${ident(app)}`);
  await knex.raw(`ALTER DEFAULT PRIVILEGES FOR ROLE ${ident(owner)} IN SCHEMA public GRANT EXECUTE ON FUNCTIONS TO ${ident(app)}`);
  await knex.raw(`ALTER DEFAULT PRIVILEGES FOR ROLE ${ident(owner)} REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC`);

  // The audit functions resolve names in the schema only, never in the session's temporary one first.
  await knex.raw('ALTER FUNCTION audit_events_chain() SET search_path = public, pg_temp');
  await knex.raw('ALTER FUNCTION audit_events_refuse_change() SET search_path = public, pg_temp');

  // The database: only its roles connect (a superuser always may), nobody makes temporary tables.
  // Only its owner or a superuser may say so; another migrating login leaves it to the DBA (README).
  if (await mayGrantOnDatabase(knex)) {
    await knex.raw(`REVOKE CONNECT, TEMPORARY ON DATABASE ${ident(database)} FROM PUBLIC`);
    await knex.raw(`GRANT CONNECT ON DATABASE ${ident(database)} TO ${ident(owner)}, ${ident(app)}`);
  }
}

export async function down(knex: Knex): Promise<void> {
  const database = await currentDatabase(knex);
  const { owner, app } = databaseRoles(database);
  // Everything back to the migrating login; the roles lose every privilege here but stay (they are
  // the server's, and a DBA may have granted them to login users).
  await knex.raw(`REASSIGN OWNED BY ${ident(owner)} TO CURRENT_USER`);
  // One role at a time: both in one statement trips over the default privileges they share.
  await knex.raw(`DROP OWNED BY ${ident(app)}`);
  await knex.raw(`DROP OWNED BY ${ident(owner)}`);
  await knex.raw('GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO PUBLIC');
  await knex.raw('ALTER FUNCTION audit_events_chain() RESET search_path');
  await knex.raw('ALTER FUNCTION audit_events_refuse_change() RESET search_path');
  if (await mayGrantOnDatabase(knex)) await knex.raw(`GRANT CONNECT, TEMPORARY ON DATABASE ${ident(database)} TO PUBLIC`);
}

/** Excludes objects an extension brought (they stay its own). */
function memberOfExtension(catalog: string, oid: string): string {
  return `EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = '${catalog}'::regclass AND d.objid = ${oid} AND d.deptype = 'e')`;
}

/**
 * Roles are the server's, not the database's: made once, whoever comes first. Two migrations racing
 * on one server (the tests make a database per file) may both find it absent; the loser's
 * duplicate_object (or unique_violation on the catalogue) is caught in a subtransaction.
 */
async function createRoleIfAbsent(knex: Knex, role: string): Promise<void> {
  if (await roleExists(knex, role)) return;
  await knex.raw(`
    DO $do$ BEGIN
      CREATE ROLE ${ident(role)} NOLOGIN;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
    END $do$`);
}

/** Handing objects to a role takes being able to act as it: a superuser can, another login is made a member. */
async function letMigratorActAs(knex: Knex, owner: string): Promise<void> {
  const { rows } = await knex.raw<{ rows: { able: boolean }[] }>(
    `SELECT rolsuper OR pg_has_role(current_user, ?, 'MEMBER') AS able FROM pg_roles WHERE rolname = current_user`,
    [owner],
  );
  if (!rows[0]?.able) await knex.raw(`GRANT ${ident(owner)} TO CURRENT_USER`);
}

async function mayGrantOnDatabase(knex: Knex): Promise<boolean> {
  const { rows } = await knex.raw<{ rows: { may: boolean }[] }>(
    `SELECT r.rolsuper OR pg_has_role(current_user, d.datdba, 'MEMBER') AS may
       FROM pg_roles r, pg_database d WHERE r.rolname = current_user AND d.datname = current_database()`,
  );
  return rows[0]?.may ?? false;
}
