import type { Db } from '../../db/connection';
import { shanghaiInstant } from '../../domain/civil-date';
import { seedReportOrganisation } from '../support/report-organisation';

/**
 * A hand-built set of suspensions for the reinstatement reports (shared by the repository and CLI
 * tests). Products WL20 and CI10; branches 3201 and 3202; agent A001 active, A002 departed. Every
 * window is two years: it closes at 00:00 of the same date two years on. Times are Shanghai.
 *
 * | susp | policy | prod | branch | agent | suspended  | closes     | annual fen | HV  | outcome (at)                       |
 * | S01  | P01    | WL20 | 3201   | A001  | 2026-01-05 | 2028-01-05 | 1,500,000  | yes | reinstated 2026-03-10 10:00        |
 * | S02  | P02    | WL20 | 3201   | A001  | 2026-01-12 | 2028-01-12 |   300,000  | no  | terminated 2028-01-12 00:00        |
 * | S03  | P03    | CI10 | 3202   | A002  | 2026-01-20 | 2028-01-20 |   200,000  | no  | reduced paid-up 2026-04-01 10:00   |
 * | S04  | P04    | CI10 | 3202   | —     | 2026-01-31 | 2028-01-31 | 1,200,000  | yes | open (2nd application undecided)   |
 * | S05  | P05    | WL20 | 3202   | A002  | 2026-01-25 | 2028-01-25 |    80,000  | no  | reinstated 2026-07-15 10:00        |
 * | S06  | P06    | WL20 | 3201   | A001  | 2026-02-03 | 2028-02-03 |   500,000  | no  | terminated 2028-02-03 00:00        |
 * | S07  | P07    | CI10 | 3201   | —     | 2026-02-10 | 2028-02-10 | 2,000,000  | yes | terminated 2028-02-10 00:00        |
 * | S08  | P08    | WL20 | 3202   | —     | 2026-02-14 | 2028-02-14 |   500,000  | no  | open                               |
 * | S09  | P09    | WL20 | 3201   | A001  | 2026-02-20 | 2028-02-20 | 1,000,000  | yes | open                               |
 * | S10  | P10    | CI10 | 3202   | A002  | 2026-02-28 | 2028-02-28 |   150,000  | no  | reinstated 2026-06-30 23:30        |
 * | S11  | P11    | WL20 | 3201   | A001  | 2026-03-01 | 2028-03-01 |   700,000  | no  | open (March: outside Jan–Feb)      |
 * | S12  | P12    | WL20 | 3201   | A001  | 2025-12-31 | 2027-12-31 |   700,000  | no  | terminated 2027-12-31 00:00 (Dec)  |
 *
 * S04 was suspended at 00:00 of 31 January in Shanghai, i.e. 30 January 16:00 UTC: a January case.
 *
 * Applications (received → what happened):
 * | S01 | received 2026-02-01, approved 2026-02-20 (underwriter), reinstated, closed 2026-03-10 10:00 |
 * | S04 | #1 received 2026-05-01, declined 2026-05-25; #2 received 2027-12-01, under review            |
 * | S05 | received 2026-06-01, approved 2026-07-02 (deemed consent), reinstated, closed 2026-07-15     |
 * | S06 | received 2026-03-01, withdrawn 2026-03-05                                                   |
 * | S08 | received 2026-06-15, evidence requested                                                     |
 * | S09 | received 2026-05-20, approved 2026-06-10, approval expired 2026-07-10 (not paid)            |
 * | S10 | received 2026-05-01, approved 2026-05-15, reinstated, closed 2026-06-30 23:30              |
 */
export const at = (date: string, time = '00:00') => new Date(shanghaiInstant(date, time));

type Suspension = [string, string, string, string, string | null, string, string, number, boolean, string, Date | null];

export const SUSPENSIONS: Suspension[] = [
  ['S01', 'P01', 'WL20', '3201', 'A001', '2026-01-05', '2028-01-05', 1_500_000, true, 'reinstated', at('2026-03-10', '10:00')],
  ['S02', 'P02', 'WL20', '3201', 'A001', '2026-01-12', '2028-01-12', 300_000, false, 'terminated', at('2028-01-12')],
  ['S03', 'P03', 'CI10', '3202', 'A002', '2026-01-20', '2028-01-20', 200_000, false, 'reduced_paid_up', at('2026-04-01', '10:00')],
  ['S04', 'P04', 'CI10', '3202', null, '2026-01-31', '2028-01-31', 1_200_000, true, 'open', null],
  ['S05', 'P05', 'WL20', '3202', 'A002', '2026-01-25', '2028-01-25', 80_000, false, 'reinstated', at('2026-07-15', '10:00')],
  ['S06', 'P06', 'WL20', '3201', 'A001', '2026-02-03', '2028-02-03', 500_000, false, 'terminated', at('2028-02-03')],
  ['S07', 'P07', 'CI10', '3201', null, '2026-02-10', '2028-02-10', 2_000_000, true, 'terminated', at('2028-02-10')],
  ['S08', 'P08', 'WL20', '3202', null, '2026-02-14', '2028-02-14', 500_000, false, 'open', null],
  ['S09', 'P09', 'WL20', '3201', 'A001', '2026-02-20', '2028-02-20', 1_000_000, true, 'open', null],
  ['S10', 'P10', 'CI10', '3202', 'A002', '2026-02-28', '2028-02-28', 150_000, false, 'reinstated', at('2026-06-30', '23:30')],
  ['S11', 'P11', 'WL20', '3201', 'A001', '2026-03-01', '2028-03-01', 700_000, false, 'open', null],
  ['S12', 'P12', 'WL20', '3201', 'A001', '2025-12-31', '2027-12-31', 700_000, false, 'terminated', at('2027-12-31')],
];

