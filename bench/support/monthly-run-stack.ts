/**
 * What the monthly-run benchmarks share: a Temporal server (the CLI dev server, or the
 * production-shaped server on PostgreSQL: scripts/provision/temporal-server.ts), an embedded
 * PostgreSQL in a temp folder (deleted at the end), the renewal worker's dependencies, and
 * set-based seeding of minimal policies with one premium due each.
 */
import { cpus, loadavg, totalmem } from 'node:os';
import { DefaultLogger } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { connect, migrateLatest, type Db } from '../../db/connection';
import { PiiCipher } from '../../db/pii-cipher';
import { SimulatedBank } from '../../integrations/bank/simulator';
import { SmtpEmail } from '../../integrations/messaging/smtp-email';
import { RecordingTextChannels } from '../../integrations/messaging/text-channels';
import { createDatabase, databaseUrl, startPostgres, type PostgresServer } from '../../scripts/provision/postgres';
import type { RunningTemporalServer } from '../../scripts/provision/temporal-server';
import { seedReferenceData } from '../../scripts/seed';
import { startDevServer, startPostgresTemporal } from '../../scripts/temporal-env';
import type { RenewalActivityDeps } from '../../activities/renewal-activities';
import { installTemporalRuntime } from '../../workers/temporal-runtime';

export const log = (message: string): void => void process.stderr.write(`[bench] ${message}\n`);

export type BenchTemporal = 'dev' | 'postgres';

export interface BenchStack {
  env: TestWorkflowEnvironment;
  db: Db;
  deps: RenewalActivityDeps;
  /** Which server, its source and (on PostgreSQL) its shards, for the results file. */
  temporal: { kind: BenchTemporal; source: string; historyShards: number };
  /** The URL of the PostgreSQL server everything runs on (the renewals and, on `postgres`, Temporal's databases). */
  postgresUrl: string;
  /** On `postgres`: a connection to Temporal's persistence database (sizes, pending timers); else undefined. */
  temporalDb?: Db;
  close(): Promise<void>;
}

/** `--temporal dev|postgres` and `--shards N` from the command line (postgres and 4 unless given). */
export function temporalArguments(fallback: BenchTemporal = 'postgres'): { temporal: BenchTemporal; historyShards: number } {
  const at = (name: string) => {
    const index = process.argv.indexOf(`--${name}`);
    return index < 0 ? undefined : process.argv[index + 1];
  };
  const temporal = at('temporal') ?? fallback;
  if (temporal !== 'dev' && temporal !== 'postgres') throw new Error(`--temporal must be dev or postgres, got ${temporal}`);
  const historyShards = Number(at('shards') ?? 4);
  if (!Number.isSafeInteger(historyShards) || historyShards < 1) throw new Error('--shards must be a whole number ≥ 1');
  return { temporal, historyShards };
}

export async function startBenchStack(options: { temporal?: BenchTemporal; historyShards?: number } = {}): Promise<BenchStack> {
  installTemporalRuntime(new DefaultLogger('WARN'));
  const kind = options.temporal ?? 'dev';
  const postgres: PostgresServer = await startPostgres();
  const db = connect(await createDatabase(postgres.url, 'renewals_bench'), { max: 20 });
  await migrateLatest(db);
  await seedReferenceData(db);
  let env: TestWorkflowEnvironment;
  let server: RunningTemporalServer | undefined;
  let temporalDb: Db | undefined;
  let source: string;
  if (kind === 'postgres') {
    const databases = { database: 'temporal_bench', visibilityDatabase: 'temporal_bench_visibility' };
    ({ env, server, source } = await startPostgresTemporal({ postgresUrl: postgres.url, databases, historyShards: options.historyShards ?? 4, logLevel: 'error' }));
    temporalDb = connect(databaseUrl(postgres.url, databases.database), { max: 2 });
  } else {
    ({ env, source } = await startDevServer({ logLevel: 'error' }));
  }
  log(`Temporal ${kind === 'postgres' ? 'server on PostgreSQL' : 'dev server'}: ${source}; PostgreSQL: ${postgres.source}`);
  const email = new SmtpEmail('smtp://127.0.0.1:1', 'bench@insurer.example'); // never used: no cycle gets to a message
  const deps: RenewalActivityDeps = { db, cipher: new PiiCipher('33'.repeat(32)), bank: new SimulatedBank(), email, text: new RecordingTextChannels() };
  return {
    env,
    db,
    deps,
    temporal: { kind, source, historyShards: server?.historyShards ?? 1 },
    postgresUrl: postgres.url,
    temporalDb,
    close: async () => {
      email.close();
      await db.destroy();
      await temporalDb?.destroy();
      await env.teardown();
      await server?.stop();
      await postgres.stop();
    },
  };
}

/**
 * `count` in-force policies (one shared holder, an active mandate each) with one premium due in
 * `month`, spread over its first 28 days. Personal columns hold placeholders: nothing here decrypts.
 */
export async function seedDuePremiums(db: Db, month: string, count: number, prefix: string): Promise<void> {
  await db.raw(`INSERT INTO customers (name_masked, name_enc, id_type, id_no_masked, id_no_enc, id_no_hash)
                VALUES ('张*', 'x', 'ID', '320102********0000', 'x', 'bench-holder') ON CONFLICT DO NOTHING`);
  const holder = (await db('customers').where({ id_no_hash: 'bench-holder' }).first<{ id: number }>('id')).id;
  await db.raw(
    `INSERT INTO policies (policy_no, product_code, channel, branch_code, holder_customer_id, preferred_channel, issue_date,
                           payment_frequency, premium_fen, next_due_date, next_installment_no, status)
     SELECT ? || lpad(i::text, 6, '0'), 'WL20', 'agency', '3201', ?, 'sms', '2020-01-01', 'annual', 500000,
            (?::date + ((i - 1) % 28)), 7, 'in_force'
     FROM generate_series(1, ?) i`,
    [prefix, holder, `${month}-01`, count],
  );
  await db.raw(
    `INSERT INTO premium_dues (policy_no, due_date, installment_no, amount_fen)
     SELECT policy_no, next_due_date, 7, premium_fen FROM policies WHERE policy_no LIKE ? || '%'`,
    [prefix],
  );
  await db.raw(
    `INSERT INTO mandates (policy_no, bank_code, account_masked, account_enc, account_hash, account_name_masked, account_name_enc)
     SELECT policy_no, 'ICBC', '622202******0000', 'x', 'h' || policy_no, '张*', 'x' FROM policies WHERE policy_no LIKE ? || '%'`,
    [prefix],
  );
  await db.raw('ANALYZE premium_dues; ANALYZE policies');
}

export function machine(): { cpus: number; cpuModel: string; memoryGiB: number; loadAverage1m: number; node: string } {
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    loadAverage1m: Math.round(loadavg()[0]! * 100) / 100,
    node: process.version,
  };
}
