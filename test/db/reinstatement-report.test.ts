import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lapsedPoliciesReport, type LapsedPolicy } from '../../reports/lapsed-policies';
import { reinstatementReport, type ReinstatementFigures, type ReinstatementReport } from '../../reports/reinstatement';
import { fraction as f } from '../../domain/kpis';
import { freshDatabase, type TestDatabase } from '../support/database';
import { seedSuspensions } from './reinstatement-report.seed';

/** The data set and its story are in reinstatement-report.seed.ts; every figure below is counted from its tables by hand. */
let t: TestDatabase;

beforeAll(async () => {
  t = await freshDatabase();
  await seedSuspensions(t.db);
});

afterAll(async () => {
  await t?.drop();
});

/** The figures in a line: [suspended, premium, reinstated, premium, terminated, reduced paid-up, open in window, open window closed]. */
const states = (g: ReinstatementFigures) => [
  g.suspended.cases,
  g.suspended.premiumFen,
  g.reinstated.cases,
  g.reinstated.premiumFen,
  g.terminated.cases,
  g.reducedPaidUp.cases,
  g.openInWindow.cases,
  g.openWindowClosed.cases,
];

describe('reinstatement rate, suspensions of January–February 2026, as of 2026-06-30', () => {
  let report: ReinstatementReport;
  beforeAll(async () => {
    report = await reinstatementReport(t.db, { from: '2026-01', to: '2026-02', asOf: '2026-06-30' });
  });

  it('January: S01 reinstated, S03 reduced paid-up, S02 S04 S05 open (S05 reinstates only on 15 July)', () => {
    const jan = report.byMonth[0]!;
    expect(jan.key).toBe('2026-01');
    // S01 1500000 + S02 300000 + S03 200000 + S04 1200000 (31 Jan 00:00 Shanghai = 30 Jan UTC) + S05 80000 = 3280000.
    expect(states(jan.figures)).toEqual([5, 3_280_000, 1, 1_500_000, 0, 1, 3, 0]);
    expect(jan.figures.openInWindow.premiumFen).toBe(1_580_000); // 300000 + 1200000 + 80000
    expect(jan.figures.rate).toEqual({ byCase: f(1, 5), byPremium: f(1_500_000, 3_280_000) });
    // Concluded: S01 and S03 = 1500000 + 200000.
    expect(jan.figures.concludedRate).toEqual({ byCase: f(1, 2), byPremium: f(1_500_000, 1_700_000) });
    // S01's (approved 20 Feb), S04's first (declined 25 May), S05's (received 1 Jun, approved only 2 Jul); S04's second comes in 2027.
    expect(jan.figures.applications).toEqual({ made: 3, approved: 1, declined: 1, withdrawn: 0 });
    expect(jan.figures.final).toBe(false);
  });

  it('February: S10 reinstated at 23:30 on the as-of day counts; S06–S09 open', () => {
    const feb = report.byMonth[1]!;
    expect(feb.key).toBe('2026-02');
    // 500000 + 2000000 + 500000 + 1000000 + 150000 = 4150000; S11 (1 March) is outside the range.
    expect(states(feb.figures)).toEqual([5, 4_150_000, 1, 150_000, 0, 0, 4, 0]);
    expect(feb.figures.rate).toEqual({ byCase: f(1, 5), byPremium: f(150_000, 4_150_000) });
    expect(feb.figures.concludedRate).toEqual({ byCase: f(1, 1), byPremium: f(150_000, 150_000) });
    // S06 withdrawn 5 Mar, S08 evidence requested, S09 approved 10 Jun (expired only in July), S10 approved 15 May.
    expect(feb.figures.applications).toEqual({ made: 4, approved: 2, declined: 0, withdrawn: 1 });
  });

  it('total: 2 of 10 reinstated, 22.21% by premium; 2 of 3 concluded; S12 (31 Dec 2025) left out', () => {
    // Open: 7 cases, 1580000 + 4000000 = 5580000; 1650000 + 200000 + 5580000 = 7430000.
    expect(states(report.total)).toEqual([10, 7_430_000, 2, 1_650_000, 0, 1, 7, 0]);
    expect(report.total.openInWindow.premiumFen).toBe(5_580_000);
    expect(report.total.rate).toEqual({ byCase: f(2, 10), byPremium: f(1_650_000, 7_430_000) });
    expect(report.total.concludedRate).toEqual({ byCase: f(2, 3), byPremium: f(1_650_000, 1_850_000) });
    expect(report.total.applications).toEqual({ made: 7, approved: 3, declined: 1, withdrawn: 1 });
    const months = report.sections.find((s) => s.key === 'months')!;
    expect(months.rows.map((r) => r.month)).toEqual(['2026-01', '2026-02', '合计 Total']);
    expect(months.rows[2]).toMatchObject({ rate_case: f(2, 10), concluded_rate_premium: f(1_650_000, 1_850_000), final: 'no' });
    expect(months.note).toContain('Reinstatement rate = reinstated ÷ suspended');
  });

  it('by branch, product and value', () => {
    const line = (g: { key: string; figures: ReinstatementFigures }) => [g.key, ...states(g.figures), g.figures.applications.made];
    // 3201: S01 S02 S06 S07 S09 = 1500000+300000+500000+2000000+1000000; S01 reinstated. Applications S01 S06 S09.
    // 3202: S03 S04 S05 S08 S10 = 200000+1200000+80000+500000+150000; S10 reinstated, S03 paid-up. S04#1 S05 S08 S10.
    expect(report.byBranch.map(line)).toEqual([
      ['3201', 5, 5_300_000, 1, 1_500_000, 0, 0, 4, 0, 3],
      ['3202', 5, 2_130_000, 1, 150_000, 0, 1, 3, 0, 4],
    ]);
    expect(report.byBranch[1]!.figures.concludedRate.byPremium).toEqual(f(150_000, 350_000));
    // CI10: S03 S04 S07 S10 = 200000+1200000+2000000+150000. WL20: S01 S02 S05 S06 S08 S09 = 3880000.
    expect(report.byProduct.map(line)).toEqual([
      ['CI10', 4, 3_550_000, 1, 150_000, 0, 1, 2, 0, 2],
      ['WL20', 6, 3_880_000, 1, 1_500_000, 0, 0, 5, 0, 5],
    ]);
    // High value: S01 S04 S07 S09 = 5700000. Other: S02 S03 S05 S06 S08 S10 = 1730000.
    expect(report.byValue.map(line)).toEqual([
      ['high_value', 4, 5_700_000, 1, 1_500_000, 0, 0, 3, 0, 3],
      ['other', 6, 1_730_000, 1, 150_000, 0, 1, 4, 0, 4],
    ]);
    expect(report.byValue[0]!.figures.rate.byPremium).toEqual(f(1_500_000, 5_700_000));
    const branch = report.sections.find((s) => s.key === 'branch')!;
    expect(branch.rows[0]).toMatchObject({ branch: '3201', branch_name: '南京分公司', rate_case: f(1, 5) });
  });
});

