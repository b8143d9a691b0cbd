import { spawn } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { chmodSync, cpSync, createWriteStream, existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';
import { SEARCH_ATTRIBUTES } from '../../workflows/messages';
import { cacheDir, step } from './cache';
import { freePort } from './postgres';
import { hasCommand, run, tail } from './run';

/**
 * The production-shaped Temporal server (docs/architecture.md, "The production-shaped Temporal"):
 * `go.temporal.io/server` built with `go install` like the CLI, PostgreSQL persistence and
 * visibility, its schema set up by the server's own SQL tool.
 */
export const TEMPORAL_SERVER_VERSION = 'v1.32.2';
/** The module's go.mod asks for a newer Go than Debian's; the Go proxy serves this toolchain. */
export const TEMPORAL_SERVER_TOOLCHAIN = 'go1.27.3';
/** History shards unless NUM_HISTORY_SHARDS or the caller says (fixed once a database is set up). */
export const DEFAULT_HISTORY_SHARDS = 4;
/** The config template every way of running it shares (docker-compose.yml mounts the same file). */
export const SERVER_CONFIG = resolve(__dirname, '..', '..', 'config', 'temporal-server', 'config.yaml');
export const SERVER_DYNAMIC_CONFIG = resolve(__dirname, '..', '..', 'config', 'temporal-server', 'dynamicconfig.yaml');

export interface TemporalServerBuild {
  /** `temporal-server` (cmd/server). */
  server: string;
  /** `temporal-sql-tool` (cmd/tools/sql). */
  sqlTool: string;
  /** The module's schema/postgresql/v12, copied next to the binaries. */
  schemaDir: string;
  source: string;
}

function buildIn(dir: string): TemporalServerBuild {
  return {
    server: join(dir, 'temporal-server'),
    sqlTool: join(dir, 'temporal-sql-tool'),
    schemaDir: join(dir, 'schema', 'postgresql', 'v12'),
    source: '',
  };
}

function complete(build: TemporalServerBuild): boolean {
  return (
    existsSync(join(build.schemaDir, 'temporal', 'versioned')) &&
    existsSync(join(build.schemaDir, 'visibility', 'versioned')) &&
    run(build.server, ['--version'], { timeoutMs: 20_000 }).ok &&
    run(build.sqlTool, ['--version'], { timeoutMs: 20_000 }).ok
  );
}

/**
 * The server, its SQL tool and the PostgreSQL schema: a cached build, else `go install` into the
 * cache (the first time only: about 200 s on 2 cores, more with the module downloads). No download
 * fallback: Temporal publishes the server as a container image, which this project does not need.
 */
export function ensureTemporalServer(): TemporalServerBuild {
  const dir = cacheDir('temporal-server', TEMPORAL_SERVER_VERSION);
  const build = buildIn(dir);
  if (complete(build)) {
    step(`Temporal server: cached build ${dir}`);
    return { ...build, source: `cached ${dir}` };
  }
  if (!hasCommand('go')) throw new Error('Temporal server: no `go` on PATH to build go.temporal.io/server (install Go, then npm run provision)');
  step(`Temporal server: building ${TEMPORAL_SERVER_VERSION} and its SQL tool with go install (first time only, about 4 minutes)...`);
  const started = Date.now();
  const gobin = join(dir, 'gobin');
  rmSync(gobin, { recursive: true, force: true });
  const env = { ...process.env, GOBIN: gobin, GOTOOLCHAIN: process.env.GOTOOLCHAIN ?? TEMPORAL_SERVER_TOOLCHAIN, GOFLAGS: '-trimpath' };
  const module = `go.temporal.io/server`;
  const result = run('go', ['install', `${module}/cmd/server@${TEMPORAL_SERVER_VERSION}`, `${module}/cmd/tools/sql@${TEMPORAL_SERVER_VERSION}`], { env, timeoutMs: 90 * 60_000 });
  if (!result.ok) throw new Error(`Temporal server: go install failed:\n${tail(result.output)}`);
  renameSync(join(gobin, 'server'), build.server);
  renameSync(join(gobin, 'sql'), build.sqlTool);
  rmSync(gobin, { recursive: true, force: true });
  // The schema ships in the module, not in the binaries: keep a copy beside them, so a cleaned
  // module cache does not orphan the build.
  const modCache = run('go', ['env', 'GOMODCACHE'], { env });
  if (!modCache.ok) throw new Error(`Temporal server: go env GOMODCACHE failed: ${tail(modCache.output)}`);
  const moduleDir = join(modCache.output.trim(), `${module}@${TEMPORAL_SERVER_VERSION}`);
  rmSync(join(dir, 'schema'), { recursive: true, force: true });
  cpSync(join(moduleDir, 'schema', 'postgresql', 'v12'), build.schemaDir, { recursive: true });
  chmodTree(join(dir, 'schema'));
  if (!complete(build)) throw new Error(`Temporal server: built, but ${dir} is incomplete`);
  step(`Temporal server: built ${dir} in ${Math.round((Date.now() - started) / 1000)} s`);
  return { ...build, source: `built ${dir}` };
}

/** Folders 0755 and files 0644: the module cache's copies are read-only, which would block a rebuild. */
function chmodTree(path: string): void {
  chmodSync(path, 0o755);
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    const child = join(path, entry.name);
    if (entry.isDirectory()) chmodTree(child);
    else chmodSync(child, 0o644);
  }
}

