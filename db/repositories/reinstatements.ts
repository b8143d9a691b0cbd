import type { Knex } from 'knex';
import type { ApplicationStatus, ApprovedBy, DeclineReason, PaymentMethod } from '../../domain/reinstatement-application';
import { anchorDayFor, type ArrearsQuote, type PaymentFrequency } from '../../domain/reinstatement-arrears';

/** A reinstatement application as stored: IDs, dates, codes and fen; no health data. */
export interface ApplicationRow {
  id: number;
  suspension_id: number;
  policy_no: string;
  workflow_id: string;
  received_at: Date;
  decision_due_date: string;
  payment_method: PaymentMethod;
  status: ApplicationStatus;
  approved_by: ApprovedBy | null;
  approved_at: Date | null;
  pay_by: string | null;
  decline_reason: DeclineReason | null;
  quote: ArrearsQuote | null;
  paid_fen: number | null;
  paid_via: string | null;
  payment_reference: string | null;
  paid_at: Date | null;
  effective_date: string | null;
  suicide_exclusion_ends: string | null;
  contestability_ends: string | null;
  next_due_date: string | null;
  closed_at: Date | null;
}

export async function openApplication(
  db: Knex,
  application: Pick<ApplicationRow, 'suspension_id' | 'policy_no' | 'workflow_id' | 'received_at' | 'decision_due_date' | 'payment_method'>,
): Promise<ApplicationRow> {
  await db('reinstatement_applications').insert(application).onConflict('workflow_id').ignore();
  return db('reinstatement_applications').where({ workflow_id: application.workflow_id }).first<ApplicationRow>();
}

export async function applicationByWorkflow(db: Knex, workflowId: string): Promise<ApplicationRow | undefined> {
  return db('reinstatement_applications').where({ workflow_id: workflowId }).first<ApplicationRow | undefined>();
}

/** The policy's applications, newest first. */
export async function applicationsOf(db: Knex, policyNo: string): Promise<ApplicationRow[]> {
  return db('reinstatement_applications').where({ policy_no: policyNo }).orderBy('id', 'desc');
}

/** Moves an application to a new status; returns false when it already had it (a retried activity). */
export async function updateApplication(
  db: Knex,
  workflowId: string,
  change: Partial<Omit<ApplicationRow, 'id' | 'suspension_id' | 'policy_no' | 'workflow_id' | 'received_at' | 'quote'>> & { quote?: ArrearsQuote | null },
): Promise<boolean> {
  const { quote, ...rest } = change;
  const query = db('reinstatement_applications').where({ workflow_id: workflowId });
  if (change.status) query.whereNot({ status: change.status });
  const updated = await query.update({ ...rest, ...(quote !== undefined ? { quote: quote === null ? null : JSON.stringify(quote) } : {}), updated_at: db.fn.now() });
  return updated > 0;
}

/** What back premiums are quoted from: the policy's premium and frequency, its product's interest rate. */
export interface ArrearsTermsRow {
  premiumFen: number;
  paymentFrequency: PaymentFrequency;
  interestRateBp: number;
  /** Day of the month premiums fall due: the issue date's. */
  anchorDay: number;
  hasMandate: boolean;
  installmentNo: number;
}

export async function arrearsTerms(db: Knex, policyNo: string, lapsedDueDate: string): Promise<ArrearsTermsRow | undefined> {
  const row = await db('premium_dues as d')
    .join('policies as p', 'p.policy_no', 'd.policy_no')
    .join('products as r', 'r.code', 'p.product_code')
    .where({ 'd.policy_no': policyNo, 'd.due_date': lapsedDueDate })
    .first<
      | { amount_fen: string | number; payment_frequency: PaymentFrequency; interest_bp: number; issue_day: number; installment_no: number; has_mandate: boolean }
      | undefined
    >(
      'd.amount_fen',
      'p.payment_frequency',
      'r.reinstatement_interest_bp as interest_bp',
      db.raw('extract(day from p.issue_date)::int as issue_day'),
      'd.installment_no',
      db.raw(`exists (select 1 from mandates m where m.policy_no = p.policy_no and m.status = 'active') as has_mandate`),
    );
  if (!row) return undefined;
  return {
    premiumFen: Number(row.amount_fen),
    paymentFrequency: row.payment_frequency,
    interestRateBp: row.interest_bp,
    anchorDay: anchorDayFor(lapsedDueDate, row.issue_day),
    hasMandate: row.has_mandate,
    installmentNo: row.installment_no,
  };
}

/**
 * The policy back in force: the application reinstated, the suspension ended, the policy's next
 * premium on record as due (its own cycle collects it). One transaction: never a reinstated
 * application on a policy still shown lapsed.
 */
export async function reinstatePolicy(
  trx: Knex.Transaction,
  r: {
    workflowId: string;
    suspensionId: number;
    policyNo: string;
    at: Date;
    paid: { fen: number; via: string; reference: string };
    quote: ArrearsQuote;
    effectiveDate: string;
    suicideExclusionEnds: string;
    contestabilityEnds: string;
    next: { dueDate: string; installmentNo: number; amountFen: number } | null;
  },
): Promise<boolean> {
  const changed = await trx('reinstatement_applications')
    .where({ workflow_id: r.workflowId })
    .whereNot({ status: 'reinstated' })
    .update({
      status: 'reinstated',
      quote: JSON.stringify(r.quote),
      paid_fen: r.paid.fen,
      paid_via: r.paid.via,
      payment_reference: r.paid.reference,
      paid_at: r.at,
      effective_date: r.effectiveDate,
      suicide_exclusion_ends: r.suicideExclusionEnds,
      contestability_ends: r.contestabilityEnds,
      next_due_date: r.next?.dueDate ?? null,
      closed_at: r.at,
      updated_at: trx.fn.now(),
    });
  if (changed === 0) return false;
  await trx('suspensions').where({ id: r.suspensionId, outcome: 'open' }).update({ outcome: 'reinstated', outcome_at: r.at });
  await trx('policies')
    .where({ policy_no: r.policyNo })
    .update({
      status: 'in_force',
      // Paid to the next due date; past the paying term, the paid-to date on record stands.
      ...(r.next ? { paid_to_date: r.next.dueDate } : {}),
      next_due_date: r.next?.dueDate ?? null,
      next_installment_no: r.next?.installmentNo ?? null,
      updated_at: trx.fn.now(),
    });
  // Installments of the arrears already on record as due are paid by the back premiums: no cycle may
  // collect them again.
  const covered = r.quote.lines.map((l) => l.dueDate);
  if (covered.length) {
    await trx('premium_dues')
      .where({ policy_no: r.policyNo, status: 'due' })
      .whereIn('due_date', covered)
      .update({ status: 'paid', paid_at: r.at, paid_via: r.paid.via, updated_at: trx.fn.now() });
  }
  if (r.next) {
    await trx('premium_dues')
      .insert({ policy_no: r.policyNo, due_date: r.next.dueDate, installment_no: r.next.installmentNo, amount_fen: r.next.amountFen, status: 'due' })
      .onConflict(['policy_no', 'due_date'])
      .ignore();
  }
  return true;
}
