/**
 * Benchmark: importing policies.csv (docs/business-rules.md#import-files) into a fresh database on embedded
 * PostgreSQL, side by side with PostgreSQL's COPY of the very rows that import stored into the same tables
 * without their indexes and constraints (docs/architecture.md#imports). COPY does no validation, no encryption, no
 * deduplication, no index upkeep: it is the ceiling for getting those rows into the server.
 *
 * For each size the two are interleaved A/B/A/B (import, COPY, import, COPY, …) for `rounds` rounds, each in
 * a database of its own; the median and the spread (min–max) of each are reported, with the machine's load
 * average and CPU use during every measurement (other work on the machine shows there). Also the re-import of
 * the same file (nothing written), and server-side COPY of the raw file into one text table, as before.
 *
 *   npx tsx bench/import.ts [sizes=20000,100000] [rounds=3] [batchSize=1000] [concurrency]
 *
 * Writes bench/results/import.json (or $BENCH_RESULT_NAME there). BENCHMARKS.md compares a run on main with one on
 * a branch by running this same script in both trees.
 */
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { importFile, type ImportReport } from '../application/import-files';
import { connect, migrateLatest } from '../db/connection';
import { PiiCipher } from '../db/pii-cipher';
import { addDays } from '../domain/civil-date';
import { POLICY_COLUMNS } from '../domain/import-columns';
import { residentIdCheckChar } from '../domain/import-rows';
import { createDatabase, dropDatabase, startPostgres } from '../scripts/provision/postgres';

const SIZES = (process.argv[2] ?? '20000,100000').split(',').map(Number);
const ROUNDS = Number(process.argv[3] ?? 3);
const BATCH_SIZE = Number(process.argv[4] ?? 1000);
/** Batches written at once (undefined: the importer's default). */
const CONCURRENCY = process.argv[5] === undefined ? undefined : Number(process.argv[5]);
const AGENTS = 2_000;
const log = (message: string): void => void process.stderr.write(`[bench] ${message}\n`);

