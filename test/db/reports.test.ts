import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { appendAudit } from '../../db/repositories/audit';
import { dailyReport } from '../../reports/daily';
import { describeSummary, monthlyReport, type MonthlyReport } from '../../reports/monthly';
import { shanghaiInstant } from '../../domain/civil-date';
import { collectionCutoffs, fraction } from '../../domain/kpis';
import { daysOf } from '../../domain/months';
import { graceEndMonthSql } from '../../reports/monthly-figures';
import { runCliCaptured } from '../support/cli';
import { freshDatabase, type TestDatabase } from '../support/database';
import { seedReportOrganisation } from '../support/report-organisation';

/**
 * A hand-built January 2026 (due month) on real PostgreSQL. Products: WL20 (60 grace days) and
 * CI10 (30). Agents: A001 active (team T1), A002 departed (team T2): A002's policies are orphans.
 *
 * | no  | product | branch | channel       | agent | inst | due        | fen     | what happened                                         |
 * | P01 | WL20    | 3201   | agency        | A001  | 2    | 2026-01-05 | 100000  | debit ok 01-05                                        |
 * | P02 | WL20    | 3201   | agency        | A001  | 3    | 2026-01-10 | 200000  | counter 02-15 (in grace)                              |
 * | P03 | CI10    | 3201   | bancassurance | —     | 5    | 2026-01-15 | 300000  | debit ok 01-20, returned 02-10, lapsed 02-15 00:00    |
 * | P04 | WL20    | 3202   | bancassurance | A002  | 2    | 2026-01-31 | 400000  | transfer 03-25 (grace ends 04-01, 宽末 = April)        |
 * | P05 | WL20    | 3202   | agency        | A002  | 4    | 2026-01-20 | 150000  | debit refused ACCOUNT_CLOSED, lapsed 03-22 00:00      |
 * | P06 | CI10    | 3202   | agency        | —     | 2    | 2026-01-25 | 50000   | online 02-24 23:30, the last grace day                |
 * | P07 | WL20    | 3201   | agency        | A001  | 2    | 2026-01-28 | 120000  | counter 02-01 07:00 Shanghai (= 01-31 23:00 UTC)      |
 * | P08 | WL20    | 3201   | bancassurance | A001  | 3    | 2026-01-08 | 80000   | lapsed 03-10 00:00, reinstated: counter 03-20          |
 * | P09 | CI10    | 3202   | agency        | A002  | 5    | 2026-01-12 | 250000  | debit ok 01-12                                        |
 * | P10 | WL20    | 3202   | bancassurance | —     | 6    | 2026-01-03 | 60000   | cycle closed unpaid (no lapse)                         |
 * | P11 | WL20    | 3201   | agency        | A001  | 2    | 2026-01-15 | 999900  | waived: not in the month's figures                    |
 * P01 also has last year's premium (2025-01-05, paid); P12…P16 are due in February (daily report).
 *
 * Cohort: 10 cases, 1,710,000 fen (P11 waived, others outside January).
 */
const at = (date: string, time = '00:00') => new Date(shanghaiInstant(date, time));

let t: TestDatabase;
let dir: string;
const ids = new Map<string, number>();