describe('reinstatement rate: the as-of cut-off', () => {
  it('on 2026-02-15: only suspensions by then, no outcome yet, the concluded rate undefined', async () => {
    const report = await reinstatementReport(t.db, { from: '2026-01', to: '2026-02', asOf: '2026-02-15' });
    // January all 5 open (S01 reinstates 10 Mar, S03 paid-up 1 Apr); February only S06 S07 S08 (by 14 Feb) = 3000000.
    expect(states(report.byMonth[0]!.figures)).toEqual([5, 3_280_000, 0, 0, 0, 0, 5, 0]);
    expect(states(report.byMonth[1]!.figures)).toEqual([3, 3_000_000, 0, 0, 0, 0, 3, 0]);
    expect(report.total.concludedRate.byCase).toEqual(f(0, 0));
    // Only S01's application (received 1 Feb; approved 20 Feb, after the as-of day).
    expect(report.total.applications).toEqual({ made: 1, approved: 0, declined: 0, withdrawn: 0 });
  });

  it('on 2028-02-10: windows closed, terminations counted; S04 awaits its second application', async () => {
    const report = await reinstatementReport(t.db, { from: '2026-01', to: '2026-02', asOf: '2028-02-10' });
    const [jan, feb] = report.byMonth;
    // January: S01 S05 reinstated (1580000), S02 terminated 12 Jan, S03 paid-up, S04's window closed 31 Jan without an outcome.
    expect(states(jan!.figures)).toEqual([5, 3_280_000, 2, 1_580_000, 1, 1, 0, 1]);
    expect(jan!.figures.concludedRate).toEqual({ byCase: f(2, 4), byPremium: f(1_580_000, 2_080_000) });
    expect(jan!.figures.applications).toEqual({ made: 4, approved: 2, declined: 1, withdrawn: 0 });
    // February: S06 terminated 3 Feb, S07 terminated at 00:00 of 10 Feb (in the day), S08 S09 in window, S10 reinstated.
    expect(states(feb!.figures)).toEqual([5, 4_150_000, 1, 150_000, 2, 0, 2, 0]);
    expect(feb!.figures.terminated.premiumFen).toBe(2_500_000);
    expect(feb!.figures.concludedRate).toEqual({ byCase: f(1, 3), byPremium: f(150_000, 2_650_000) });
    // 3 reinstated of 10; concluded 3 of 7: 1730000 of 1730000 + 2800000 + 200000.
    expect(report.total.rate).toEqual({ byCase: f(3, 10), byPremium: f(1_730_000, 7_430_000) });
    expect(report.total.concludedRate).toEqual({ byCase: f(3, 7), byPremium: f(1_730_000, 4_730_000) });
    expect(report.total.openWindowClosed).toEqual({ cases: 1, premiumFen: 1_200_000 });
  });

  it('on 2028-02-09: S07 still open, its last day', async () => {
    const report = await reinstatementReport(t.db, { from: '2026-02', to: '2026-02', asOf: '2028-02-09' });
    expect(report.byMonth.map((g) => g.key)).toEqual(['2026-02']);
    expect(states(report.total)).toEqual([5, 4_150_000, 1, 150_000, 1, 0, 3, 0]);
  });

  it('an empty range still lists its months, with zeros and no rates', async () => {
    const report = await reinstatementReport(t.db, { from: '2025-10', to: '2025-11', asOf: '2026-06-30' });
    expect(report.byMonth.map((g) => [g.key, g.figures.suspended.cases])).toEqual([
      ['2025-10', 0],
      ['2025-11', 0],
    ]);
    expect(report.total.rate.byCase).toEqual(f(0, 0));
    expect(report.byBranch).toEqual([]);
    expect(report.byValue.map((g) => g.figures.suspended.cases)).toEqual([0, 0]);
  });

  it('refuses a range that runs backwards', async () => {
    await expect(reinstatementReport(t.db, { from: '2026-02', to: '2026-01' })).rejects.toThrow(/to 2026-01 is before from 2026-02/);
  });
});

