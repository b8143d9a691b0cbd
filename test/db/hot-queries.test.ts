import { MockActivityEnvironment } from '@temporalio/testing';
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContactActivities, type ContactOutcome } from '../../activities/contact-activities';
import { createCycleActivities } from '../../activities/cycle-activities';
import { createDebitActivities } from '../../activities/debit-activities';
import { PiiCipher } from '../../db/pii-cipher';
import { countDuePremiums, duePremiumsPage, openMonthlyRun } from '../../db/repositories/monthly-runs';
import { debitsAwaitingFile } from '../../db/repositories/bank-files';
import { recordReceipts } from '../../db/repositories/contact-receipts';
import { cyclesWaitingFor } from '../../db/repositories/contacts';
import { escalateOverdueTasks } from '../../db/repositories/tasks';
import { accountFacts } from '../../db/repositories/user-accounts';
import { shanghaiInstant } from '../../domain/civil-date';
import type { DebitResult } from '../../domain/cycle-state';
import { SimulatedBank } from '../../integrations/bank/simulator';
import { SmtpEmail } from '../../integrations/messaging/smtp-email';
import { RecordingTextChannels } from '../../integrations/messaging/text-channels';
import { dailyReport } from '../../reports/daily';
import { monthlyReport } from '../../reports/monthly';
import { startSmtpCatcher, type SmtpCatcher } from '../../scripts/smtp-catcher';
import { freshDatabase, type TestDatabase } from '../support/database';
import { samplePolicy, seedPolicy } from '../support/fixtures';

/**
 * Every hot query (docs/architecture.md#hot-paths) is EXPLAINed on tables of a realistic size: the
 * paths run for real (a contact step, a debit, a cycle opening, a monthly run's start, the task
 * sweep, the daily and monthly reports), each statement they send is captured, and its plan must not
 * read a large table from end to end (a sequential scan). Tables of reference data (products,
 * branches, plans, the calendar, circuits) are small by nature and may be scanned.
 */
const POLICIES = 20_000;
/** A table with more rows than this is large: a sequential scan of it fails the test. */
const LARGE = 5_000;

let database: TestDatabase;
let smtp: SmtpCatcher;
let email: SmtpEmail;
const cipher = new PiiCipher('77'.repeat(32));

