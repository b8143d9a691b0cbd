import { WorkflowNotFoundError, WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError, type Client, type WorkflowHandle } from '@temporalio/client';
import type { Knex } from 'knex';
import { isCivilDate, shanghaiDate } from '../domain/civil-date';
import { isReportedVia } from '../domain/payments';
import { quoteArrears, type ArrearsQuote } from '../domain/reinstatement-arrears';
import { DECLINE_REASONS, EVIDENCE_KINDS, type DeclineReason, type EvidenceKind, type UnderwritingDecision } from '../domain/reinstatement-application';
import { daysLeftToApply, reinstatementWindow } from '../domain/reinstatement-window';
import { renewalWorkflowId } from '../domain/renewal-stage';
import { applicationsOf, type ApplicationRow } from '../db/repositories/reinstatements';
import type { SuspensionRow } from '../db/repositories/suspensions';
import {
  applyForReinstatementUpdate,
  PAYMENT_METHODS,
  reducedPaidUpUpdate,
  reinstatementDebitUpdate,
  reinstatementPaymentUpdate,
  reinstatementStatusQuery,
  underwritingDecisionUpdate,
  withdrawReinstatementUpdate,
  type PaymentMethod,
  type ReinstatementStatus,
  type WindowStatusApplication,
} from '../workflows/reinstatement-messages';
import { findCycle, OperatorError } from './operator-events';
import { updateTimeoutMs, type UpdateOptions } from './update-deadline';

const usage = (message: string) => new OperatorError(message, true);


async function policyStatus(db: Knex, policyNo: string): Promise<string> {
  const policy = await db('policies').where({ policy_no: policyNo }).first<{ status: string } | undefined>('status');
  if (!policy) throw new OperatorError(`no policy ${policyNo} in the database`);
  return policy.status;
}

async function latestSuspension(db: Knex, policyNo: string): Promise<SuspensionRow | undefined> {
  return db('suspensions').where({ policy_no: policyNo }).orderBy('id', 'desc').first<SuspensionRow | undefined>();
}

/** The suspension an application is made against: the open one, or why there is none. */
async function openSuspension(db: Knex, policyNo: string): Promise<SuspensionRow> {
  const status = await policyStatus(db, policyNo);
  const suspension = await latestSuspension(db, policyNo);
  if (suspension?.outcome === 'open') return suspension;
  if (status === 'terminated') throw new OperatorError(`policy ${policyNo} was terminated at the end of its reinstatement window: nothing to reinstate`);
  // Cycles open the window at suspension; one that lapsed under an earlier version opens it once its
  // lapse notices are out (the letter goes on the next working day).
  if (status === 'lapsed') {
    throw new OperatorError(`policy ${policyNo} is lapsed but its reinstatement window is not open yet: a cycle that lapsed before windows opened at suspension opens it once its lapse notices are out, by the next working day; apply then`);
  }
  throw new OperatorError(`policy ${policyNo} is ${status.replace('_', ' ')}, not suspended: nothing to reinstate`);
}

async function latestApplication(db: Knex, policyNo: string): Promise<ApplicationRow> {
  await policyStatus(db, policyNo);
  const [application] = await applicationsOf(db, policyNo);
  if (!application) throw new OperatorError(`policy ${policyNo} has no reinstatement application: renewals reinstate apply ${policyNo}`);
  return application;
}

/** Runs an update, turning Temporal's failures into one line naming the policy and what refused. */
async function send<T>(client: Client, what: string, handle: WorkflowHandle, run: () => Promise<T>, options: UpdateOptions): Promise<T> {
  try {
    return await client.withDeadline(Date.now() + updateTimeoutMs(options), run);
  } catch (error) {
    if (error instanceof WorkflowUpdateFailedError) return Promise.reject(new OperatorError(`${what} refused: ${error.cause?.message ?? error.message}`));
    if (error instanceof WorkflowNotFoundError) return Promise.reject(new OperatorError(`${what}: workflow ${handle.workflowId} is not running`));
    if (error instanceof WorkflowUpdateRPCTimeoutOrCancelledError) {
      return Promise.reject(new OperatorError(`${what}: ${handle.workflowId} did not answer in time (is a renewal worker running?)`));
    }
    throw error;
  }
}

export interface Applied extends WindowStatusApplication {
  policyNo: string;
  lapsedDueDate: string;
  paymentMethod: PaymentMethod;
}