export interface TemporalDatabases {
  /** Persistence (executions, history, task queues, namespaces). */
  database: string;
  /** Visibility (the list API and search attributes). */
  visibilityDatabase: string;
}

const DEFAULT_DATABASES: TemporalDatabases = { database: 'temporal', visibilityDatabase: 'temporal_visibility' };

function pgConnection(serverUrl: string) {
  const url = new URL(serverUrl);
  return {
    host: url.hostname,
    port: url.port || '5432',
    user: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
  };
}

/**
 * Both databases at the schema this build ships, by the server's SQL tool: create-database,
 * setup-schema -v 0.0 (the version table), update-schema -d <versioned>. Each step leaves what is
 * already there alone, so this runs at every start (a no-op when current; an upgrade after a newer
 * server version), as config/temporal-server/start.sh does in a container.
 */
export function setupTemporalSchema(postgresUrl: string, databases: TemporalDatabases = DEFAULT_DATABASES, build = ensureTemporalServer()): void {
  const connection = pgConnection(postgresUrl);
  const env = { ...process.env, SQL_PLUGIN: 'postgres12', SQL_HOST: connection.host, SQL_PORT: connection.port, SQL_USER: connection.user, SQL_PASSWORD: connection.password };
  const maintenance = new URL(postgresUrl).pathname.slice(1) || 'postgres';
  for (const [name, schema] of [[databases.database, 'temporal'], [databases.visibilityDatabase, 'visibility']] as const) {
    if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`invalid database name: ${name}`);
    for (const args of [['create-database', '--defaultdb', maintenance], ['setup-schema', '-v', '0.0'], ['update-schema', '-d', join(build.schemaDir, schema, 'versioned')]]) {
      const result = run(build.sqlTool, ['--database', name, ...args], { env, timeoutMs: 120_000 });
      if (!result.ok) throw new Error(`temporal-sql-tool ${args[0]} on ${name} failed:\n${tail(result.output)}`);
    }
  }
}

export interface TemporalServerOptions {
  /** A PostgreSQL server's URL with a login that may create databases (the maintenance database's). */
  postgresUrl: string;
  databases?: TemporalDatabases;
  /** NUM_HISTORY_SHARDS, else 4. Must match what the databases were first used with. */
  historyShards?: number;
  /** The frontend's gRPC port (a free one by default); the other services take free ports. */
  port?: number;
  /** Where the server's log goes (appended); by default its last lines are kept for errors. */
  logFile?: string;
  /** The server's log level (warn by default). */
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
}