export async function seedSuspensions(db: Db): Promise<void> {
  const customerId = await seedReportOrganisation(db);

  const ids = new Map<string, number>();
  for (const [name, policy, product, branch, agent, suspended, closes, fen, highValue, outcome, outcomeAt] of SUSPENSIONS) {
    await db('policies').insert({
      policy_no: policy,
      product_code: product,
      branch_code: branch,
      channel: 'agency',
      agent_code: agent,
      holder_customer_id: customerId,
      issue_date: '2020-01-01',
      payment_frequency: 'annual',
      premium_fen: fen,
      status: outcome === 'reinstated' ? 'in_force' : outcome === 'terminated' ? 'terminated' : outcome === 'reduced_paid_up' ? 'paid_up' : 'lapsed',
    });
    // The lapsed premium was due grace (60 days) before suspension; its exact date does not matter here.
    const [due] = await db('premium_dues')
      .insert({ policy_no: policy, due_date: suspended, installment_no: 3, amount_fen: fen, status: 'lapsed' })
      .returning<{ id: number }[]>('id');
    const [row] = await db('suspensions')
      .insert({
        policy_no: policy,
        premium_due_id: due!.id,
        lapsed_due_date: suspended,
        suspended_at: at(suspended),
        suspension_date: suspended,
        window_closes_on: closes,
        annual_premium_fen: fen,
        high_value: highValue,
        outcome,
        outcome_at: outcomeAt,
        workflow_id: `renewal-${policy}-${suspended}`,
      })
      .returning<{ id: number }[]>('id');
    ids.set(name, row!.id);
  }

  type Application = [string, string, Date, string, { approvedAt?: Date; approvedBy?: string; closedAt?: Date; declineReason?: string }];
  const applications: Application[] = [
    ['S01', 'P01', at('2026-02-01', '10:00'), 'reinstated', { approvedAt: at('2026-02-20', '15:00'), approvedBy: 'underwriter', closedAt: at('2026-03-10', '10:00') }],
    ['S04', 'P04', at('2026-05-01', '10:00'), 'declined', { closedAt: at('2026-05-25', '16:00'), declineReason: 'RISK_INCREASED_HEALTH' }],
    ['S04', 'P04', at('2027-12-01', '10:00'), 'under_review', {}],
    ['S05', 'P05', at('2026-06-01', '10:00'), 'reinstated', { approvedAt: at('2026-07-02'), approvedBy: 'deemed_consent', closedAt: at('2026-07-15', '10:00') }],
    ['S06', 'P06', at('2026-03-01', '10:00'), 'withdrawn', { closedAt: at('2026-03-05', '11:00') }],
    ['S08', 'P08', at('2026-06-15', '10:00'), 'evidence_requested', {}],
    ['S09', 'P09', at('2026-05-20', '10:00'), 'approval_expired', { approvedAt: at('2026-06-10', '10:00'), approvedBy: 'underwriter', closedAt: at('2026-07-10') }],
    ['S10', 'P10', at('2026-05-01', '10:00'), 'reinstated', { approvedAt: at('2026-05-15', '10:00'), approvedBy: 'underwriter', closedAt: at('2026-06-30', '23:30') }],
  ];
  let n = 0;
  for (const [suspension, policy, received, status, o] of applications) {
    await db('reinstatement_applications').insert({
      suspension_id: ids.get(suspension)!,
      policy_no: policy,
      workflow_id: `reinstatement-${policy}-${++n}`,
      received_at: received,
      decision_due_date: '2030-01-01', // not read by the reports
      payment_method: 'counter',
      status,
      approved_by: o.approvedBy ?? null,
      approved_at: o.approvedAt ?? null,
      decline_reason: o.declineReason ?? null,
      closed_at: o.closedAt ?? null,
    });
  }
}