async function seed(db: TestDatabase['db']): Promise<void> {
  const customerId = await seedReportOrganisation(db);
  const policies: [string, string, string, string, string | null][] = [
    ['P01', 'WL20', '3201', 'agency', 'A001'],
    ['P02', 'WL20', '3201', 'agency', 'A001'],
    ['P03', 'CI10', '3201', 'bancassurance', null],
    ['P04', 'WL20', '3202', 'bancassurance', 'A002'],
    ['P05', 'WL20', '3202', 'agency', 'A002'],
    ['P06', 'CI10', '3202', 'agency', null],
    ['P07', 'WL20', '3201', 'agency', 'A001'],
    ['P08', 'WL20', '3201', 'bancassurance', 'A001'],
    ['P09', 'CI10', '3202', 'agency', 'A002'],
    ['P10', 'WL20', '3202', 'bancassurance', null],
    ['P11', 'WL20', '3201', 'agency', 'A001'],
    ['P12', 'WL20', '3201', 'agency', 'A001'],
    ['P13', 'WL20', '3201', 'agency', 'A001'],
    ['P14', 'WL20', '3201', 'agency', 'A001'],
    ['P15', 'WL20', '3201', 'agency', 'A001'],
    ['P16', 'WL20', '3201', 'agency', 'A001'],
  ];
  await db('policies').insert(
    policies.map(([no, product, branch, channel, agent]) => ({
      policy_no: no,
      product_code: product,
      branch_code: branch,
      channel,
      agent_code: agent,
      holder_customer_id: customerId,
      issue_date: '2020-01-01',
      payment_frequency: 'annual',
      premium_fen: 1,
      status: 'in_force',
    })),
  );
  const dues: [string, string, string, number, number, string?][] = [
    ['P01', 'P01', '2026-01-05', 2, 100000, 'paid'],
    ['P01-2025', 'P01', '2025-01-05', 1, 100000, 'paid'],
    ['P02', 'P02', '2026-01-10', 3, 200000, 'paid'],
    ['P03', 'P03', '2026-01-15', 5, 300000, 'lapsed'],
    ['P04', 'P04', '2026-01-31', 2, 400000, 'paid'],
    ['P05', 'P05', '2026-01-20', 4, 150000, 'lapsed'],
    ['P06', 'P06', '2026-01-25', 2, 50000, 'paid'],
    ['P07', 'P07', '2026-01-28', 2, 120000, 'paid'],
    ['P08', 'P08', '2026-01-08', 3, 80000, 'paid'],
    ['P09', 'P09', '2026-01-12', 5, 250000, 'paid'],
    ['P10', 'P10', '2026-01-03', 6, 60000, 'closed'],
    ['P11', 'P11', '2026-01-15', 2, 999900, 'waived'],
    ['P12', 'P12', '2026-02-01', 2, 70000, 'paid'],
    ['P13', 'P13', '2026-02-14', 2, 90000, 'due'],
    ['P14', 'P14', '2026-02-14', 2, 40000, 'due'],
    ['P15', 'P15', '2026-02-15', 2, 65000, 'paid'],
    ['P16', 'P16', '2026-02-12', 2, 30000, 'due'],
  ];
  for (const [name, policy, due, installment, fen, status] of dues) {
    const [row] = await db('premium_dues')
      .insert({ policy_no: policy, due_date: due, installment_no: installment, amount_fen: fen, status: status ?? 'due' })
      .returning<{ id: number }[]>('id');
    ids.set(name, row!.id);
  }
  const id = (name: string) => ids.get(name)!;

  const payments: [string, string, Date, Date?][] = [
    ['P01-2025', 'debit', at('2025-01-05', '10:00')],
    ['P01', 'debit', at('2026-01-05', '10:00')],
    ['P02', 'counter', at('2026-02-15', '14:00')],
    ['P03', 'debit', at('2026-01-20', '10:00'), at('2026-02-10', '09:00')],
    ['P04', 'transfer', at('2026-03-25', '10:00')],
    ['P06', 'online', at('2026-02-24', '23:30')],
    ['P07', 'counter', at('2026-02-01', '07:00')],
    ['P08', 'counter', at('2026-03-20', '10:00')],
    ['P09', 'debit', at('2026-01-12', '10:00')],
    ['P12', 'debit', at('2026-02-02', '10:00')],
    ['P14', 'debit', at('2026-02-14', '10:00'), at('2026-02-15', '08:00')],
    ['P15', 'debit', at('2026-02-15', '10:00')],
  ];
  await db('payments').insert(
    payments.map(([name, via, received, reversed], n) => ({
      premium_due_id: id(name),
      amount_fen: 1,
      via,
      reference: `REF${n}`,
      received_at: received,
      reversed_at: reversed ?? null,
      reversal_reason: reversed ? 'REFUSED_BY_DEBTOR' : null,
    })),
  );

  type Attempt = [string, number, string, string, string, { resolved?: Date; returned?: Date; submitted?: Date; reason?: string; fen: number }];
  const attempts: Attempt[] = [
    ['P01', 1, 'ICBC', '2026-01-05', 'succeeded', { resolved: at('2026-01-05', '10:00'), fen: 100000 }],
    ['P03', 1, 'CCB', '2026-01-15', 'failed', { resolved: at('2026-01-15', '11:00'), reason: 'INSUFFICIENT_FUNDS', fen: 300000 }],
    ['P03', 2, 'CCB', '2026-01-20', 'returned', { resolved: at('2026-01-20', '10:00'), returned: at('2026-02-10', '09:00'), reason: 'REFUSED_BY_DEBTOR', fen: 300000 }],
    ['P05', 1, 'ICBC', '2026-01-20', 'failed', { resolved: at('2026-01-20', '11:00'), reason: 'ACCOUNT_CLOSED', fen: 150000 }],
    ['P09', 1, 'CCB', '2026-01-12', 'succeeded', { resolved: at('2026-01-12', '10:00'), fen: 250000 }],
    ['P04', 1, 'ICBC', '2026-02-02', 'unknown', { submitted: at('2026-02-02', '09:00'), reason: 'UNKNOWN', fen: 400000 }],
    ['P07', 1, 'ICBC', '2026-01-28', 'failed', { resolved: at('2026-01-28', '11:00'), reason: 'INSUFFICIENT_FUNDS', fen: 120000 }],
    // Taken back by a hold before the day's file went out: never reached the bank, counted nowhere.
    ['P07', 2, 'ICBC', '2026-01-29', 'withdrawn', { fen: 120000 }],
    ['P12', 1, 'ICBC', '2026-02-02', 'succeeded', { resolved: at('2026-02-02', '10:00'), fen: 70000 }],
    ['P13', 1, 'ICBC', '2026-02-14', 'failed', { resolved: at('2026-02-15', '09:00'), reason: 'INSUFFICIENT_FUNDS', fen: 90000 }],
    ['P13', 2, 'ICBC', '2026-02-15', 'accepted', { submitted: at('2026-02-15', '09:30'), fen: 90000 }],
    ['P14', 1, 'ABC', '2026-02-14', 'returned', { resolved: at('2026-02-14', '10:00'), returned: at('2026-02-15', '08:00'), reason: 'ACCOUNT_FROZEN', fen: 40000 }],
    ['P15', 1, 'CCB', '2026-02-15', 'succeeded', { resolved: at('2026-02-15', '10:00'), fen: 65000 }],
    ['P16', 1, 'BOC', '2026-02-13', 'accepted', { submitted: at('2026-02-13', '09:00'), fen: 30000 }],
  ];
  await db('debit_attempts').insert(
    attempts.map(([name, no, bank, collection, status, o]) => ({
      premium_due_id: id(name),
      attempt_no: no,
      idempotency_key: `RNW${id(name)}A${no}`,
      bank_code: bank,
      amount_fen: o.fen,
      collection_date: collection,
      status,
      reason: o.reason ?? null,
      submitted_at: o.submitted ?? null,
      resolved_at: o.resolved ?? null,
      returned_at: o.returned ?? null,
      workflow_id: `renewal-${name}`,
      run_id: 'r',
      activity_id: 'a',
    })),
  );

  for (const [policy, due, when] of [
    ['P03', '2026-01-15', at('2026-02-15')],
    ['P05', '2026-01-20', at('2026-03-22')],
    ['P08', '2026-01-08', at('2026-03-10')],
  ] as const) {
    await appendAudit(db, { kind: 'policy_suspended', actor: 'test', policyNo: policy, dueDate: due, occurredAt: when, detail: { nonPaymentReason: 8 } });
  }
  // A second row for P03 (a retried activity): one lapse, not two.
  await appendAudit(db, { kind: 'policy_suspended', actor: 'test', policyNo: 'P03', dueDate: '2026-01-15', occurredAt: at('2026-02-15', '00:05') });

  let n = 0;
  const contact = (policy: string, due: string, channel: string, status: string, planned: Date, rule: string | null = null) => ({
    id: `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`,
    policy_no: policy,
    due_date: due,
    step: `step${n}`,
    channel,
    status,
    suppressed_rule: rule,
    workflow_id: `renewal-${policy}`,
    run_id: 'r',
    activity_id: 'a',
    planned_at: planned,
  });
  await db('contact_attempts').insert([
    contact('P13', '2026-02-14', 'sms', 'delivered', at('2026-02-15', '09:00')),
    contact('P13', '2026-02-14', 'wechat', 'sent', at('2026-02-15', '09:00')),
    contact('P13', '2026-02-14', 'email', 'failed', at('2026-02-15', '09:00')),
    contact('P05', '2026-01-20', 'sms', 'suppressed', at('2026-02-15', '22:00'), 'quiet_hours'),
    contact('P05', '2026-01-20', 'wechat', 'suppressed', at('2026-02-15', '10:00'), 'promise_active'),
    contact('P02', '2026-01-10', 'sms', 'suppressed', at('2026-02-15', '00:00'), 'quiet_hours'),
    contact('P02', '2026-01-10', 'phone', 'pending', at('2026-02-15', '11:00')),
    // Just outside the day in Shanghai (inside it in UTC for the first): not counted.
    contact('P13', '2026-02-14', 'sms', 'delivered', at('2026-02-16', '00:30')),
    contact('P13', '2026-02-14', 'sms', 'delivered', at('2026-02-14', '23:59')),
  ]);

  const task = (kind: string, step: string, policy: string, due: string, role: string, dueAt: Date, status = 'open') => ({
    kind,
    step,
    policy_no: policy,
    due_date: due,
    assignee_role: role,
    due_at: dueAt,
    status,
    workflow_id: `renewal-${policy}`,
    run_id: 'r',
    activity_id: 'a',
  });
  await db('tasks').insert([
    task('fix_account', 'fix_account', 'P05', '2026-01-20', 'operations', at('2026-01-21', '09:00')),
    task('call', 'call_d7', 'P13', '2026-02-14', 'agent', at('2026-02-15', '09:00')),
    task('escalation', 'bank_no_answer', 'P02', '2026-01-10', 'operations', at('2026-02-10', '09:00')),
    task('fix_contact', 'verify_contact', 'P13', '2026-02-14', 'operations', at('2026-02-14', '09:00'), 'done'),
    task('fix_contact', 'verify_contact', 'P15', '2026-02-15', 'operations', at('2026-02-16', '09:00')),
    task('fix_contact', 'verify_mobile', 'P13', '2026-02-14', 'operations', at('2026-02-15', '09:00')),
  ]);
}