/** The seeded book, written set-wise: customers and their mobiles, policies, mandates, two premiums each, attempts, tasks, audit rows. */
async function seedBook(db: Knex): Promise<void> {
  await db.raw(`
    INSERT INTO customers (name_masked, name_enc, id_type, id_no_masked, id_no_enc, id_no_hash)
    SELECT '书*', 'x', 'ID', '3201**********' || i, 'x', md5('id' || i) FROM generate_series(1, ${POLICIES}) i`);
  await db.raw(`
    INSERT INTO contact_points (customer_id, type, value_masked, value_enc, value_hash, status, source)
    SELECT c.id, t.type::contact_point_type, '138****' || c.id, 'x', md5(t.type || c.id), 'valid', 'import'
    FROM customers c CROSS JOIN (VALUES ('mobile'), ('email')) t(type) WHERE c.name_masked = '书*'`);
  await db.raw(`
    INSERT INTO policies (policy_no, product_code, channel, branch_code, holder_customer_id, issue_date, payment_frequency, premium_fen, next_due_date, status)
    SELECT 'P-BOOK-' || lpad(c.id::text, 6, '0'), 'WL20', 'agency', '3201', c.id, date '2020-01-01' + (c.id % 365)::int, 'annual', 500000,
           date '2026-01-01' + (c.id % 365)::int, 'in_force'
    FROM customers c WHERE c.name_masked = '书*'`);
  await db.raw(`
    INSERT INTO mandates (policy_no, bank_code, account_masked, account_enc, account_hash, account_name_masked, account_name_enc)
    SELECT policy_no, 'ICBC', '622202******0000', 'x', md5(policy_no), '张*', 'x' FROM policies WHERE policy_no LIKE 'P-BOOK-%'`);
  // Five years of premiums a policy: this year's due for the few of this month, paid for the rest, and four years paid before.
  await db.raw(`
    INSERT INTO premium_dues (policy_no, due_date, installment_no, amount_fen, status, workflow_id, paid_at, paid_via)
    SELECT p.policy_no, p.next_due_date - (y * 365), 10 - y, 500000,
           CASE WHEN y = 0 AND p.next_due_date >= date '2026-12-01' THEN 'due'::premium_status ELSE 'paid'::premium_status END,
           'renewal-' || p.policy_no || '-' || (p.next_due_date - (y * 365)),
           CASE WHEN y = 0 AND p.next_due_date >= date '2026-12-01' THEN NULL ELSE timestamptz '2026-01-01' END,
           CASE WHEN y = 0 AND p.next_due_date >= date '2026-12-01' THEN NULL ELSE 'debit'::payment_via END
    FROM policies p CROSS JOIN generate_series(0, 4) y WHERE p.policy_no LIKE 'P-BOOK-%'`);
  await db.raw(`
    INSERT INTO debit_attempts (premium_due_id, attempt_no, idempotency_key, bank_code, amount_fen, collection_date, status, workflow_id, run_id, activity_id,
                                debtor_account_masked, submitted_at, resolved_at)
    SELECT d.id, 1, 'RNWBOOK' || d.id, 'ICBC', d.amount_fen, d.due_date, 'succeeded', d.workflow_id, 'run', '9', '622202******0000',
           d.due_date::timestamptz, d.due_date::timestamptz
    FROM premium_dues d WHERE d.status = 'paid'`);
  await db.raw(`
    INSERT INTO payments (premium_due_id, amount_fen, via, reference, received_at, reconciled)
    SELECT premium_due_id, amount_fen, 'debit', idempotency_key, resolved_at, true FROM debit_attempts WHERE idempotency_key LIKE 'RNWBOOK%'`);
  await db.raw(`
    INSERT INTO contact_attempts (id, policy_no, due_date, step, channel, template_code, template_version, status, workflow_id, run_id, activity_id, planned_at, sent_at)
    SELECT gen_random_uuid(), d.policy_no, d.due_date, s.step, 'sms', 'pre_due_reminder', 1, 'sent', d.workflow_id, 'run', '3',
           d.due_date - 30, d.due_date - 30
    FROM premium_dues d CROSS JOIN (VALUES ('pre_due_reminder'), ('debit_notice')) s(step) WHERE d.policy_no LIKE 'P-BOOK-%' AND d.due_date >= date '2025-01-01'`);
  // A few contacts wait for a provider (their last refusal came from it).
  await db.raw(`
    UPDATE contact_attempts SET status = 'pending', sent_at = NULL, provider_code = 'aliyun-sms:Throttling'
    WHERE policy_no LIKE 'P-BOOK-00001%' AND due_date >= date '2026-01-01' AND step = 'debit_notice'`);
  await db.raw(`
    INSERT INTO tasks (kind, step, policy_no, due_date, assignee_role, due_at, status, workflow_id, run_id, activity_id, created_at, completed_at)
    SELECT 'call', 'grace_call', d.policy_no, d.due_date, 'agent', d.due_date + 7, 'done', d.workflow_id, 'run', '12', d.due_date::timestamptz, d.due_date + 3
    FROM premium_dues d WHERE d.policy_no LIKE 'P-BOOK-%' AND d.due_date >= date '2025-01-01'`);
  await db.raw(`
    INSERT INTO audit_events (kind, actor, policy_no, due_date, workflow_id, run_id, activity_id, occurred_at, detail, seq, prev_hash, hash)
    SELECT 'contact_sent', 'renewal-cycle', policy_no, due_date, workflow_id, run_id, activity_id, sent_at, '{}', 0, '', ''
    FROM contact_attempts LIMIT ${POLICIES}`);
  // The system partition (rows of no policy): imports, runs and the like, and a tenth of them console sign-ins of 200 people.
  await db.raw(`
    INSERT INTO audit_events (kind, actor, occurred_at, detail, seq, prev_hash, hash)
    SELECT CASE WHEN i % 10 = 0 THEN 'console_signed_in' ELSE 'import_finished' END, 'user:' || (i % 200),
           timestamptz '2026-01-01 00:00+08' + i * interval '1 minute', '{}', 0, '', ''
    FROM generate_series(1, ${POLICIES}) i`);
  // Statistics from every row, not a random sample: sampled estimates of a month's premiums varied
  // from run to run, and a plan flipped between an index probe and a full scan with them.
  await db.transaction(async (trx) => {
    await trx.raw('SET LOCAL default_statistics_target = 1000');
    await trx.raw('ANALYZE');
  });
}

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  Plans?: PlanNode[];
}