/** A small deterministic generator (mulberry32): the same file on every run. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
let rnd = random(20260315);
const pick = <T>(items: readonly T[]): T => items[Math.floor(rnd() * items.length)]!;
const digits = (n: number) => Array.from({ length: n }, () => Math.floor(rnd() * 10)).join('');

const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '黄', '赵', '吴', '周', '徐', '孙', '马', '朱', '胡', '郭', '何', '高', '林', '欧阳', '司马'];
const GIVEN = ['伟', '芳', '娜', '秀英', '敏', '静', '丽', '强', '磊', '军', '洋', '勇', '艳', '杰', '娟', '涛', '明', '超', '秀兰', '霞', '建国', '志强'];
const REGIONS = ['320102', '320104', '320106', '310101', '310104', '110101', '110105', '440103', '440305', '330106'];
const BANKS: [string, string][] = [
  ['ICBC', '622202'],
  ['CCB', '621700'],
  ['ABC', '622848'],
  ['BOC', '621661'],
  ['CMB', '622588'],
];
const BRANCHES = ['3201', '3202', '3101', '1101', '4401', '3301'];
const PRODUCTS = ['WL20', 'WL10', 'CI20', 'CI10', 'EDU5', 'AN10', 'TL20', 'HI01', 'UL01', 'WL05'];

function person(): { name: string; idNo: string; birth: string } {
  const birth = addDays('1950-01-01', Math.floor(rnd() * 365 * 50));
  const body = `${pick(REGIONS)}${birth.replaceAll('-', '')}${digits(3)}`;
  return { name: pick(SURNAMES) + pick(GIVEN), idNo: body + residentIdCheckChar(body), birth };
}

function csvLine(values: readonly (string | number)[]): string {
  return values.map((v) => (/[",\r\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v))).join(',');
}

/** The same files for a size on every run (the generator restarts from its seed). */
function writeFiles(dir: string, policyCount: number): { products: string; agents: string; policies: string } {
  rnd = random(20260315);
  const products = join(dir, 'products.csv');
  writeFileSync(
    products,
    ['product_code,name,grace_days,reinstatement_years,plan_code', ...PRODUCTS.map((code, i) => csvLine([code, `产品 ${code}`, 60, 2, i % 3 === 0 ? 'standard-60' : ''])), ''].join('\n'),
  );

  const agents = join(dir, 'agents.csv');
  const agentLines = ['agent_code,name,mobile,team_code,branch_code,status,leader_code'];
  for (let i = 0; i < AGENTS; i++) {
    const team = Math.floor(i / 20);
    const leader = `A${String(team * 20).padStart(5, '0')}`;
    const code = `A${String(i).padStart(5, '0')}`;
    agentLines.push(csvLine([code, person().name, `139${digits(8)}`, `T${String(team).padStart(3, '0')}`, BRANCHES[team % BRANCHES.length]!, rnd() < 0.12 ? 'departed' : 'active', code === leader ? '' : leader]));
  }
  writeFileSync(agents, `${agentLines.join('\n')}\n`);

  const policies = join(dir, 'policies.csv');
  const lines = [POLICY_COLUMNS.join(',')];
  let holder = person();
  for (let i = 0; i < policyCount; i++) {
    // About 1 policy in 8 belongs to a holder who already has one (families buy several).
    if (i === 0 || rnd() > 0.125) holder = person();
    const frequency = pick(['annual', 'annual', 'annual', 'semiannual', 'quarterly', 'monthly'] as const);
    const issue = addDays('2015-01-01', Math.floor(rnd() * 365 * 10));
    const due = addDays('2026-01-01', Math.floor(rnd() * 365));
    const [bank, bin] = pick(BANKS);
    const email = rnd() < 0.4 ? `u${i}@example.cn` : '';
    const openid = rnd() < 0.3 ? `o${digits(6)}${String(i).padStart(21, 'x')}` : '';
    const preferred = openid ? 'wechat' : email && rnd() < 0.5 ? 'email' : 'sms';
    const orphan = rnd() < 0.08;
    lines.push(
      csvLine([
        `P${String(10_000_000 + i)}`,
        pick(PRODUCTS),
        pick(['agency', 'agency', 'agency', 'bancassurance', 'telemarketing', 'internet', 'group']),
        pick(BRANCHES),
        orphan ? '' : `A${String(Math.floor(rnd() * AGENTS)).padStart(5, '0')}`,
        holder.name,
        'ID',
        holder.idNo,
        rnd() < 0.7 ? holder.birth : '',
        `1${pick(['3', '5', '7', '8', '9'])}${digits(9)}`,
        email,
        openid,
        preferred,
        issue,
        frequency,
        `${100 + Math.floor(rnd() * 30_000)}.${digits(2)}`,
        due > issue ? due : addDays(issue, 365),
        2 + Math.floor(rnd() * 10),
        bank,
        `${bin}${digits(13)}`,
        holder.name,
        rnd() < 0.2 ? 'Y' : 'N',
        `${Math.floor(rnd() * 50_000)}.${digits(2)}`,
        pick(['in_force', 'in_force', 'in_force', 'in_force', 'grace', 'lapsed']),
      ]),
    );
  }
  writeFileSync(policies, `${lines.join('\n')}\n`);
  return { products, agents, policies };
}

/** Machine-wide CPU counters (/proc/stat): busy and total jiffies over all CPUs. */
function machineCpu(): { busy: number; total: number } | undefined {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
    const total = fields.reduce((a, b) => a + b, 0);
    return { busy: total - idle, total };
  } catch {
    return undefined;
  }
}

/** utime + stime (+ the reaped children's) of a process from /proc/<pid>/stat, in seconds. */
function processCpu(pid: number, withChildren: boolean): { ppid: number; seconds: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(rest[11]) + Number(rest[12]) + (withChildren ? Number(rest[13]) + Number(rest[14]) : 0);
    return { ppid: Number(rest[1]), seconds: ticks / 100 };
  } catch {
    return undefined;
  }
}

/**
 * CPU used so far by the PostgreSQL server: its postmaster with the backends that ended, and every live child
 * (backends, WAL writer, checkpointer…). Undefined when the server is not on this machine.
 */