beforeAll(async () => {
  t = await freshDatabase();
  dir = await mkdtemp(join(tmpdir(), 'renewals-reports-'));
  await seed(t.db);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await t?.drop();
});

const f = fraction;

describe('monthly report, January 2026, all cut-offs passed (as of 2026-06-30)', () => {
  let report: MonthlyReport;
  beforeAll(async () => {
    report = await monthlyReport(t.db, '2026-01', { asOf: '2026-06-30' });
  });

  it('counts the month’s premiums, waived and other months left out', () => {
    // P01…P10: 100000+200000+300000+400000+150000+50000+120000+80000+250000+60000.
    expect(report.summary.casesDue).toBe(10);
    expect(report.summary.premiumDueFen).toBe(1_710_000);
  });

  it('collection rate at 当月, 次月 and 宽末', () => {
    const { cutoffs } = report.summary;
    // 当月 (by 31 Jan 24:00 Shanghai): P01, P03 (its return came 10 Feb), P09; not P07 (1 Feb 07:00 Shanghai).
    // 100000 + 300000 + 250000 = 650000 of 1710000 = 38.0117 %.
    expect(cutoffs.due_month).toEqual({ byCase: f(3, 10), byPremium: f(650_000, 1_710_000), final: true });
    // 次月 (by 28 Feb): P01, P02 (15 Feb), P06 (24 Feb 23:30), P07, P09; P03 returned 10 Feb drops out.
    // 100000 + 200000 + 50000 + 120000 + 250000 = 720000.
    expect(cutoffs.next_month).toEqual({ byCase: f(5, 10), byPremium: f(720_000, 1_710_000), final: true });
    // 宽末: P01, P02, P07 (March), P06, P09 (CI10: February), P04 (31 Jan + 60 = 1 Apr: April, paid 25 Mar);
    // not P03 (returned), P05 (lapsed), P08 (paid after its lapse), P10 (closed unpaid).
    // 100000 + 200000 + 120000 + 50000 + 250000 + 400000 = 1120000.
    expect(cutoffs.grace_end_month).toEqual({ byCase: f(6, 10), byPremium: f(1_120_000, 1_710_000), final: true });
    expect(report.summary.collectionRate).toEqual(cutoffs.grace_end_month);
  });

  it('lapse rate counts each suspended premium once, reinstated or not', () => {
    // P03 (two audit rows), P05, P08: 300000 + 150000 + 80000 = 530000; P08 was reinstated.
    expect(report.summary.lapseRate).toEqual({ byCase: f(3, 10), byPremium: f(530_000, 1_710_000), final: true });
    expect(report.summary.reinstatedCases).toBe(1);
    expect(describeSummary(report.summary)).toBe(
      '2026-01 as of 2026-06-30: 宽末达成率 65.50% by premium, 60.00% by case; lapse 30.00% by case (10 premiums due)',
    );
  });

  it('the grid by payment number', () => {
    const grid = Object.fromEntries(report.byPaymentNumber.map((g) => [g.key.payment_number, g.figures]));
    expect(Object.keys(grid).sort()).toEqual(['2', '3', '4']);
    // 2nd: P01 100000, P04 400000, P06 50000, P07 120000 = 670000.
    expect(grid['2']).toMatchObject({
      cases: 4,
      premiumFen: 670_000,
      collected: {
        due_month: { cases: 1, premiumFen: 100_000 }, // P01
        next_month: { cases: 3, premiumFen: 270_000 }, // P01, P06, P07
        grace_end_month: { cases: 4, premiumFen: 670_000 }, // + P04
      },
      lapsed: { cases: 0, premiumFen: 0 },
    });
    // 3rd: P02 200000, P08 80000.
    expect(grid['3']).toMatchObject({
      cases: 2,
      premiumFen: 280_000,
      collected: { due_month: { cases: 0, premiumFen: 0 }, next_month: { cases: 1, premiumFen: 200_000 }, grace_end_month: { cases: 1, premiumFen: 200_000 } },
      lapsed: { cases: 1, premiumFen: 80_000 },
    });
    // 4th+: P03 (5th) 300000, P05 (4th) 150000, P09 (5th) 250000, P10 (6th) 60000 = 760000.
    expect(grid['4']).toMatchObject({
      cases: 4,
      premiumFen: 760_000,
      collected: {
        due_month: { cases: 2, premiumFen: 550_000 }, // P03, P09
        next_month: { cases: 1, premiumFen: 250_000 }, // P09
        grace_end_month: { cases: 1, premiumFen: 250_000 },
      },
      lapsed: { cases: 2, premiumFen: 450_000 }, // P03, P05
    });
    const gridSection = report.sections.find((s) => s.key === 'grid')!;
    expect(gridSection.rows.map((r) => r.payment_number)).toEqual(['第2期 2nd', '第3期 3rd', '第4期及以上 4th+', '合计 Total']);
  });

  it('breakdowns by branch, channel, agent, orphan and product', () => {
    const pick = (d: keyof MonthlyReport['breakdowns']) =>
      report.breakdowns[d].map((g) => ({
        key: Object.values(g.key).join('/'),
        cases: g.figures.cases,
        fen: g.figures.premiumFen,
        dueMonth: g.figures.collected.due_month.cases,
        graceEnd: g.figures.collected.grace_end_month.premiumFen,
        lapsed: g.figures.lapsed.cases,
      }));
    // 3201: P01 P02 P03 P07 P08 = 800000; 当月 P01 P03; 宽末 P01 P02 P07 = 420000; lapsed P03 P08.
    // 3202: P04 P05 P06 P09 P10 = 910000; 当月 P09; 宽末 P04 P06 P09 = 700000; lapsed P05.
    expect(pick('branch')).toEqual([
      { key: '3201', cases: 5, fen: 800_000, dueMonth: 2, graceEnd: 420_000, lapsed: 2 },
      { key: '3202', cases: 5, fen: 910_000, dueMonth: 1, graceEnd: 700_000, lapsed: 1 },
    ]);
    // agency: P01 P02 P05 P06 P07 P09 = 870000; 当月 P01 P09; 宽末 P01 P02 P06 P07 P09 = 720000; lapsed P05.
    // bancassurance: P03 P04 P08 P10 = 840000; 当月 P03; 宽末 P04 = 400000; lapsed P03 P08.
    expect(pick('channel')).toEqual([
      { key: 'agency', cases: 6, fen: 870_000, dueMonth: 2, graceEnd: 720_000, lapsed: 1 },
      { key: 'bancassurance', cases: 4, fen: 840_000, dueMonth: 1, graceEnd: 400_000, lapsed: 2 },
    ]);
    // No agent: P03 P06 P10 = 410000; T1/A001: P01 P02 P07 P08 = 500000; T2/A002: P04 P05 P09 = 800000.
    expect(pick('agent')).toEqual([
      { key: '/', cases: 3, fen: 410_000, dueMonth: 1, graceEnd: 50_000, lapsed: 1 },
      { key: 'T1/A001', cases: 4, fen: 500_000, dueMonth: 1, graceEnd: 420_000, lapsed: 1 },
      { key: 'T2/A002', cases: 3, fen: 800_000, dueMonth: 1, graceEnd: 650_000, lapsed: 1 },
    ]);
    // Orphan = no agent or A002 departed: P03 P04 P05 P06 P09 P10 = 1210000; 宽末 P04 P06 P09 = 700000.
    expect(pick('orphan')).toEqual([
      { key: 'false', cases: 4, fen: 500_000, dueMonth: 1, graceEnd: 420_000, lapsed: 1 },
      { key: 'true', cases: 6, fen: 1_210_000, dueMonth: 2, graceEnd: 700_000, lapsed: 2 },
    ]);
    // CI10: P03 P06 P09 = 600000; 宽末 P06 P09 = 300000. WL20: the other 7 = 1110000; 宽末 820000.
    expect(pick('product')).toEqual([
      { key: 'CI10', cases: 3, fen: 600_000, dueMonth: 2, graceEnd: 300_000, lapsed: 1 },
      { key: 'WL20', cases: 7, fen: 1_110_000, dueMonth: 1, graceEnd: 820_000, lapsed: 2 },
    ]);
    const branch = report.sections.find((s) => s.key === 'branch')!;
    expect(branch.rows[0]).toMatchObject({ branch: '3201', branch_name: '南京分公司', grace_end_month_case_rate: f(3, 5) });
  });

  it('debit success by attempt number and bank', () => {
    const rows = report.debits.map((d) => [d.attemptNo, d.bankCode, d.attempts, d.succeeded, d.failed, d.returned, d.pending, d.collectedFen]);
    expect(rows).toEqual([
      // 1st, CCB: P03 failed, P09 ok (250000).
      [1, 'CCB', 2, 1, 1, 0, 0, 250_000],
      // 1st, ICBC: P01 ok (100000), P05 and P07 failed, P04 unknown (pending).
      [1, 'ICBC', 4, 1, 2, 0, 1, 100_000],
      [1, null, 6, 2, 3, 0, 1, 350_000],
      // 2nd, CCB: P03's success returned on 10 Feb.
      [2, 'CCB', 1, 0, 0, 1, 0, 0],
      [2, null, 1, 0, 0, 1, 0, 0],
      [null, 'CCB', 3, 1, 1, 1, 0, 250_000],
      [null, 'ICBC', 4, 1, 2, 0, 1, 100_000],
      [null, null, 7, 2, 3, 1, 1, 350_000],
    ]);
  });
});

