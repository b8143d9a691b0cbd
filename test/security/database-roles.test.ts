import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { migrateLatest, notOwnedByOwner, type Db } from '../../db/connection';
import { databaseRoles, privilegedConnection } from '../../db/database-roles';
import { migrationSource, OWNER_MIGRATIONS_AFTER } from '../../db/migrations';
import { appendAudit, inspectAuditChain } from '../../db/repositories/audit';
import { runCliCaptured } from '../support/cli';
import { freshDatabase, type TestDatabase } from '../support/database';

/**
 * Issue 14, item 6: the worker, the CLI and the tests connect as a login that has the application
 * role only, which may append to the audit trail and read it, and nothing else there.
 */
let t: TestDatabase;
let roles: ReturnType<typeof databaseRoles>;

beforeAll(async () => {
  t = await freshDatabase();
  roles = databaseRoles(t.name);
  for (const kind of ['cycle_opened', 'contact_sent', 'stage_changed'] as const) {
    await appendAudit(t.db, { kind, actor: 'renewal-cycle', policyNo: 'P1', dueDate: '2026-12-24', detail: { n: kind } });
  }
});

afterAll(async () => {
  await t?.drop();
});

/** Everything the refusals must leave as it was: the rows, the signed heads, the chain, the table and its triggers. */
async function auditState(db: Db) {
  const rows = await db('audit_events').orderBy('seq').select();
  const heads = await db('audit_chain_heads').orderBy('chain_partition').select();
  const chain = await inspectAuditChain(db);
  const { rows: triggers } = await db.raw<{ rows: unknown[] }>(
    `SELECT tgname, tgenabled, pg_get_triggerdef(oid) AS def FROM pg_trigger WHERE tgrelid = 'audit_events'::regclass ORDER BY tgname`,
  );
  const { rows: table } = await db.raw<{ rows: unknown[] }>(
    `SELECT relname, pg_get_userbyid(relowner) AS owner, relacl::text AS acl,
            (SELECT array_agg(attname::text ORDER BY attnum) FROM pg_attribute WHERE attrelid = c.oid AND attnum > 0 AND NOT attisdropped) AS columns,
            (SELECT array_agg(conname::text ORDER BY conname) FROM pg_constraint WHERE conrelid = c.oid) AS constraints,
            (SELECT prosrc FROM pg_proc WHERE oid = 'audit_events_chain'::regproc) AS chain_function
       FROM pg_class c WHERE oid = 'audit_events'::regclass`,
  );
  return { rows, heads, chain, triggers, table };
}

describe('the login the worker, the CLI and the tests use', () => {
  it('has the application role only: no superuser, no owner, no schema changes', async () => {
    const { rows } = await t.db.raw<{ rows: Record<string, unknown>[] }>(
      `SELECT current_user AS user, r.rolsuper AS superuser, r.rolcreaterole AS createrole, r.rolcreatedb AS createdb,
              pg_has_role(current_user, ?, 'MEMBER') AS app, pg_has_role(current_user, ?, 'MEMBER') AS owner,
              has_table_privilege('audit_events', 'SELECT') AS audit_select, has_table_privilege('audit_events', 'INSERT') AS audit_insert,
              has_table_privilege('audit_events', 'UPDATE') AS audit_update, has_table_privilege('audit_events', 'DELETE') AS audit_delete,
              has_table_privilege('audit_events', 'TRUNCATE') AS audit_truncate, has_table_privilege('audit_events', 'TRIGGER') AS audit_trigger,
              has_table_privilege('audit_events', 'REFERENCES') AS audit_references,
              has_table_privilege('policies', 'SELECT, INSERT, UPDATE, DELETE') AS policies_dml, has_table_privilege('policies', 'TRUNCATE') AS policies_truncate,
              has_table_privilege('knex_migrations', 'SELECT') AS migrations_select,
              has_schema_privilege('public', 'CREATE') AS schema_create, has_database_privilege(current_database(), 'TEMPORARY') AS temporary
         FROM pg_roles r WHERE r.rolname = current_user`,
      [roles.app, roles.owner],
    );
    expect(rows[0]).toEqual({
      user: `${t.name}_worker`,
      superuser: false,
      createrole: false,
      createdb: false,
      app: true,
      owner: false,
      audit_select: true,
      audit_insert: true,
      audit_update: false,
      audit_delete: false,
      audit_truncate: false,
      audit_trigger: false,
      audit_references: false,
      policies_dml: true,
      policies_truncate: false,
      migrations_select: false,
      schema_create: false,
      temporary: false,
    });
    expect(await privilegedConnection(t.db)).toBeUndefined();
    expect(await privilegedConnection(t.migrationDb)).toMatch(/is a superuser: connect as a login that has only the renewals_test_\w+_app role/);
    expect(await privilegedConnection(t.owner)).toMatch(new RegExp(`can act as the owner role ${roles.owner}`));
  });

  it('appends audit rows through the repository and reads them back, the chain intact', async () => {
    const before = await inspectAuditChain(t.db);
    const { seq } = await appendAudit(t.db, { kind: 'stage_changed', actor: 'renewal-cycle', policyNo: 'P1', dueDate: '2026-12-24', detail: { stage: 'PAID' } });
    expect(seq).toBe(before.rows + 1);
    const after = await inspectAuditChain(t.db);
    expect(after).toMatchObject({ rows: before.rows + 1, problems: 0, head: { seq } });
    expect(after.firstBreak).toBeUndefined();
  });

  it('is the one the CLI runs as in the tests: `audit verify` works with it', async () => {
    vi.stubEnv('DATABASE_URL', t.url);
    try {
      const run = await runCliCaptured(['audit', 'verify']);
      expect(run.err).toBe('');
      // Every row there is, the signed-in operator's own (its user and token) included.
      const { rows } = await inspectAuditChain(t.db);
      expect(rows).toBeGreaterThan(4);
      expect(run).toMatchObject({ code: 0, out: expect.stringMatching(new RegExp(`^chain intact: ${rows} rows`)) as string });
    } finally {
      vi.unstubAllEnvs();
    }
  });
});

