/**
 * The reinstatement contract with clients: the window stage's updates (on the renewal cycle, after
 * suspension) and the `reinstatement` child workflow's input, result, updates and query. IDs, dates,
 * codes and fen only: the health declaration itself never enters a payload.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { CivilDate } from '../domain/civil-date';
import type { ReportedVia } from '../domain/payments';
import type { ArrearsTerms } from '../domain/reinstatement-arrears';
import type { ApplicationStatus, ApprovedBy, DeclineReason, PaymentMethod, UnderwritingDecision } from '../domain/reinstatement-application';
import type { ReinstatementWindow } from '../domain/reinstatement-window';
import type { SignedBy } from './messages';

export { PAYMENT_METHODS, type PaymentMethod } from '../domain/reinstatement-application';
export type { ArrearsTerms } from '../domain/reinstatement-arrears';

export interface ReinstatementInput {
  policyNo: string;
  /** The premium whose non-payment suspended the policy: the cycle's due date. */
  lapsedDueDate: CivilDate;
  suspensionId: number;
  window: ReinstatementWindow;
  receivedAt: number;
  paymentMethod: PaymentMethod;
  /** Who took the application (an opaque reference): never its approver (domain/four-eyes.ts). */
  appliedBy?: string;
}

export type ReinstatementOutcome = 'reinstated' | 'declined' | 'withdrawn' | 'approval_expired';

export interface ReinstatementResult {
  outcome: ReinstatementOutcome;
  effectiveDate?: CivilDate;
  nextDueDate?: CivilDate | null;
  declineReason?: DeclineReason;
}

export interface ReinstatementStatus {
  status: ApplicationStatus;
  receivedDate: CivilDate;
  decisionDueDate: CivilDate;
  paymentMethod: PaymentMethod;
  declaration: 'awaited' | 'captured';
  evidenceRequested: string[];
  approvedBy?: ApprovedBy;
  /** The people who signed the application's steps so far (opaque references). */
  signedBy?: { applied?: string; declaration?: string; decided?: string; withdrawn?: string; paid?: string };
  payBy?: CivilDate;
  declineReason?: DeclineReason;
  /** What the back premiums are quoted from (quoteArrears with the day of payment). */
  terms: ArrearsTerms;
  lastDebit?: { collectionDate: CivilDate; status: 'succeeded' | 'failed'; reason?: string };
  effectiveDate?: CivilDate;
  suicideExclusionEnds?: CivilDate;
  nextDueDate?: CivilDate | null;
  nextAction: string;
}

/** Workflow ID of an application: one at a time per suspended premium, numbered as they come. */
export function reinstatementWorkflowId(policyNo: string, lapsedDueDate: CivilDate, applicationNo: number): string {
  return `reinstatement-${policyNo}-${lapsedDueDate}-${applicationNo}`;
}

export const reinstatementStatusQuery = defineQuery<ReinstatementStatus>('reinstatementStatus');
export const underwritingDecisionUpdate = defineUpdate<ReinstatementStatus, [UnderwritingDecision & SignedBy]>('underwritingDecision');
/** Back premiums paid at the counter (or online, by transfer): exactly the quote for the day. */
export const reinstatementPaymentUpdate = defineUpdate<
  ReinstatementStatus,
  [{ via: ReportedVia; reference: string; amountFen: number } & SignedBy]
>('reinstatementPayment');
/** Asks for one more debit of today's quote (after a failed one, or to switch from the counter). */
export const reinstatementDebitUpdate = defineUpdate<ReinstatementStatus, [SignedBy]>('reinstatementDebit');
/** `tasks complete` reports the declaration task here, under the cycle's update name. */
export const applicationTaskCompletedUpdate = defineUpdate<ReinstatementStatus, [{ step: string; outcome: string } & SignedBy]>('taskCompleted');
export const withdrawReinstatementUpdate = defineUpdate<ReinstatementStatus, [SignedBy]>('withdrawReinstatement');

/** On the cycle in its window stage. */
export interface WindowStatusApplication {
  workflowId: string;
  receivedDate: CivilDate;
  decisionDueDate: CivilDate;
}
export const applyForReinstatementUpdate = defineUpdate<WindowStatusApplication, [{ paymentMethod: PaymentMethod } & SignedBy]>('applyForReinstatement');
export const reducedPaidUpUpdate = defineUpdate<{ choice: 'accepted' | 'declined'; netSinglePremiumFen: number }, [{ choice: 'accepted' | 'declined' } & SignedBy]>('reducedPaidUp');
