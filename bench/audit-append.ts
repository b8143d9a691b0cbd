/**
 * Benchmark: audit rows appended per second at 1, 4, 16 and 64 concurrent writers, on three tables of
 * the same shape in one embedded PostgreSQL database:
 *   partitioned — audit_events itself, through appendAudit: the chain per partition of policies with
 *                 signed heads (migration 023, docs/architecture.md#the-audit-chain);
 *   global      — the chain as it was before migration 023: one advisory lock for every writer, held
 *                 until commit (migration 004's trigger, copied onto a table of the same shape);
 *   unchained   — the same columns and indexes, no trigger: the ceiling for writing these rows.
 * Each writer appends one row per transaction (as an activity appends its fact's row), for a policy
 * drawn from 10,000 (so 64 writers meet on partitions now and then, as they would). Each round runs
 * every concurrency, the three tables interleaved in an order that alternates from round to round;
 * figures are medians over the rounds with their spread (min–max), and the ratios are taken within a
 * round. The machine's load average is recorded before and after.
 *
 *   npx tsx bench/audit-append.ts [--rounds 3] [--seconds 3] [--writers 1,4,16,64]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import type { Knex } from 'knex';
import { connect, migrateLatest, type Db } from '../db/connection';
import { appendAudit, inspectAuditChain } from '../db/repositories/audit';
import { createDatabase, startPostgres } from '../scripts/provision/postgres';

// The benchmark's world is the demo's: the development audit key signs its heads.
process.env.RENEWALS_ENV = 'demo';

function argument(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index < 0 ? fallback : (process.argv[index + 1] ?? fallback);
}
const ROUNDS = Number(argument('rounds', '3'));
const SECONDS = Number(argument('seconds', '3'));
const WRITERS = argument('writers', '1,4,16,64').split(',').map(Number);
if (!Number.isSafeInteger(ROUNDS) || ROUNDS < 1 || !(SECONDS > 0) || WRITERS.some((w) => !Number.isSafeInteger(w) || w < 1)) {
  throw new Error('--rounds must be a whole number ≥ 1, --seconds > 0, --writers whole numbers ≥ 1 separated by commas');
}
const POLICIES = 10_000;
const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);
const load = () => loadavg().map((l) => Number(l.toFixed(2)));

type Variant = 'partitioned' | 'global' | 'unchained';
const VARIANTS: readonly Variant[] = ['partitioned', 'global', 'unchained'];

/** The two comparison tables: the same columns, the same index on (policy_no, due_date). */
async function prepare(db: Db): Promise<void> {
  await db.raw(`CREATE TABLE audit_unchained (LIKE audit_events INCLUDING DEFAULTS INCLUDING INDEXES)`);
  await db.raw(`CREATE SEQUENCE audit_unchained_seq OWNED BY audit_unchained.seq`);
  await db.raw(`ALTER TABLE audit_unchained ALTER seq SET DEFAULT nextval('audit_unchained_seq')`);
  await db.raw(`CREATE TABLE audit_global (LIKE audit_events INCLUDING DEFAULTS INCLUDING INDEXES)`);
  // Migration 004's digest and trigger, word for word but for the table's name.
  await db.raw(`
    CREATE FUNCTION audit_global_digest(prev text, ev audit_global) RETURNS text
    LANGUAGE sql IMMUTABLE AS $$
      SELECT encode(sha256(convert_to(
        prev || '|' || ((to_jsonb(ev) - 'hash' - 'prev_hash' - 'occurred_at')::text)
             || '|' || (extract(epoch FROM ev.occurred_at) * 1000000)::bigint::text,
        'UTF8')), 'hex')
    $$`);
  await db.raw(`
    CREATE FUNCTION audit_global_chain() RETURNS trigger
    LANGUAGE plpgsql AS $$
    DECLARE
      previous_seq bigint;
      previous_hash text;
    BEGIN
      PERFORM pg_advisory_xact_lock(hashtext('audit_global_chain'));
      SELECT seq, hash INTO previous_seq, previous_hash FROM audit_global ORDER BY seq DESC LIMIT 1;
      NEW.seq := coalesce(previous_seq, 0) + 1;
      NEW.prev_hash := coalesce(previous_hash, repeat('0', 64));
      NEW.hash := audit_global_digest(NEW.prev_hash, NEW);
      RETURN NEW;
    END $$`);
  await db.raw(`CREATE TRIGGER audit_global_chain BEFORE INSERT ON audit_global FOR EACH ROW EXECUTE FUNCTION audit_global_chain()`);
}