function serverCpuSeconds(postmaster: number | undefined): number | undefined {
  if (postmaster === undefined) return undefined;
  const own = processCpu(postmaster, true);
  if (!own) return undefined;
  let seconds = own.seconds;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const child = processCpu(Number(entry), false);
    if (child?.ppid === postmaster) seconds += child.seconds;
  }
  return seconds;
}

let postmasterPid: number | undefined;

/** The postmaster of the server `db` is connected to: the parent of our backend. */
async function findPostmaster(db: ReturnType<typeof connect>): Promise<void> {
  const { rows } = await db.raw<{ rows: { pid: number }[] }>('SELECT pg_backend_pid() AS pid');
  postmasterPid = processCpu(rows[0]!.pid, false)?.ppid;
}

interface Measured<T> {
  result: T;
  seconds: number;
  /** This process's CPU time (user + system): the importer's own cost. */
  cpuSeconds: number;
  /** The machine's 1-minute load average before and after. */
  load: [number, number];
  /** Share of all CPUs busy during the measurement (any process: the importer, PostgreSQL, anything else). */
  machineBusy: number | null;
  /** CPU seconds the PostgreSQL server used meanwhile (all its processes); null when not measurable. */
  serverCpuSeconds: number | null;
}

async function timed<T>(work: () => Promise<T>): Promise<Measured<T>> {
  const loadBefore = loadavg()[0]!;
  const machine = machineCpu();
  const server = serverCpuSeconds(postmasterPid);
  const started = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  const result = await work();
  const used = process.cpuUsage(cpu);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const machineAfter = machineCpu();
  const serverAfter = serverCpuSeconds(postmasterPid);
  const machineBusy = machine && machineAfter ? (machineAfter.busy - machine.busy) / Math.max(1, machineAfter.total - machine.total) : null;
  return { result, seconds, cpuSeconds: (used.user + used.system) / 1e6, load: [round(loadBefore), round(loadavg()[0]!)], machineBusy: machineBusy === null ? null : round(machineBusy),
    serverCpuSeconds: server === undefined || serverAfter === undefined ? null : round(serverAfter - server),
  };
}

/** What the policies import stores, table by table: the COPY side loads exactly these rows. */
const STORED_TABLES = ['customers', 'contact_points', 'policies', 'mandates', 'premium_dues', 'import_fingerprints'] as const;

interface Round {
  importSeconds: number;
  importRowsPerSecond: number;
  importCpuSeconds: number;
  /** CPU seconds of the import (importer + PostgreSQL) and of COPY (PostgreSQL): cost, less sensitive to load than time. */
  importTotalCpuSeconds: number | null;
  copyServerCpuSeconds: number | null;
  cpuRatio: number | null;
  reimportSeconds: number;
  reimportRowsPerSecond: number;
  copySeconds: number;
  copyRowsPerSecond: number;
  copyTables: Record<string, number>;
  ratio: number;
  load: { import: [number, number]; copy: [number, number] };
  machineBusy: { import: number | null; copy: number | null };
}

interface Summary {
  median: number;
  min: number;
  max: number;
}

function summary(values: readonly number[]): Summary {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length % 2 ? sorted[(sorted.length - 1) / 2]! : (sorted[sorted.length / 2 - 1]! + sorted[sorted.length / 2]!) / 2;
  return { median: round3(middle), min: round3(sorted[0]!), max: round3(sorted[sorted.length - 1]!) };
}