describe('the application role refused UPDATE/DELETE/TRUNCATE/ALTER on the audit table', () => {
  const refused: [string, string][] = [
    ['UPDATE', `UPDATE audit_events SET actor = 'mallory' WHERE seq = 2`],
    ['DELETE', 'DELETE FROM audit_events WHERE seq = 2'],
    ['TRUNCATE', 'TRUNCATE audit_events'],
    ['ALTER TABLE (add a column)', 'ALTER TABLE audit_events ADD COLUMN note text'],
    ['ALTER TABLE (add a constraint)', `ALTER TABLE audit_events ADD CONSTRAINT no_exports CHECK (kind <> 'audit_exported') NOT VALID`],
    ['ALTER TABLE … DISABLE TRIGGER', 'ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only'],
    ['ALTER TABLE … DISABLE TRIGGER ALL', 'ALTER TABLE audit_events DISABLE TRIGGER ALL'],
    ['DROP TRIGGER', 'DROP TRIGGER audit_events_chain ON audit_events'],
    ['ALTER TRIGGER', 'ALTER TRIGGER audit_events_append_only ON audit_events RENAME TO anything'],
    ['CREATE TRIGGER', 'CREATE TRIGGER a_sneak BEFORE INSERT ON audit_events FOR EACH ROW EXECUTE FUNCTION audit_events_refuse_change()'],
    ['replacing the chain function', `CREATE OR REPLACE FUNCTION audit_events_chain() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$`],
    ['DROP TABLE', 'DROP TABLE audit_events'],
    ['triggers off for the session (session_replication_role)', 'SET session_replication_role = replica'],
    // The partitions' signed heads move only through the chain trigger (migration 023).
    ['UPDATE a partition head', 'UPDATE audit_chain_heads SET chain_seq = 0'],
    ['DELETE a partition head', 'DELETE FROM audit_chain_heads'],
    ['INSERT a partition head', `INSERT INTO audit_chain_heads (chain_partition, chain_seq, hash, key_id, mac) VALUES (99, 0, '', '', '')`],
    ['resetting the seq sequence', `SELECT setval('audit_events_seq', 1)`],
    ['replacing the head MAC function', `CREATE OR REPLACE FUNCTION audit_head_mac(smallint, bigint, bigint, text) RETURNS text LANGUAGE sql AS $$ SELECT '' $$`],
  ];

  it.each(refused)('%s: permission denied (42501), rows and chain unchanged', async (_what, sql) => {
    const before = await auditState(t.db);
    expect(before.chain).toMatchObject({ problems: 0, headProblems: 0 });
    await expect(t.db.raw(sql)).rejects.toMatchObject({ code: '42501' });
    expect(await auditState(t.db)).toEqual(before);
  });

  it('SET ROLE to the owner: permission denied (42501), rows and chain unchanged', async () => {
    const before = await auditState(t.db);
    await expect(t.db.raw(`SET ROLE "${roles.owner}"`)).rejects.toMatchObject({ code: '42501' });
    expect(await auditState(t.db)).toEqual(before);
  });

  it('still appends afterwards, onto the same chain', async () => {
    const before = await inspectAuditChain(t.db);
    await appendAudit(t.db, { kind: 'contact_sent', actor: 'renewal-cycle', policyNo: 'P1', dueDate: '2026-12-24' });
    expect(await inspectAuditChain(t.db)).toMatchObject({ rows: before.rows + 1, problems: 0, headProblems: 0 });
  });
});