describe('the 宽末 cut-off in SQL', () => {
  it('agrees with collectionCutoffs() for every due date of 2027–2028 and several grace periods', async () => {
    const graceDays = [0, 1, 15, 28, 29, 30, 31, 59, 60, 61, 90];
    const days = ['2027', '2028'].flatMap((y) => Array.from({ length: 12 }, (_, m) => daysOf(`${y}-${String(m + 1).padStart(2, '0')}`)).flat());
    type Row = { due: string; grace: number; last_day: string };
    const { rows } = await t.db.raw<{ rows: Row[] }>(
      `SELECT to_char(d, 'YYYY-MM-DD') AS due, g AS grace, to_char(${graceEndMonthSql('d', 'g')}, 'YYYY-MM-DD') AS last_day
       FROM unnest(CAST(? AS date[])) d CROSS JOIN unnest(CAST(? AS int[])) g`,
      [`{${days.join(',')}}`, `{${graceDays.join(',')}}`],
    );
    expect(rows).toHaveLength(days.length * graceDays.length);
    const disagreeing = rows.filter((r) => collectionCutoffs(r.due, r.grace).grace_end_month !== r.last_day);
    expect(disagreeing).toEqual([]);
  });
});

describe('monthly report seen before the cut-offs pass (--as-of)', () => {
  it('on 31 January: 当月 final, the rest counted to that day and not final', async () => {
    const { summary, debits } = await monthlyReport(t.db, '2026-01', { asOf: '2026-01-31' });
    // By 31 Jan: P01, P03 (return not yet), P09 = 650000; no lapse yet.
    expect(summary.cutoffs.due_month).toEqual({ byCase: f(3, 10), byPremium: f(650_000, 1_710_000), final: true });
    expect(summary.cutoffs.next_month).toEqual({ byCase: f(3, 10), byPremium: f(650_000, 1_710_000), final: false });
    expect(summary.cutoffs.grace_end_month).toEqual({ byCase: f(3, 10), byPremium: f(650_000, 1_710_000), final: false });
    expect(summary.lapseRate).toEqual({ byCase: f(0, 10), byPremium: f(0, 1_710_000), final: false });
    // P04's debit (collection 2 Feb) not yet made; P03's 2nd attempt still a success: P01, P03, P09.
    expect(debits.at(-1)).toMatchObject({ attempts: 6, succeeded: 3, failed: 3, returned: 0, pending: 0, collectedFen: 650_000 });
  });

  it('on 28 February: 次月 final; 宽末 to date; P03 lapsed', async () => {
    const { summary } = await monthlyReport(t.db, '2026-01', { asOf: '2026-02-28' });
    expect(summary.cutoffs.next_month).toEqual({ byCase: f(5, 10), byPremium: f(720_000, 1_710_000), final: true });
    // 宽末 to 28 Feb: P01 P02 P06 P07 P09 (P04 pays in March) = 720000; CI10 cut-offs have passed, WL20 not.
    expect(summary.cutoffs.grace_end_month).toEqual({ byCase: f(5, 10), byPremium: f(720_000, 1_710_000), final: false });
    expect(summary.lapseRate).toEqual({ byCase: f(1, 10), byPremium: f(300_000, 1_710_000), final: false });
  });

  it('an empty month has zero figures and no rates', async () => {
    const { summary, sections } = await monthlyReport(t.db, '2025-07', { asOf: '2026-06-30' });
    expect(summary.casesDue).toBe(0);
    expect(summary.collectionRate.byCase).toEqual(f(0, 0));
    expect(sections.find((s) => s.key === 'branch')!.rows).toEqual([]);
  });
});