/** A reinstatement application, received now: the cycle in its window starts the `reinstatement` workflow. */
/** `actor`: the person taking the application (an opaque reference), who may not approve it. */
export async function applyForReinstatement(db: Knex, client: Client, policyNo: string, paymentMethod: string, actor: string, options: UpdateOptions = {}): Promise<Applied> {
  if (!(PAYMENT_METHODS as readonly string[]).includes(paymentMethod)) throw usage(`--pay must be ${PAYMENT_METHODS.join(' or ')}, got "${paymentMethod}"`);
  const suspension = await openSuspension(db, policyNo);
  const handle = client.workflow.getHandle(renewalWorkflowId(policyNo, suspension.lapsed_due_date));
  const method = paymentMethod as PaymentMethod;
  const applied = await send(client, `the reinstatement window of ${policyNo}`, handle, () =>
    handle.executeUpdate(applyForReinstatementUpdate, { args: [{ paymentMethod: method, by: actor }] }),
    options,
  );
  return { policyNo, lapsedDueDate: suspension.lapsed_due_date, paymentMethod: method, ...applied };
}

/** The underwriter's decision from command-line options: exactly one of approve, decline, request evidence. */
export function decisionFrom(options: { approve?: boolean; decline?: string; requestEvidence?: string }): UnderwritingDecision {
  const given = [options.approve ? 'approve' : undefined, options.decline !== undefined ? 'decline' : undefined, options.requestEvidence !== undefined ? 'request-evidence' : undefined].filter(Boolean);
  if (given.length !== 1) throw usage(`give exactly one of --approve, --decline <reason>, --request-evidence <kinds>${given.length ? `, got ${given.join(' and ')}` : ''}`);
  if (options.approve) return { kind: 'approve' };
  if (options.decline !== undefined) {
    if (!Object.hasOwn(DECLINE_REASONS, options.decline)) throw usage(`--decline must be one of ${Object.keys(DECLINE_REASONS).join(', ')}, got "${options.decline}"`);
    return { kind: 'decline', reasonCode: options.decline as DeclineReason };
  }
  const kinds = options.requestEvidence!.split(',').map((k) => k.trim());
  const bad = kinds.find((k) => !(EVIDENCE_KINDS as readonly string[]).includes(k));
  if (bad !== undefined || kinds.length === 0) throw usage(`--request-evidence takes a comma-separated list of ${EVIDENCE_KINDS.join(', ')}, got "${options.requestEvidence!}"`);
  return { kind: 'request_evidence', evidence: kinds as EvidenceKind[] };
}

export interface ApplicationAnswer {
  policyNo: string;
  workflowId: string;
  status: ReinstatementStatus;
}

async function toApplication(
  db: Knex,
  client: Client,
  policyNo: string,
  what: string,
  run: (handle: WorkflowHandle) => Promise<ReinstatementStatus>,
  options: UpdateOptions,
): Promise<ApplicationAnswer> {
  const application = await latestApplication(db, policyNo);
  const handle = client.workflow.getHandle(application.workflow_id);
  const status = await send(client, `${what} for the application ${application.workflow_id}`, handle, () => run(handle), options);
  return { policyNo, workflowId: application.workflow_id, status };
}

/** `actor`: the underwriter deciding; refused for an approval by whoever applied or captured the declaration. */
export function decideReinstatement(db: Knex, client: Client, policyNo: string, decision: UnderwritingDecision, actor: string, options: UpdateOptions = {}): Promise<ApplicationAnswer> {
  return toApplication(db, client, policyNo, 'the decision', (h) => h.executeUpdate(underwritingDecisionUpdate, { args: [{ ...decision, by: actor }] }), options);
}

export function payReinstatement(db: Knex, client: Client, policyNo: string, payment: { via: string; reference: string; amountFen: number }, actor: string, options: UpdateOptions = {}): Promise<ApplicationAnswer> {
  const via = payment.via;
  if (!isReportedVia(via)) throw usage(`--via must be counter, online or transfer, got "${via}"`);
  return toApplication(db, client, policyNo, 'the payment', (h) => h.executeUpdate(reinstatementPaymentUpdate, { args: [{ via, reference: payment.reference, amountFen: payment.amountFen, by: actor }] }), options);
}

export function debitReinstatement(db: Knex, client: Client, policyNo: string, actor: string, options: UpdateOptions = {}): Promise<ApplicationAnswer> {
  return toApplication(db, client, policyNo, 'the debit', (h) => h.executeUpdate(reinstatementDebitUpdate, { args: [{ by: actor }] }), options);
}

export function withdrawReinstatement(db: Knex, client: Client, policyNo: string, actor: string, options: UpdateOptions = {}): Promise<ApplicationAnswer> {
  return toApplication(db, client, policyNo, 'the withdrawal', (h) => h.executeUpdate(withdrawReinstatementUpdate, { args: [{ by: actor }] }), options);
}