function seqScans(node: PlanNode, found: string[] = []): string[] {
  if (node['Node Type'] === 'Seq Scan' && node['Relation Name']) found.push(node['Relation Name']);
  for (const child of node.Plans ?? []) seqScans(child, found);
  return found;
}

/**
 * Whole-month reports join a month's cohort with the tables it touches by hashing, reading those
 * once from end to end: chosen and measured in reports/monthly-figures.ts (one pass beats a random
 * index probe per premium at a million premiums). Only that statement, only those tables.
 */
const MONTHLY_FIGURES_HASH_JOINS = { statement: /cohort AS MATERIALIZED/, tables: new Set(['policies', 'payments']) };

/** Runs `work`, and EXPLAINs every statement it sent: the large tables each plan reads from end to end. */
async function scansOf(db: Knex, path: string, work: () => Promise<unknown>, large: Set<string>): Promise<string[]> {
  const captured: { sql: string; bindings: unknown[] }[] = [];
  const listener = (q: { sql: string; bindings?: unknown[] }) => captured.push({ sql: q.sql, bindings: q.bindings ?? [] });
  db.on('query', listener);
  try {
    await work();
  } finally {
    db.off('query', listener);
  }
  const problems: string[] = [];
  for (const { sql, bindings } of captured) {
    if (!/^\s*(select|update|delete|insert into \S+ .*select|with)\b/is.test(sql) || /pg_advisory_xact_lock|^\s*select 1\b/i.test(sql)) continue;
    if (/^\s*insert/i.test(sql) && !/\bselect\b/i.test(sql)) continue;
    // The statement's $n placeholders become knex's ? with the same values.
    const values: unknown[] = [];
    const text = sql.replace(/\$(\d+)/g, (_m, n: string) => {
      values.push(bindings[Number(n) - 1]);
      return '?';
    });
    const result = await db.raw<{ rows: { 'QUERY PLAN': [{ Plan: PlanNode }] }[] }>(`EXPLAIN (FORMAT JSON) ${text}`, values as Knex.RawBinding[]);
    const plan = result.rows[0]!['QUERY PLAN'][0].Plan;
    const allowed = MONTHLY_FIGURES_HASH_JOINS.statement.test(sql) ? MONTHLY_FIGURES_HASH_JOINS.tables : new Set<string>();
    const scanned = seqScans(plan).filter((t) => large.has(t) && !allowed.has(t));
    if (process.env.HOT_QUERIES_VERBOSE) process.stderr.write(`[hot] ${path}: ${scanned.join(',') || '-'} :: ${sql.slice(0, 160)}\n`);
    if (scanned.length > 0) problems.push(`${path}: seq scan of ${scanned.join(', ')} in: ${sql}`);
  }
  return problems;
}

let large: Set<string>;

beforeAll(async () => {
  database = await freshDatabase();
  smtp = await startSmtpCatcher();
  email = new SmtpEmail(smtp.url, 'renewals@insurer.example');
  await seedPolicy(database.db, cipher, samplePolicy({ policyNo: 'P-HOT-0001', holderIdNo: '320102198001019001', accountNo: '6222020000000009001', nextDueDate: '2026-12-24' }));
  await seedPolicy(database.db, cipher, samplePolicy({ policyNo: 'P-HOT-0002', holderIdNo: '320102198001019002', accountNo: '6222020000000009002', nextDueDate: '2026-12-24' }));
  await seedBook(database.owner);
  const sizes = await database.db.raw<{ rows: { relname: string; n: number }[] }>(
    `SELECT relname, reltuples::bigint AS n FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace`,
  );
  large = new Set(sizes.rows.filter((r) => Number(r.n) > LARGE).map((r) => r.relname));
}, 180_000);

afterAll(async () => {
  email?.close();
  await smtp?.close();
  await database?.drop();
});

function activity(workflowId: string, activityId: string, at: number) {
  return new MockActivityEnvironment({ activityId, currentAttemptScheduledTimestampMs: at, workflowExecution: { workflowId, runId: 'run-1' } });
}