/** Owners and privileges of every object, the database's own roles named by their part. */
async function privileges(db: Db, name: string) {
  const { rows } = await db.raw<{ rows: Record<string, string | null>[] }>(
    `SELECT 'relation ' || c.relname || ' ' || c.relkind::text AS object, pg_get_userbyid(c.relowner) AS owner, c.relacl::text AS acl, NULL AS config
       FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'S', 'v', 'm', 'f')
     UNION ALL
     SELECT 'function ' || p.oid::regprocedure::text, pg_get_userbyid(p.proowner), p.proacl::text, p.proconfig::text
       FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace
     UNION ALL
     SELECT 'type ' || t.typname, pg_get_userbyid(t.typowner), t.typacl::text, NULL
       FROM pg_type t WHERE t.typnamespace = 'public'::regnamespace AND t.typtype IN ('e', 'd')
     UNION ALL
     SELECT 'default privileges ' || pg_get_userbyid(d.defaclrole) || ' ' || d.defaclobjtype::text || ' ' || coalesce(d.defaclnamespace::regnamespace::text, '-'), NULL, d.defaclacl::text, NULL
       FROM pg_default_acl d
     UNION ALL
     SELECT 'schema public', pg_get_userbyid(n.nspowner), n.nspacl::text, NULL FROM pg_namespace n WHERE n.nspname = 'public'
     UNION ALL
     SELECT 'database', pg_get_userbyid(d.datdba), d.datacl::text, NULL FROM pg_database d WHERE d.datname = current_database()
     ORDER BY 1`,
  );
  const normalise = (text: string | null) => text?.replaceAll(name, '<database>') ?? null;
  return rows.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, normalise(v)])));
}

describe('migrations and the roles', () => {
  let upgraded: TestDatabase | undefined;
  afterAll(async () => {
    await upgraded?.drop();
  });

  it('every object is the owner role’s, later migrations’ too (015 ran as the owner)', async () => {
    expect(await notOwnedByOwner(t.migrationDb)).toEqual([]);
    const { rows } = await t.db.raw<{ rows: { owner: string }[] }>(`SELECT pg_get_userbyid(relowner) AS owner FROM pg_class WHERE oid = 'provider_circuits'::regclass`);
    expect(rows).toEqual([{ owner: roles.owner }]);
  });

  it('an existing database upgraded by 014 ends with the same owners and grants as a fresh one', async () => {
    upgraded = await freshDatabase({ migrate: false });
    // As the database was before 014: every other migration up to 015 applied, as the migration login
    // (a later one, such as 023 that grants per table, never ran on a database without 014's roles).
    const all = (await migrationSource.getMigrations([])).map(([name]) => name);
    const before014: typeof migrationSource = {
      ...migrationSource,
      getMigrations: async (extensions) => (await migrationSource.getMigrations(extensions)).filter(([name]) => name !== OWNER_MIGRATIONS_AFTER && name < '016'),
    };
    await upgraded.migrationDb.migrate.latest({ migrationSource: before014, tableName: 'knex_migrations' });
    await appendAudit(upgraded.migrationDb, { kind: 'cycle_opened', actor: 'renewal-cycle', policyNo: 'P1', dueDate: '2026-12-24' });
    expect(await migrateLatest(upgraded.migrationDb)).toEqual([OWNER_MIGRATIONS_AFTER, ...all.filter((name) => name >= '016')]);

    const fresh = await privileges(t.migrationDb, t.name);
    expect(fresh.find((p) => p.object === 'relation audit_events r')).toMatchObject({ owner: '<database>_owner', acl: expect.stringContaining('<database>_app=ar/<database>_owner') as string });
    expect(await privileges(upgraded.migrationDb, upgraded.name)).toEqual(fresh);
    // The trail written before the upgrade is the application's to append to, and the legacy chain
    // every partition starts from (migration 023).
    expect(await inspectAuditChain(upgraded.migrationDb)).toMatchObject({ rows: 1, problems: 0, headProblems: 0, legacy: { rows: 1 } });
  });

  it('migrateLatest refuses an object a migration left outside the owner role', async () => {
    // What a migration that reset its role would leave: a table of the migration login's.
    await t.migrationDb.raw('CREATE TABLE stray_table (id int)');
    try {
      await expect(migrateLatest(t.migrationDb)).rejects.toThrow(new RegExp(`migrations left objects not owned by ${roles.owner}: relation stray_table`));
    } finally {
      await t.migrationDb.raw('DROP TABLE stray_table');
    }
    expect(await migrateLatest(t.migrationDb)).toEqual([]);
  });

  it('the application login cannot migrate', async () => {
    await expect(migrateLatest(t.db)).rejects.toThrow(new RegExp(`the database login ${t.name}_worker cannot act as the owner role ${roles.owner}`));
  });
});