describe('daily report, 15 February 2026', () => {
  it('debit results by reason and bank: answers recorded that day', async () => {
    const report = await dailyReport(t.db, '2026-02-15');
    // P15 success (65000) 10:00; P13 refused INSUFFICIENT_FUNDS (90000) 09:00; P14 returned ACCOUNT_FROZEN (40000) 08:00.
    expect(report.debitsByReason).toEqual([
      { outcome: 'succeeded', reason: null, attempts: 1, amountFen: 65_000 },
      { outcome: 'returned', reason: 'ACCOUNT_FROZEN', attempts: 1, amountFen: 40_000 },
      { outcome: 'failed', reason: 'INSUFFICIENT_FUNDS', attempts: 1, amountFen: 90_000 },
    ]);
    expect(report.debitsByBank).toEqual([
      { bankCode: 'ABC', succeeded: 0, failed: 0, returned: 1, amountCollectedFen: 0 },
      { bankCode: 'CCB', succeeded: 1, failed: 0, returned: 0, amountCollectedFen: 65_000 },
      { bankCode: 'ICBC', succeeded: 0, failed: 1, returned: 0, amountCollectedFen: 0 },
    ]);
  });

  it('contacts planned that day by channel and outcome, suppressed by rule', async () => {
    const report = await dailyReport(t.db, '2026-02-15');
    // sms: P13 delivered, P05 and P02 suppressed (quiet_hours); the 14th 23:59 and 16th 00:30 ones are other days.
    expect(report.contactsByChannel).toEqual([
      { channel: 'email', attempts: 1, delivered: 0, sent: 0, failed: 1, suppressed: 0, pending: 0 },
      { channel: 'phone', attempts: 1, delivered: 0, sent: 0, failed: 0, suppressed: 0, pending: 1 },
      { channel: 'sms', attempts: 3, delivered: 1, sent: 0, failed: 0, suppressed: 2, pending: 0 },
      { channel: 'wechat', attempts: 2, delivered: 0, sent: 1, failed: 0, suppressed: 1, pending: 0 },
    ]);
    expect(report.suppressedByRule).toEqual([
      { channel: 'sms', rule: 'quiet_hours', attempts: 2 },
      { channel: 'wechat', rule: 'promise_active', attempts: 1 },
    ]);
  });

  it('policies entering and leaving grace', async () => {
    const report = await dailyReport(t.db, '2026-02-15');
    expect(report.grace).toEqual([
      // Due 14 Feb: P13 unpaid (90000); P14 was paid on the 14th (its return came on the 15th, after 00:00).
      { movement: 'entered', via: null, cases: 1, premiumFen: 90_000 },
      // P02 at the counter (in grace 11 Jan … 11 Mar); P15 paid on its due date is not a grace payment.
      { movement: 'left_paid', via: 'counter', cases: 1, premiumFen: 200_000 },
      // P03 suspended at 00:00 (two audit rows, one lapse).
      { movement: 'left_lapsed', via: null, cases: 1, premiumFen: 300_000 },
    ]);
  });

  it('exceptions open at the end of the day', async () => {
    const report = await dailyReport(t.db, '2026-02-15');
    expect(report.exceptionSummary).toEqual([
      { exception: 'debit_in_flight_over_1_day', count: 1, oldestSince: '2026-02-13' }, // P16 (P13's went out today)
      { exception: 'debit_result_unknown', count: 1, oldestSince: '2026-02-02' }, // P04
      { exception: 'fix_account_task', count: 1, oldestSince: '2026-01-21' }, // P05
      { exception: 'fix_contact_task', count: 1, oldestSince: '2026-02-15' }, // P13 (done one and P15's of the 16th left out)
      { exception: 'operations_task', count: 1, oldestSince: '2026-02-10' }, // P02 escalation; the agent's call is not one
    ]);
    expect(report.exceptions.map((e) => [e.exception, e.policyNo, e.since])).toEqual([
      ['fix_account_task', 'P05', '2026-01-21'],
      ['debit_result_unknown', 'P04', '2026-02-02'],
      ['operations_task', 'P02', '2026-02-10'],
      ['debit_in_flight_over_1_day', 'P16', '2026-02-13'],
      ['fix_contact_task', 'P13', '2026-02-15'],
    ]);
  });

  it('a quiet day says none in every grace movement and exception kind, not nothing', async () => {
    // 1 Dec 2025: nothing fell due the day before, nothing was paid or suspended, nothing was open yet.
    const report = await dailyReport(t.db, '2025-12-01');
    expect(report.grace).toEqual([
      { movement: 'entered', via: null, cases: 0, premiumFen: 0 },
      { movement: 'left_paid', via: null, cases: 0, premiumFen: 0 },
      { movement: 'left_lapsed', via: null, cases: 0, premiumFen: 0 },
    ]);
    expect(report.exceptionSummary).toEqual(
      ['debit_in_flight_over_1_day', 'debit_result_unknown', 'fix_account_task', 'fix_contact_task', 'operations_task'].map((exception) => ({ exception, count: 0, oldestSince: null })),
    );
    expect(report.exceptions).toEqual([]);
  });
});

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const { code, out, err } = await runCliCaptured(args);
  return { code, stdout: out, stderr: err };
}