async function importRound(serverUrl: string, name: string, files: ReturnType<typeof writeFiles>, policies: number, dumpDir: string | undefined) {
  const db = connect(await createDatabase(serverUrl, name), { max: 8 });
  try {
    await migrateLatest(db);
    await findPostmaster(db);
    const cipher = new PiiCipher('44'.repeat(32));
    await importFile(db, cipher, 'products', files.products);
    await importFile(db, cipher, 'agents', files.agents);
    let progressCalls = 0;
    const options = { batchSize: BATCH_SIZE, onProgress: () => void (progressCalls += 1), ...(CONCURRENCY === undefined ? {} : { concurrency: CONCURRENCY }) };
    const first = await timed(() => importFile(db, cipher, 'policies', files.policies, options));
    check(first.result, { inserted: policies });
    if (progressCalls < Math.ceil(policies / BATCH_SIZE)) throw new Error(`progress reported ${progressCalls} times for ${Math.ceil(policies / BATCH_SIZE)} batches`);
    const again = await timed(() => importFile(db, cipher, 'policies', files.policies, options));
    check(again.result, { unchanged: policies });
    const stored: Record<string, number> = {};
    for (const table of STORED_TABLES) stored[table] = await count(db, table, table === 'import_fingerprints' ? { kind: 'policies' } : {});
    // Server-side COPY TO files the server can read back: the very rows this import stored.
    if (dumpDir) for (const table of STORED_TABLES) await db.raw(`COPY (SELECT * FROM ${table}${table === 'import_fingerprints' ? ` WHERE kind = 'policies'` : ''}) TO '${join(dumpDir, `${table}.copy`)}'`);
    return { first, again, stored, customers: stored.customers!, contactPoints: stored.contact_points! };
  } finally {
    await db.destroy();
    await dropDatabase(serverUrl, name);
  }
}

async function copyRound(serverUrl: string, name: string, dumpDir: string) {
  const db = connect(await createDatabase(serverUrl, name), { max: 2 });
  try {
    await migrateLatest(db);
    await findPostmaster(db);
    // The same tables (columns, types, defaults) without indexes, keys, checks, foreign keys or NOT NULLs.
    for (const table of STORED_TABLES) {
      await db.raw(`CREATE TABLE bare_${table} (LIKE ${table} INCLUDING DEFAULTS)`);
      const notNull = await db.raw<{ rows: { attname: string }[] }>(`SELECT attname FROM pg_attribute WHERE attrelid = ?::regclass AND attnum > 0 AND attnotnull AND NOT attisdropped`, [`bare_${table}`]);
      for (const { attname } of notNull.rows) await db.raw(`ALTER TABLE bare_${table} ALTER COLUMN ${attname} DROP NOT NULL`);
    }
    await db.raw('CHECKPOINT');
    const rows: Record<string, number> = {};
    const copy = await timed(async () => {
      for (const table of STORED_TABLES) {
        const result = await db.raw<{ rowCount: number }>(`COPY bare_${table} FROM '${join(dumpDir, `${table}.copy`)}'`);
        rows[table] = result.rowCount;
      }
    });
    return { copy, rows };
  } finally {
    await db.destroy();
    await dropDatabase(serverUrl, name);
  }
}

async function rawFileCopy(serverUrl: string, path: string, policies: number): Promise<Measured<void>> {
  const name = 'renewals_import_bench_raw';
  const db = connect(await createDatabase(serverUrl, name), { max: 2 });
  try {
    await db.raw(`CREATE TABLE copy_staging (${POLICY_COLUMNS.map((c) => `${c} text`).join(', ')})`);
    const copy = await timed(async () => void (await db.raw(`COPY copy_staging FROM '${path}' WITH (FORMAT csv, HEADER true, ENCODING 'UTF8')`)));
    const copied = await count(db, 'copy_staging');
    if (copied !== policies) throw new Error(`COPY loaded ${copied} rows, expected ${policies}`);
    return copy;
  } finally {
    await db.destroy();
    await dropDatabase(serverUrl, name);
  }
}

