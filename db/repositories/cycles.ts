import type { Knex } from 'knex';
import { validatePlan, type CollectionPlan } from '../../domain/collection-plan';
import type { PolicySnapshot } from '../../domain/cycle-schedule';
import { owedAfter } from '../../domain/payment-amounts';
import type { PaidVia } from '../../domain/payments';
import { receivedFen } from './suspense-ledger';

/** What a cycle needs to know about its premium: IDs, amounts and routing, nothing personal. */
export interface CycleContext {
  premiumDueId: number;
  amountFen: number;
  installmentNo: number;
  status: string;
  branchCode: string;
  channel: string;
  productCode: string;
  planCode: string;
  snapshot: PolicySnapshot;
}

interface CycleRow {
  id: number;
  amount_fen: number;
  installment_no: number;
  status: string;
  branch_code: string;
  channel: string;
  product_code: string;
  plan_code: string;
  grace_days: number;
  payment_frequency: PolicySnapshot['paymentFrequency'];
  segment: string | null;
  preferred_channel: PolicySnapshot['preferredChannel'];
  apl_elected: boolean;
  cash_value_fen: number;
  has_mandate: boolean;
}

export async function loadCycleContext(db: Knex, policyNo: string, dueDate: string): Promise<CycleContext | undefined> {
  const row = await db('premium_dues as d')
    .join('policies as p', 'p.policy_no', 'd.policy_no')
    .join('products as r', 'r.code', 'p.product_code')
    .where({ 'd.policy_no': policyNo, 'd.due_date': dueDate })
    .first<CycleRow | undefined>(
      'd.id',
      'd.amount_fen',
      'd.installment_no',
      'd.status',
      'p.branch_code',
      'p.channel',
      'p.product_code',
      // The policy's own plan (policies.csv plan_code) before its product's.
      db.raw('coalesce(p.plan_code, r.plan_code) as plan_code'),
      'r.grace_days',
      'p.payment_frequency',
      'p.segment',
      'p.preferred_channel',
      'p.apl_elected',
      'p.cash_value_fen',
      db.raw(`exists (select 1 from mandates m where m.policy_no = p.policy_no and m.status = 'active') as has_mandate`),
    );
  if (!row) return undefined;
  return {
    premiumDueId: row.id,
    amountFen: row.amount_fen,
    installmentNo: row.installment_no,
    status: row.status,
    branchCode: row.branch_code,
    channel: row.channel,
    productCode: row.product_code,
    planCode: row.plan_code,
    snapshot: {
      dueDate,
      graceDays: row.grace_days,
      premiumFen: row.amount_fen,
      paymentFrequency: row.payment_frequency,
      segment: row.segment,
      preferredChannel: row.preferred_channel,
      hasMandate: row.has_mandate,
      aplElected: row.apl_elected,
      cashValueFen: row.cash_value_fen,
    },
  };
}

/**
 * The status and grace days of many premiums in one query, keyed `policyNo|dueDate`: what a work list
 * needs for each task's days to lapse, without loading a whole cycle context per task.
 */
export async function premiumsGrace(db: Knex, premiums: readonly { policyNo: string; dueDate: string }[]): Promise<Map<string, { status: string; graceDays: number }>> {
  if (premiums.length === 0) return new Map();
  const { rows } = await db.raw<{ rows: { policy_no: string; due_date: string; status: string; grace_days: number }[] }>(
    `SELECT d.policy_no, to_char(d.due_date, 'YYYY-MM-DD') AS due_date, d.status, r.grace_days
       FROM jsonb_to_recordset(CAST(? AS jsonb)) AS k(policy_no text, due_date date)
       JOIN premium_dues d ON d.policy_no = k.policy_no AND d.due_date = k.due_date
       JOIN policies p ON p.policy_no = d.policy_no
       JOIN products r ON r.code = p.product_code`,
    [JSON.stringify(premiums.map((p) => ({ policy_no: p.policyNo, due_date: p.dueDate })))],
  );
  return new Map(rows.map((r) => [`${r.policy_no}|${r.due_date}`, { status: r.status, graceDays: r.grace_days }]));
}

export async function linkWorkflow(db: Knex, premiumDueId: number, workflowId: string, runMonth?: string): Promise<void> {
  await db('premium_dues')
    .where({ id: premiumDueId })
    .update({ workflow_id: workflowId, run_month: runMonth ?? null, updated_at: db.fn.now() });
}

/** Operator-defined plans; each is validated as it is read, naming the plan and field at fault. */
export async function loadCollectionPlans(db: Knex): Promise<CollectionPlan[]> {
  const rows = await db('collection_plans').select<{ definition: unknown }[]>('definition');
  return rows.map((r) => validatePlan(r.definition));
}

export async function recordPayment(
  db: Knex,
  payment: { premiumDueId: number; via: PaidVia; reference: string; amountFen: number; at: Date },
): Promise<{ settled: boolean; owedFen: number }> {
  return db.transaction(async (trx) => {
    await trx('payments')
      .insert({
        premium_due_id: payment.premiumDueId,
        amount_fen: payment.amountFen,
        via: payment.via,
        reference: payment.reference,
        received_at: payment.at,
        reconciled: payment.via === 'debit' || payment.via === 'apl',
      })
      .onConflict(['premium_due_id', 'via', 'reference'])
      .ignore();
    // Paid once its payments not reversed reach its amount (a part leaves it due).
    const received = await receivedFen(trx, payment.premiumDueId);
    await trx('premium_dues')
      .where({ id: payment.premiumDueId })
      .whereIn('status', ['due', 'lapsed'])
      .where('amount_fen', '<=', received)
      .update({ status: 'paid', paid_at: payment.at, paid_via: payment.via, updated_at: trx.fn.now() });
    const premium = await trx('premium_dues').where({ id: payment.premiumDueId }).first<{ status: string; amount_fen: string }>('status', 'amount_fen');
    return { settled: premium?.status === 'paid', owedFen: owedAfter(Number(premium?.amount_fen ?? 0), received) };
  });
}

/** A premium nobody will collect any more (reduced paid-up): closed unless already settled. */
export async function closeUnpaidPremium(db: Knex, premiumDueId: number): Promise<void> {
  await db('premium_dues').where({ id: premiumDueId }).whereIn('status', ['due', 'lapsed']).update({ status: 'closed', updated_at: db.fn.now() });
}

export async function suspendPolicy(db: Knex, policyNo: string, premiumDueId: number): Promise<void> {
  await db.transaction(async (trx) => {
    await trx('premium_dues').where({ id: premiumDueId, status: 'due' }).update({ status: 'lapsed', updated_at: trx.fn.now() });
    await trx('policies').where({ policy_no: policyNo }).update({ status: 'lapsed', updated_at: trx.fn.now() });
  });
}