describe('hot queries on a book of 20,000 policies use indexes', () => {
  it('the seeded tables are large', () => {
    expect([...large].sort()).toEqual(expect.arrayContaining(['audit_events', 'contact_attempts', 'contact_points', 'customers', 'debit_attempts', 'mandates', 'payments', 'policies', 'premium_dues', 'tasks']));
  });

  it('cycle opening, a contact step and a debit', async () => {
    const ref = { policyNo: 'P-HOT-0001', dueDate: '2026-12-24' };
    const workflowId = `renewal-${ref.policyNo}-${ref.dueDate}`;
    const cycles = createCycleActivities({ db: database.db });
    const contacts = createContactActivities({ db: database.db, cipher, email, text: new RecordingTextChannels() });
    const bank = new SimulatedBank([{ bankCode: 'ICBC', accountNo: '6222020000000009001', accountName: '张三丰', status: 'active', balanceFen: 99_000_000 }]);
    const debits = createDebitActivities({ db: database.db, cipher, bank });
    const at = shanghaiInstant('2026-11-24', '10:00');
    const problems = [
      ...(await scansOf(database.db, 'openCycle', () => activity(workflowId, '1', at).run(() => cycles.openCycle(ref, '2026-12')), large)),
      ...(await scansOf(
        database.db,
        'contact step',
        () =>
          activity(workflowId, '5', at).run<[], ContactOutcome, () => Promise<ContactOutcome>>(() =>
            contacts.attemptContact(ref, { step: 'pre_due_reminder', template: 'pre_due_reminder', channels: ['sms', 'email'], allChannels: true }),
          ),
        large,
      )),
      ...(await scansOf(
        database.db,
        'debit step',
        () => activity(workflowId, '9', shanghaiInstant('2026-12-24', '10:00')).run<[], DebitResult, () => Promise<DebitResult>>(() => debits.collectDebit(ref, 1, '2026-12-24')),
        large,
      )),
      ...(await scansOf(
        database.db,
        'task',
        () => activity(workflowId, '12', at).run(() => contacts.openCycleTask(ref, { step: 'grace_call', task: 'call', assignee: 'agent' })),
        large,
      )),
    ];
    expect(problems).toEqual([]);
  });

  it('a monthly run starting, a receipt, a bank file, a circuit closing, the task sweep', async () => {
    const problems = [
      ...(await scansOf(database.db, 'monthly run', async () => {
        await openMonthlyRun(database.db, '2026-12', 'monthly-run-2026-12');
        await countDuePremiums(database.db, '2026-12');
        const first = await duePremiumsPage(database.db, '2026-12', undefined, 500);
        await duePremiumsPage(database.db, '2026-12', first.at(-1), 500);
      }, large)),
      ...(await scansOf(database.db, 'delivery receipt', () => recordReceipts(database.db, [{ provider: 'aliyun-sms', providerMessageId: 'MSG-NOT-OURS-1', delivered: true, code: 'DELIVERED', at: new Date() }]), large)),
      ...(await scansOf(database.db, 'bank file export', () => debitsAwaitingFile(database.db, '2026-12-24'), large)),
      ...(await scansOf(database.db, 'circuit closed', () => cyclesWaitingFor(database.db, 'aliyun-sms'), large)),
      ...(await scansOf(database.db, 'task sweep', () => escalateOverdueTasks(database.db, new Date(shanghaiInstant('2026-12-01', '10:00')), 'overdue-task-sweep'), large)),
    ];
    expect(problems).toEqual([]);
  });

  it("the administration page's last sign-ins, of everyone and of one person", async () => {
    const problems = [
      ...(await scansOf(database.db, 'all accounts', () => accountFacts(database.db), large)),
      ...(await scansOf(database.db, 'one account', () => accountFacts(database.db, 7), large)),
    ];
    expect(problems).toEqual([]);
  });

  it("the reports' main queries", async () => {
    const problems = [
      ...(await scansOf(database.db, 'daily report', () => dailyReport(database.db, '2026-12-01'), large)),
      ...(await scansOf(database.db, 'monthly report', () => monthlyReport(database.db, '2026-12', { asOf: '2026-12-06' }), large)),
    ];
    expect(problems).toEqual([]);
  });
});