describe('renewals report', () => {
  beforeAll(() => {
    vi.stubEnv('DATABASE_URL', t.url);
  });
  afterAll(() => {
    vi.unstubAllEnvs();
  });

  it('monthly --json gives the figures and exact rates with their percentages', async () => {
    const { code, stdout, stderr } = await cli(['report', 'monthly', '--month', '2026-01', '--as-of', '2026-06-30', '--json']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const json = JSON.parse(stdout);
    // 1120000 / 1710000 = 65.4971 %; 6/10; lapse 530000 / 1710000 = 30.9942 %.
    expect(json.summary.collectionRate.byPremium).toEqual({ numerator: 1_120_000, denominator: 1_710_000, percent: '65.50%' });
    expect(json.summary.collectionRate.byCase.percent).toBe('60.00%');
    expect(json.summary.lapseRate.byPremium.percent).toBe('30.99%');
  });

  it('monthly as a table', async () => {
    const { code, stdout } = await cli(['report', 'monthly', '--month', '2026-01', '--as-of', '2026-06-30']);
    expect(code).toBe(0);
    // 当月 650000 / 1710000 = 38.01 %, 次月 720000 / 1710000 = 42.11 %; premium due 17100.00 yuan.
    expect(stdout).toContain('38.01%');
    expect(stdout).toContain('42.11%');
    expect(stdout).toContain('17100.00');
    expect(stdout).toContain('南京分公司');
  });

  it('monthly CSV starts with a BOM and holds every section', async () => {
    const file = join(dir, 'monthly.csv');
    const { code } = await cli(['report', 'monthly', '--month', '2026-01', '--as-of', '2026-06-30', '--format', 'csv', '--out', file]);
    expect(code).toBe(0);
    const bytes = await readFile(file);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = bytes.toString('utf8');
    expect(text).toContain('宽末 end of grace-end month');
    // 宽末 by premium 65.50 %, by case 60.00 %.
    expect(text).toMatch(/宽末 end of grace-end month,.*,60\.00%,17100\.00,11200\.00,65\.50%/);
  });

  it('monthly XLSX: a sheet per section, bold frozen header, yuan and percentage numbers', async () => {
    const file = join(dir, 'monthly.xlsx');
    const { code } = await cli(['report', 'monthly', '--month', '2026-01', '--as-of', '2026-06-30', '--format', 'xlsx', '--out', file]);
    expect(code).toBe(0);
    const book = new ExcelJS.Workbook();
    await book.xlsx.readFile(file);
    expect(book.worksheets.map((s) => s.name)).toEqual(['about', 'collection', 'lapse', 'grid', 'branch', 'channel', 'agent', 'orphan', 'product', 'debits']);
    const sheet = book.getWorksheet('collection')!;
    expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(sheet.getRow(1).font?.bold).toBe(true);
    expect(sheet.getCell('A1').value).toBe('口径 Cut-off');
    // Row 4 = 宽末: premium due 17100.00 yuan, collected 11200.00, rate 1120000/1710000 = 0.654971.
    const graceEnd = sheet.getRow(4);
    expect(graceEnd.getCell(7).value).toBe(17_100);
    expect(graceEnd.getCell(7).numFmt).toBe('#,##0.00');
    expect(graceEnd.getCell(8).value).toBe(11_200);
    expect(graceEnd.getCell(9).value).toBe(0.654971);
    expect(graceEnd.getCell(9).numFmt).toBe('0.00%');
  });

  it('daily as JSON and as a table', async () => {
    const json = await cli(['report', 'daily', '--date', '2026-02-15', '--format', 'json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout).grace[0]).toEqual({ movement: 'entered', via: null, cases: 1, premiumFen: 90_000 });
    const table = await cli(['report', 'daily', '--date', '2026-02-15']);
    expect(table.code).toBe(0);
    expect(table.stdout).toContain('ACCOUNT_FROZEN');
    expect(table.stdout).toContain('promise_active');
    expect(table.stdout).toContain('debit_result_unknown');
  });

  it.each([
    [['report', 'monthly', '--month', '2026-13'], /--month must be a month YYYY-MM, got "2026-13"/],
    [['report', 'monthly', '--month', '2026-01', '--as-of', '2026-02-30'], /--as-of must be a date YYYY-MM-DD/],
    [['report', 'monthly', '--month', '2026-01', '--as-of', '2025-12-31'], /--as-of 2025-12-31 is before the month 2026-01/],
    [['report', 'monthly', '--month', '2026-01', '--format', 'pdf'], /--format must be one of table, csv, xlsx, json, got "pdf"/],
    [['report', 'monthly', '--month', '2026-01', '--format', 'xlsx'], /--format xlsx needs --out <file>/],
    [['report', 'monthly', '--month', '2026-01', '--format', 'csv', '--json'], /--json and --format csv/],
    [['report', 'daily', '--date', '15/02/2026'], /--date must be a date YYYY-MM-DD, got "15\/02\/2026"/],
    [['report', 'daily', '--date', '2026-02-15', '--out', '/no/such/folder/r.csv', '--format', 'csv'], /folder \/no\/such\/folder does not exist/],
  ])('%j fails in one line', async (args, message) => {
    const { code, stdout, stderr } = await cli(args);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(message);
    expect(stderr.trim().split('\n')).toHaveLength(1);
  });
});