describe('lapsed policies in their window', () => {
  const line = (p: LapsedPolicy) => [p.policyNo, p.daysLeft, p.lastDayToApply, p.agentCode ?? 'orphan', p.latestApplication ?? 'none'];

  it('as of 2026-06-30: high value first, then premium, then days left', async () => {
    const report = await lapsedPoliciesReport(t.db, { asOf: '2026-06-30' });
    // Open then: S02 S04 S05 S06 S07 S08 S09 S11 S12 (S01 S03 S10 had their outcome; S05 reinstates on 15 July).
    // High value: P07 2000000, P04 1200000, P09 1000000. Then P12 and P11 at 700000 (P12's window closes
    // first), P06 and P08 at 500000 (P06 first), P02 300000, P05 80000.
    // Days left from 2026-06-30 to the closing date; last day = the day before it.
    expect(report.policies.map(line)).toEqual([
      ['P07', 590, '2028-02-09', 'orphan', 'none'],
      ['P04', 580, '2028-01-30', 'orphan', 'declined'],
      ['P09', 600, '2028-02-19', 'A001', 'approved'], // expired only on 10 July
      ['P12', 549, '2027-12-30', 'A001', 'none'],
      ['P11', 610, '2028-02-29', 'A001', 'none'],
      ['P06', 583, '2028-02-02', 'A001', 'withdrawn'],
      ['P08', 594, '2028-02-13', 'orphan', 'evidence_requested'],
      ['P02', 561, '2028-01-11', 'A001', 'none'],
      ['P05', 574, '2028-01-24', 'orphan', 'under_review'], // A002 departed; approved only on 2 July
    ]);
    expect(report.matching).toBe(9);
    expect(report.policies[0]).toMatchObject({ productCode: 'CI10', branchCode: '3201', annualPremiumFen: 2_000_000, highValue: true, suspensionDate: '2026-02-10' });
    expect(report.sections[0]!.rows[1]).toMatchObject({ policy_no: 'P04', agent: 'orphan', annual_premium: 1_200_000, high_value: 'yes', latest_application: 'declined' });
  });

  it('on 2028-02-09 the last day counts 1; on 2028-02-10 that window is closed and the policy gone', async () => {
    const before = await lapsedPoliciesReport(t.db, { asOf: '2028-02-09' });
    // S04 (closed 31 Jan, application pending) and the terminated S02 S06 S12 are not in the window.
    expect(before.policies.map(line)).toEqual([
      ['P07', 1, '2028-02-09', 'orphan', 'none'],
      ['P09', 11, '2028-02-19', 'A001', 'approval_expired'],
      ['P11', 21, '2028-02-29', 'A001', 'none'],
      ['P08', 5, '2028-02-13', 'orphan', 'evidence_requested'],
    ]);
    const after = await lapsedPoliciesReport(t.db, { asOf: '2028-02-10' });
    expect(after.policies.map((p) => [p.policyNo, p.daysLeft])).toEqual([
      ['P09', 10],
      ['P11', 20],
      ['P08', 4],
    ]);
  });

  it('filters by branch and high value, and limits the rows', async () => {
    const branch = await lapsedPoliciesReport(t.db, { asOf: '2026-06-30', branch: '3202' });
    expect(branch.policies.map((p) => p.policyNo)).toEqual(['P04', 'P08', 'P05']);
    const high = await lapsedPoliciesReport(t.db, { asOf: '2026-06-30', highValueOnly: true });
    expect(high.policies.map((p) => p.policyNo)).toEqual(['P07', 'P04', 'P09']);
    const limited = await lapsedPoliciesReport(t.db, { asOf: '2026-06-30', limit: 2 });
    expect(limited.policies.map((p) => p.policyNo)).toEqual(['P07', 'P04']);
    expect(limited.matching).toBe(9);
    expect(limited.sections[0]!.note).toContain('Showing 2 of 9');
  });

  it('an unknown branch is named', async () => {
    await expect(lapsedPoliciesReport(t.db, { branch: '9999' })).rejects.toThrow(/no such branch: "9999"/);
  });
});