/** A contact_sent row as the contact activity writes it, for one of the 10,000 policies. */
function event(writer: number, n: number) {
  const policy = (writer * 7919 + n * 104_729) % POLICIES;
  const policyNo = `P2027${String(policy).padStart(5, '0')}`;
  return {
    kind: 'contact_sent' as const,
    actor: 'renewal-cycle',
    policyNo,
    dueDate: '2027-03-15',
    workflowId: `renewal-${policyNo}-2027-03-15`,
    runId: '6f1c2d3e-0000-4000-8000-000000000000',
    activityId: String(n % 40),
    detail: { contactId: `c-${writer}-${n}`, step: 'reminder_d-30', channel: 'sms', template: 'reminder@3', recipient: '138****8000', provider: 'aliyun', providerMessageId: `biz-${writer}-${n}` },
  };
}

async function append(db: Db, variant: Variant, writer: number, n: number): Promise<void> {
  const e = event(writer, n);
  if (variant === 'partitioned') {
    await appendAudit(db, e);
    return;
  }
  const row = {
    kind: e.kind,
    actor: e.actor,
    policy_no: e.policyNo,
    due_date: e.dueDate,
    workflow_id: e.workflowId,
    run_id: e.runId,
    activity_id: e.activityId,
    occurred_at: db.fn.now(),
    detail: JSON.stringify(e.detail),
    prev_hash: '',
    hash: '',
  };
  await db(variant === 'global' ? 'audit_global' : 'audit_unchained').insert(variant === 'global' ? { ...row, seq: 0 } : row);
}