async function benchSize(serverUrl: string, dir: string, policies: number) {
  const sizeDir = join(dir, String(policies));
  mkdirSync(sizeDir);
  chmodSync(sizeDir, 0o755);
  const files = writeFiles(sizeDir, policies);
  for (const file of Object.values(files)) chmodSync(file, 0o644);
  // The server (the postgres user when we are root) writes the dumps here and reads them back.
  const dumpDir = join(sizeDir, 'dump');
  mkdirSync(dumpDir);
  chmodSync(dumpDir, 0o777);
  log(`${policies} policies: ${(statSync(files.policies).size / 1e6).toFixed(1)} MB, ${AGENTS} agents`);

  const rounds: Round[] = [];
  let stored: Record<string, number> = {};
  for (let r = 1; r <= ROUNDS; r++) {
    const a = await importRound(serverUrl, `renewals_import_bench_a${r}`, files, policies, r === 1 ? dumpDir : undefined);
    stored = a.stored;
    log(`round ${r} A import: ${a.first.seconds.toFixed(2)} s (${Math.round(policies / a.first.seconds)} rows/s, load ${a.first.load.join('→')}), re-import ${a.again.seconds.toFixed(2)} s`);
    const b = await copyRound(serverUrl, `renewals_import_bench_b${r}`, dumpDir);
    for (const table of STORED_TABLES) if (b.rows[table] !== stored[table]) throw new Error(`COPY loaded ${b.rows[table]} ${table} rows, the import stored ${stored[table]}`);
    log(`round ${r} B COPY: ${b.copy.seconds.toFixed(2)} s (${Math.round(policies / b.copy.seconds)} policies/s, load ${b.copy.load.join('→')})`);
    rounds.push({
      importSeconds: round(a.first.seconds),
      importRowsPerSecond: Math.round(policies / a.first.seconds),
      importCpuSeconds: round(a.first.cpuSeconds),
      importTotalCpuSeconds: a.first.serverCpuSeconds === null ? null : round(a.first.cpuSeconds + a.first.serverCpuSeconds),
      copyServerCpuSeconds: b.copy.serverCpuSeconds,
      cpuRatio: a.first.serverCpuSeconds === null || b.copy.serverCpuSeconds === null ? null : round3(b.copy.serverCpuSeconds / (a.first.cpuSeconds + a.first.serverCpuSeconds)),
      reimportSeconds: round(a.again.seconds),
      reimportRowsPerSecond: Math.round(policies / a.again.seconds),
      copySeconds: round(b.copy.seconds),
      copyRowsPerSecond: Math.round(policies / b.copy.seconds),
      copyTables: b.rows,
      ratio: round3(b.copy.seconds / a.first.seconds),
      load: { import: a.first.load, copy: b.copy.load },
      machineBusy: { import: a.first.machineBusy, copy: b.copy.machineBusy },
    });
  }
  const raw = await rawFileCopy(serverUrl, files.policies, policies);
  return {
    policies,
    fileMB: Math.round(statSync(files.policies).size / 1e5) / 10,
    storedRows: stored,
    storedRowsTotal: Object.values(stored).reduce((a, b) => a + b, 0),
    rounds,
    import: { rowsPerSecond: summary(rounds.map((r) => r.importRowsPerSecond)), seconds: summary(rounds.map((r) => r.importSeconds)), cpuSeconds: summary(rounds.map((r) => r.importCpuSeconds)) },
    reimportUnchanged: { rowsPerSecond: summary(rounds.map((r) => r.reimportRowsPerSecond)) },
    copy: { rowsPerSecond: summary(rounds.map((r) => r.copyRowsPerSecond)), seconds: summary(rounds.map((r) => r.copySeconds)) },
    importToCopyRatio: summary(rounds.map((r) => r.ratio)),
    cpu: rounds.every((r) => r.cpuRatio !== null)
      ? {
          importSeconds: summary(rounds.map((r) => r.importTotalCpuSeconds!)),
          copySeconds: summary(rounds.map((r) => r.copyServerCpuSeconds!)),
          copyToImportRatio: summary(rounds.map((r) => r.cpuRatio!)),
        }
      : null,
    rawFileCopy: { seconds: round(raw.seconds), rowsPerSecond: Math.round(policies / raw.seconds), into: 'one table of 24 text columns, server-side COPY FROM the CSV file' },
  };
}