export interface RunningTemporalServer {
  address: string;
  historyShards: number;
  databases: TemporalDatabases;
  source: string;
  stop(): Promise<void>;
}

export function historyShards(value = process.env.NUM_HISTORY_SHARDS): number {
  if (value === undefined || value === '') return DEFAULT_HISTORY_SHARDS;
  const shards = Number(value);
  if (!Number.isInteger(shards) || shards < 1) throw new Error(`NUM_HISTORY_SHARDS must be a whole number of shards, at least 1, got ${value}`);
  return shards;
}

/**
 * Sets up the schema, starts the server on it (every service in one process, config/temporal-
 * server/config.yaml), waits until its frontend answers, registers the `default` namespace and
 * this project's search attributes, and returns its address. `stop()` ends it (SIGTERM, then SIGKILL).
 */
export async function startTemporalServer(options: TemporalServerOptions): Promise<RunningTemporalServer> {
  const build = ensureTemporalServer();
  const databases = options.databases ?? DEFAULT_DATABASES;
  const shards = options.historyShards ?? historyShards();
  const schemaStarted = Date.now();
  setupTemporalSchema(options.postgresUrl, databases, build);
  step(`Temporal server: schema of ${databases.database} and ${databases.visibilityDatabase} current in ${Date.now() - schemaStarted} ms`);
  const connection = pgConnection(options.postgresUrl);
  const port = options.port ?? (await freePort());
  const ports: Record<string, number> = { FRONTEND_GRPC_PORT: port };
  for (const name of ['FRONTEND_HTTP_PORT', 'HISTORY_GRPC_PORT', 'MATCHING_GRPC_PORT', 'WORKER_GRPC_PORT']) ports[name] = await freePort();
  // The cluster_membership table keeps a membership port as a smallint: below 32768, under the
  // system's ephemeral range.
  const taken = new Set(Object.values(ports));
  for (const name of ['FRONTEND_MEMBERSHIP_PORT', 'HISTORY_MEMBERSHIP_PORT', 'MATCHING_MEMBERSHIP_PORT', 'WORKER_MEMBERSHIP_PORT']) {
    ports[name] = await freeMembershipPort(taken);
    taken.add(ports[name]);
  }
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NUM_HISTORY_SHARDS: String(shards),
    POSTGRES_SEEDS: connection.host,
    DB_PORT: connection.port,
    POSTGRES_USER: connection.user,
    POSTGRES_PWD: connection.password,
    DBNAME: databases.database,
    VISIBILITY_DBNAME: databases.visibilityDatabase,
    BIND_ON_IP: '127.0.0.1',
    BROADCAST_ADDRESS: '127.0.0.1',
    DYNAMIC_CONFIG_FILE_PATH: SERVER_DYNAMIC_CONFIG,
    LOG_LEVEL: options.logLevel ?? 'warn',
    ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
  };
  const started = Date.now();
  const child = spawn(build.server, ['--config-file', SERVER_CONFIG, '--allow-no-auth', 'start'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const recent: string[] = [];
  const log = options.logFile ? (mkdirSync(resolve(options.logFile, '..'), { recursive: true }), createWriteStream(options.logFile, { flags: 'a' })) : undefined;
  const keep = (chunk: Buffer) => {
    log?.write(chunk);
    recent.push(...chunk.toString().split('\n').filter(Boolean));
    recent.splice(0, Math.max(0, recent.length - 30));
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let exitCode: number | null | undefined;
  const exited = new Promise<void>((done) => child.once('exit', (code, signal) => {
    exitCode = code ?? (signal ? -1 : null);
    log?.end();
    done();
  }));
  const address = `127.0.0.1:${port}`;
  const stop = async () => {
    if (exitCode !== undefined) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  };
  let persistedShards: number;
  try {
    persistedShards = await prepareNamespace(address, () => exitCode, recent);
  } catch (error) {
    await stop();
    throw error;
  }
  // The shard count is the database's from its first start on: the server keeps it and ignores another.
  if (persistedShards !== shards) step(`Temporal server: ${databases.database} was set up with ${persistedShards} history shards; the ${shards} asked for are ignored (a new database changes it)`);
  step(`Temporal server: ${address} up in ${Date.now() - started} ms (${persistedShards} history shards, PostgreSQL ${databases.database} + ${databases.visibilityDatabase})`);
  return { address, historyShards: persistedShards, databases, source: `${build.source}; PostgreSQL ${databases.database}, ${databases.visibilityDatabase}; ${persistedShards} history shards`, stop };
}

function canListen(port: number): Promise<boolean> {
  return new Promise((done) => {
    const server = createServer();
    server.unref();
    server.once('error', () => done(false));
    server.listen(port, '127.0.0.1', () => server.close(() => done(true)));
  });
}

/** A free port from 20000 to 32767 (a smallint), none of `taken`. */
async function freeMembershipPort(taken: Set<number>): Promise<number> {
  for (let tries = 0; tries < 200; tries++) {
    const port = 20_000 + randomInt(12_768);
    if (!taken.has(port) && (await canListen(port))) return port;
  }
  throw new Error('Temporal server: no free port from 20000 to 32767 for its membership');
}

/** The server logs JSON lines with long stack traces: level, message and error are enough to say why. */
function summary(line: string): string {
  try {
    const entry = JSON.parse(line) as { level?: string; msg?: string; error?: string };
    return [entry.level, entry.msg, entry.error].filter(Boolean).join(': ');
  } catch {
    return line;
  }
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

function isGrpcCode(error: unknown, code: number): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}

/**
 * Until the frontend answers, then the `default` namespace and the search attributes, idempotently.
 * Returns the cluster's history shard count.
 */
async function prepareNamespace(address: string, exitCode: () => number | null | undefined, recent: string[]): Promise<number> {
  const deadline = Date.now() + 90_000;
  const failed = (why: string) => new Error(`Temporal server ${why}:\n${recent.slice(-8).map(summary).join('\n')}`);
  let connection: Connection | undefined;
  while (!connection) {
    if (exitCode() !== undefined) throw failed(`exited (${String(exitCode())}) before it answered`);
    if (Date.now() > deadline) throw failed('did not answer within 90 s');
    try {
      const attempt = await Connection.connect({ address, connectTimeout: 2_000 });
      await attempt.workflowService.getSystemInfo({});
      connection = attempt;
    } catch {
      await sleep(500);
    }
  }
  const NOT_FOUND = 5;
  const ALREADY_EXISTS = 6;
  try {
    const namespace = 'default';
    try {
      await connection.workflowService.describeNamespace({ namespace });
    } catch (error) {
      if (!isGrpcCode(error, NOT_FOUND)) throw error;
      try {
        await connection.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs('7 days') });
      } catch (registerError) {
        if (!isGrpcCode(registerError, ALREADY_EXISTS)) throw registerError;
      }
    }
    // A new namespace reaches the services' caches within their refresh interval (2 s).
    for (;;) {
      try {
        const listed = await connection.operatorService.listSearchAttributes({ namespace });
        const missing = SEARCH_ATTRIBUTES.filter((key) => !(key.name in (listed.customAttributes ?? {})));
        if (missing.length > 0) {
          await connection.operatorService.addSearchAttributes({
            namespace,
            searchAttributes: Object.fromEntries(
              missing.map((key) => {
                if (key.type !== 'KEYWORD') throw new Error(`register ${key.name}: add its type ${String(key.type)} here`);
                return [key.name, temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD];
              }),
            ),
          });
        }
        break;
      } catch (error) {
        if (!isGrpcCode(error, NOT_FOUND) || Date.now() > deadline) throw error;
        await sleep(500);
      }
    }
    return (await connection.workflowService.getClusterInfo({})).historyShardCount ?? 0;
  } finally {
    await connection.close();
  }
}