/**
 * Reduced paid-up chosen (or declined) through the cycle: the one in its reinstatement window when the
 * policy is suspended, else the cycle of the premium in grace.
 */
export async function chooseReducedPaidUp(db: Knex, client: Client, policyNo: string, choice: string, actor: string, options: UpdateOptions = {}): Promise<{ policyNo: string; workflowId: string; choice: string; netSinglePremiumFen: number }> {
  if (choice !== 'accepted' && choice !== 'declined') throw usage(`--choice must be accepted or declined, got "${choice}"`);
  const suspension = await latestSuspension(db, policyNo);
  const workflowId = suspension?.outcome === 'open' ? renewalWorkflowId(policyNo, suspension.lapsed_due_date) : (await findCycle(db, policyNo)).workflowId;
  const handle = client.workflow.getHandle(workflowId);
  const answer = await send(client, `the cycle ${workflowId}`, handle, () => handle.executeUpdate(reducedPaidUpUpdate, { args: [{ choice, by: actor }] }), options);
  return { policyNo, workflowId, ...answer };
}

export interface ReinstatementView {
  policyNo: string;
  policyStatus: string;
  suspension?: {
    lapsedDueDate: string;
    suspensionDate: string;
    lastDayToApply: string;
    daysLeftToApply: number;
    outcome: SuspensionRow['outcome'];
    highValue: boolean;
    annualPremiumFen: number;
  };
  application?: {
    workflowId: string;
    status: string;
    receivedDate: string;
    decisionDueDate: string;
    paymentMethod: string;
    approvedBy: string | null;
    payBy: string | null;
    declineReason: string | null;
    effectiveDate: string | null;
    suicideExclusionEnds: string | null;
    nextDueDate: string | null;
    paidFen: number | null;
    /** From the running workflow: the declaration, the last debit, what it waits for. */
    live?: ReinstatementStatus;
    /** Back premiums and interest if paid on the view's day, while the approval stands. */
    quote?: ArrearsQuote;
  };
}

/** Where a policy stands after suspension: the window, the latest application (live when it runs). */
export async function reinstatementView(db: Knex, client: Client, policyNo: string, today = shanghaiDate(Date.now())): Promise<ReinstatementView> {
  if (!isCivilDate(today)) throw usage(`--on must be a date YYYY-MM-DD, got "${String(today)}"`);
  const policyStatusNow = await policyStatus(db, policyNo);
  const view: ReinstatementView = { policyNo, policyStatus: policyStatusNow };
  const suspension = await latestSuspension(db, policyNo);
  if (suspension) {
    const window = reinstatementWindow(suspension.suspension_date, Number(suspension.window_closes_on.slice(0, 4)) - Number(suspension.suspension_date.slice(0, 4)));
    view.suspension = {
      lapsedDueDate: suspension.lapsed_due_date,
      suspensionDate: suspension.suspension_date,
      lastDayToApply: window.lastDayToApply,
      daysLeftToApply: suspension.outcome === 'open' && today >= window.suspensionDate ? daysLeftToApply(window, today) : 0,
      outcome: suspension.outcome,
      highValue: suspension.high_value,
      annualPremiumFen: suspension.annual_premium_fen,
    };
  }
  const [application] = await applicationsOf(db, policyNo);
  if (application) {
    view.application = {
      workflowId: application.workflow_id,
      status: application.status,
      receivedDate: shanghaiDate(application.received_at.getTime()),
      decisionDueDate: application.decision_due_date,
      paymentMethod: application.payment_method,
      approvedBy: application.approved_by,
      payBy: application.pay_by,
      declineReason: application.decline_reason,
      effectiveDate: application.effective_date,
      suicideExclusionEnds: application.suicide_exclusion_ends,
      nextDueDate: application.next_due_date,
      paidFen: application.paid_fen,
    };
    const handle = client.workflow.getHandle(application.workflow_id);
    try {
      if ((await handle.describe()).status.name === 'RUNNING') view.application.live = await handle.query(reinstatementStatusQuery);
    } catch (error) {
      if (!(error instanceof WorkflowNotFoundError)) throw error;
    }
    const live = view.application.live;
    // A quote is for one day of payment: the day asked about, within the approval's pay-by date.
    if (live?.status === 'approved' && live.payBy && today <= live.payBy && today > live.terms.lapsedDueDate) {
      view.application.quote = quoteArrears({ ...live.terms, paymentDate: today });
    }
  }
  return view;
}
