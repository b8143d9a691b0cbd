/**
 * Benchmark: importing 100,000 policies (policies.csv as docs/business-rules.md#import-files defines it) into a fresh
 * database on embedded PostgreSQL, in rows/s, and as a ratio to PostgreSQL's own COPY of the same
 * file into a staging table of text columns (COPY does no validation, no encryption, no
 * deduplication: it is the ceiling for getting these bytes into the server).
 *
 *   npx tsx bench/import.ts [policies=100000] [batchSize=1000]
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { importFile, type ImportReport } from '../application/import-files';
import { connect, migrateLatest } from '../db/connection';
import { PiiCipher } from '../db/pii-cipher';
import { addDays } from '../domain/civil-date';
import { POLICY_COLUMNS } from '../domain/import-columns';
import { residentIdCheckChar } from '../domain/import-rows';
import { createDatabase, startPostgres } from '../scripts/provision/postgres';

const POLICIES = Number(process.argv[2] ?? 100_000);
const BATCH_SIZE = Number(process.argv[3] ?? 1000);
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
const rnd = random(20260315);
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

function writeFiles(dir: string): { products: string; agents: string; policies: string } {
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
  for (let i = 0; i < POLICIES; i++) {
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

/** Wall time, and this process's CPU time (user + system): the importer's own cost, less sensitive to machine load. */
async function timed<T>(work: () => Promise<T>): Promise<{ result: T; seconds: number; cpuSeconds: number }> {
  const started = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  const result = await work();
  const used = process.cpuUsage(cpu);
  return { result, seconds: Number(process.hrtime.bigint() - started) / 1e9, cpuSeconds: (used.user + used.system) / 1e6 };
}

async function main(): Promise<void> {
  // Readable by the server process too (it runs as the postgres user when we are root): COPY reads the file itself.
  const dir = mkdtempSync(join(tmpdir(), 'renewals-import-bench-'));
  chmodSync(dir, 0o755);
  const files = writeFiles(dir);
  for (const file of Object.values(files)) chmodSync(file, 0o644);
  log(`generated ${POLICIES} policies (${(statSync(files.policies).size / 1e6).toFixed(1)} MB) and ${AGENTS} agents in ${dir}`);

  const postgres = await startPostgres();
  const db = connect(await createDatabase(postgres.url, 'renewals_import_bench'), { max: 4 });
  try {
    await migrateLatest(db);
    const cipher = new PiiCipher('44'.repeat(32));
    const reference = await timed(async () => [await importFile(db, cipher, 'products', files.products), await importFile(db, cipher, 'agents', files.agents)]);
    log(`products and agents imported in ${reference.seconds.toFixed(1)} s`);

    let lastLog = 0;
    const onProgress = (rows: number) => {
      if (rows - lastLog >= 20_000) {
        lastLog = rows;
        log(`${rows} rows…`);
      }
    };
    const first = await timed(() => importFile(db, cipher, 'policies', files.policies, { batchSize: BATCH_SIZE, onProgress }));
    check(first.result, { inserted: POLICIES });
    log(`import: ${first.seconds.toFixed(1)} s`);
    lastLog = 0;
    const again = await timed(() => importFile(db, cipher, 'policies', files.policies, { batchSize: BATCH_SIZE, onProgress }));
    check(again.result, { unchanged: POLICIES });
    log(`re-import (unchanged): ${again.seconds.toFixed(1)} s`);

    const columns = POLICY_COLUMNS.map((c) => `${c} text`).join(', ');
    await db.raw(`CREATE TABLE copy_staging (${columns})`);
    const copy = await timed(() => db.raw(`COPY copy_staging FROM '${files.policies}' WITH (FORMAT csv, HEADER true, ENCODING 'UTF8')`));
    const copied = Number((await db('copy_staging').count<{ n: string }[]>({ n: '*' }))[0]!.n);
    if (copied !== POLICIES) throw new Error(`COPY loaded ${copied} rows, expected ${POLICIES}`);
    log(`COPY: ${copy.seconds.toFixed(2)} s`);

    const importRate = POLICIES / first.seconds;
    const copyRate = POLICIES / copy.seconds;
    const results = {
      benchmark: 'import',
      date: new Date().toISOString(),
      machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model.trim() ?? 'unknown', memoryGiB: Math.round(totalmem() / 2 ** 30), loadAverageAtEnd: loadavg().map((l) => Math.round(l * 100) / 100) },
      postgres: `${postgres.source}, default settings`,
      policies: POLICIES,
      fileMB: Math.round(statSync(files.policies).size / 1e5) / 10,
      batchSize: BATCH_SIZE,
      import: { seconds: round(first.seconds), rowsPerSecond: Math.round(importRate), nodeCpuSeconds: round(first.cpuSeconds), customers: await count(db, 'customers'), contactPoints: await count(db, 'contact_points') },
      reimportUnchanged: { seconds: round(again.seconds), rowsPerSecond: Math.round(POLICIES / again.seconds), nodeCpuSeconds: round(again.cpuSeconds) },
      copy: { seconds: round(copy.seconds), rowsPerSecond: Math.round(copyRate), into: 'staging table of 24 text columns, server-side COPY FROM file (csv, header)' },
      importToCopyRatio: Math.round((importRate / copyRate) * 1000) / 1000,
    };
    mkdirSync(join(__dirname, 'results'), { recursive: true });
    writeFileSync(join(__dirname, 'results', 'import.json'), `${JSON.stringify(results, null, 2)}\n`);
    process.stdout.write(
      [
        `### Import of ${POLICIES.toLocaleString('en')} policies (${results.fileMB} MB policies.csv, batch ${BATCH_SIZE})`,
        '',
        '| measure | seconds | rows/s | importer CPU s |',
        '|---|---:|---:|---:|',
        `| \`renewals import policies\` (validate, encrypt, write holder + contacts + policy + mandate + due) | ${results.import.seconds} | ${results.import.rowsPerSecond.toLocaleString('en')} | ${results.import.nodeCpuSeconds} |`,
        `| re-import of the same file (nothing written) | ${results.reimportUnchanged.seconds} | ${results.reimportUnchanged.rowsPerSecond.toLocaleString('en')} | ${results.reimportUnchanged.nodeCpuSeconds} |`,
        `| PostgreSQL \`COPY\` of the same file into a text staging table | ${results.copy.seconds} | ${results.copy.rowsPerSecond.toLocaleString('en')} | |`,
        '',
        `Import / COPY ratio: **${results.importToCopyRatio}**. ${results.machine.cpus} CPUs (${results.machine.cpuModel}), load average at end ${results.machine.loadAverageAtEnd.join(' / ')}; PostgreSQL ${results.postgres}.`,
        '',
      ].join('\n'),
    );
  } finally {
    await db.destroy();
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

const round = (seconds: number) => Math.round(seconds * 100) / 100;
const count = async (db: ReturnType<typeof connect>, table: string) => Number((await db(table).count<{ n: string }[]>({ n: '*' }))[0]!.n);

main().catch((error: unknown) => {
  process.stderr.write(`[bench] failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