async function main(): Promise<void> {
  // Readable by the server process too (it runs as the postgres user when we are root): COPY reads the files itself.
  const dir = mkdtempSync(join(tmpdir(), 'renewals-import-bench-'));
  chmodSync(dir, 0o755);
  const postgres = await startPostgres();
  const started = { load: loadavg().map(round), at: new Date().toISOString() };
  try {
    const sizes = [];
    for (const policies of SIZES) sizes.push(await benchSize(postgres.url, dir, policies));
    const results = {
      benchmark: 'import',
      date: started.at,
      machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model.trim() ?? 'unknown', memoryGiB: Math.round(totalmem() / 2 ** 30), loadAverageAtStart: started.load, loadAverageAtEnd: loadavg().map(round) },
      postgres: `${postgres.source}, default settings`,
      batchSize: BATCH_SIZE,
      concurrency: CONCURRENCY ?? 'default',
      rounds: ROUNDS,
      copyBaseline: 'server-side COPY FROM files of the rows the import stored (customers, contact_points, policies, mandates, premium_dues, import_fingerprints) into tables LIKE them without indexes, keys, checks or NOT NULLs',
      sizes,
    };
    mkdirSync(join(__dirname, 'results'), { recursive: true });
    writeFileSync(join(__dirname, 'results', process.env.BENCH_RESULT_NAME ?? 'import.json'), `${JSON.stringify(results, null, 2)}\n`);
    const spread = (s: Summary, digits = 0) => `${fmt(s.median, digits)} (${fmt(s.min, digits)}–${fmt(s.max, digits)})`;
    const lines = [
      `### Import vs COPY into the same tables (batch ${BATCH_SIZE}, concurrency ${results.concurrency}, ${ROUNDS} rounds A/B interleaved; median (min–max))`,
      '',
      '| policies | rows stored | import rows/s | COPY policies/s | **import ÷ COPY** | re-import rows/s | importer CPU s | CPU s import (node + PG) / COPY (PG), ratio | load during import | machine CPU busy, import / COPY |',
      '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
      ...sizes.map(
        (s) =>
          `| ${s.policies.toLocaleString('en')} | ${s.storedRowsTotal.toLocaleString('en')} | ${spread(s.import.rowsPerSecond)} | ${spread(s.copy.rowsPerSecond)} | **${spread(s.importToCopyRatio, 3)}** | ${spread(s.reimportUnchanged.rowsPerSecond)} | ${spread(s.import.cpuSeconds, 1)} | ${s.cpu ? `${fmt(s.cpu.importSeconds.median, 1)} / ${fmt(s.cpu.copySeconds.median, 1)}, ${spread(s.cpu.copyToImportRatio, 3)}` : '?'} | ${s.rounds.map((r) => r.load.import.join('→')).join(', ')} | ${s.rounds.map((r) => `${pct(r.machineBusy.import)}/${pct(r.machineBusy.copy)}`).join(', ')} |`,
      ),
      '',
      ...sizes.map((s) => `Raw file COPY (${s.policies.toLocaleString('en')} rows into one text table): ${s.rawFileCopy.rowsPerSecond.toLocaleString('en')} rows/s.`),
      `${results.machine.cpus} CPUs (${results.machine.cpuModel}), load average ${started.load.join(' / ')} at start, ${results.machine.loadAverageAtEnd.join(' / ')} at end; PostgreSQL ${results.postgres}.`,
      '',
    ];
    process.stdout.write(lines.join('\n'));
  } finally {
    await postgres.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

function check(report: ImportReport, expected: Partial<ImportReport>): void {
  const wrong = Object.entries(expected).filter(([key, value]) => report[key as keyof ImportReport] !== value);
  if (wrong.length > 0 || report.rejected.length > 0) {
    throw new Error(`unexpected import result: ${JSON.stringify({ ...report, rejected: report.rejected.slice(0, 5) })}`);
  }
}

const round = (value: number) => Math.round(value * 100) / 100;
const round3 = (value: number) => Math.round(value * 1000) / 1000;
const fmt = (value: number, digits: number) => value.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const pct = (share: number | null) => (share === null ? '?' : `${Math.round(share * 100)} %`);
const count = async (db: ReturnType<typeof connect>, table: string, where: Record<string, string> = {}) => Number((await db(table).where(where).count<{ n: string }[]>({ n: '*' }))[0]!.n);

main().catch((error: unknown) => {
  process.stderr.write(`[bench] failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