/** `writers` loops appending for `seconds`; rows/s over the window. */
async function measure(db: Db, variant: Variant, writers: number): Promise<number> {
  const until = Date.now() + SECONDS * 1000;
  const started = process.hrtime.bigint();
  const counts = await Promise.all(
    Array.from({ length: writers }, async (_, writer) => {
      let n = 0;
      while (Date.now() < until) {
        await append(db, variant, writer, n);
        n += 1;
      }
      return n;
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return counts.reduce((a, b) => a + b, 0) / seconds;
}

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const round1 = (n: number) => Math.round(n * 10) / 10;
const round2 = (n: number) => Math.round(n * 100) / 100;

async function main(): Promise<void> {
  const loadBefore = load();
  const server = await startPostgres();
  let db: Knex | undefined;
  try {
    const url = await createDatabase(server.url, 'renewals_audit_bench');
    const migrator = connect(url, { max: 1 });
    await migrateLatest(migrator);
    await prepare(migrator);
    await migrator.destroy();
    db = connect(url, { max: Math.max(...WRITERS) + 2 });
    // Warm-up: connections opened, plans cached.
    for (const variant of VARIANTS) await measure(db, variant, Math.max(...WRITERS)).then(() => undefined);

    const rates: Record<Variant, Record<number, number[]>> = { partitioned: {}, global: {}, unchained: {} };
    const ratios: Record<'partitionedToUnchained' | 'globalToUnchained' | 'partitionedToGlobal', Record<number, number[]>> = {
      partitionedToUnchained: {},
      globalToUnchained: {},
      partitionedToGlobal: {},
    };
    for (let round = 1; round <= ROUNDS; round += 1) {
      const order = round % 2 === 1 ? VARIANTS : [...VARIANTS].reverse();
      for (const writers of WRITERS) {
        const got: Partial<Record<Variant, number>> = {};
        for (const variant of order) {
          got[variant] = await measure(db, variant, writers);
          (rates[variant][writers] ??= []).push(got[variant]);
          log(`round ${round}, ${writers} writers, ${variant}: ${got[variant].toFixed(0)} rows/s (load ${load()[0]})`);
        }
        (ratios.partitionedToUnchained[writers] ??= []).push(got.partitioned! / got.unchained!);
        (ratios.globalToUnchained[writers] ??= []).push(got.global! / got.unchained!);
        (ratios.partitionedToGlobal[writers] ??= []).push(got.partitioned! / got.global!);
      }
    }

    const verifyStarted = process.hrtime.bigint();
    const chain = await inspectAuditChain(db);
    const verifySeconds = Number(process.hrtime.bigint() - verifyStarted) / 1e9;
    if (chain.problems !== 0 || chain.headProblems !== 0) throw new Error(`the partitioned chain does not verify after the run: ${JSON.stringify({ problems: chain.problems, headProblems: chain.headProblems })}`);

    const summary = (values: readonly number[], round: (n: number) => number) => ({ median: round(median(values)), min: round(Math.min(...values)), max: round(Math.max(...values)), runs: values.map(round) });
    const results = WRITERS.map((writers) => ({
      writers,
      rowsPerSecond: Object.fromEntries(VARIANTS.map((v) => [v, summary(rates[v][writers]!, round1)])),
      ratios: Object.fromEntries(Object.entries(ratios).map(([name, byWriters]) => [name, summary(byWriters[writers]!, round2)])),
    }));
    const report = {
      benchmark: 'audit-append',
      date: new Date().toISOString(),
      machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', memoryGiB: Math.round(totalmem() / 2 ** 30), loadAverageBefore: loadBefore, loadAverageAfter: load() },
      postgres: server.source,
      rounds: ROUNDS,
      secondsPerMeasurement: SECONDS,
      policies: POLICIES,
      note: 'One row per transaction. partitioned = audit_events via appendAudit (migration 023); global = migration 004\'s trigger on a copy table; unchained = same shape, no trigger. Ratios taken within each round; median and min–max over rounds.',
      results,
      verify: { rows: chain.rows, seconds: round2(verifySeconds), rowsPerSecond: Math.round(chain.rows / verifySeconds) },
    };
    const file = join(__dirname, 'results', 'audit-append.json');
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
    const cell = (s: { median: number; min: number; max: number }, digits = 0) => `${s.median.toFixed(digits)} (${s.min.toFixed(digits)}–${s.max.toFixed(digits)})`;
    process.stdout.write(
      [
        `### Audit append (${ROUNDS} rounds × ${SECONDS} s, one row per transaction)`,
        '',
        '| writers | partitioned rows/s | global (before) rows/s | unchained rows/s | partitioned ÷ unchained | global ÷ unchained | partitioned ÷ global |',
        '|---:|---:|---:|---:|---:|---:|---:|',
        ...results.map((r) =>
          `| ${r.writers} | ${cell(r.rowsPerSecond.partitioned!)} | ${cell(r.rowsPerSecond.global!)} | ${cell(r.rowsPerSecond.unchained!)} | ${cell(r.ratios.partitionedToUnchained!, 2)} | ${cell(r.ratios.globalToUnchained!, 2)} | ${cell(r.ratios.partitionedToGlobal!, 2)} |`,
        ),
        '',
        `verify after the run: ${chain.rows} rows in ${report.verify.seconds} s (${report.verify.rowsPerSecond} rows/s), intact`,
        `machine: ${report.machine.cpus} × ${report.machine.cpuModel}, ${report.machine.memoryGiB} GiB, load ${loadBefore.join(' ')} before, ${report.machine.loadAverageAfter.join(' ')} after`,
        'Written to bench/results/audit-append.json',
        '',
      ].join('\n'),
    );
  } finally {
    await db?.destroy();
    await server.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
