/**
 * Why the `reinstatement` workflow refuses an update, or undefined when it takes it: pure checks on
 * the case (reinstatement-case.ts) that its update validators throw. The wording is what operators
 * and the CLI see.
 */
import { shanghaiDate } from './civil-date';
import { reportedPaymentError } from './payments';
import { DECLARATION_STEP, isWithdrawable, paymentAllowed, underwritingDecisionError, UNDERWRITING_STEP, type UnderwritingDecision } from './reinstatement-application';
import { quoteArrears, type ArrearsTerms } from './reinstatement-arrears';
import type { ReinstatementCase } from './reinstatement-case';
import { DONE_OUTCOME } from './task-outcomes';

/** The terms are loaded by the application's first activity; updates that need them wait or are told so. */
export const STILL_OPENING = 'the application is still being opened: try again in a moment';

/** taskCompleted: the declaration task, once, with outcome done; the underwriting task closes by its decision. */
export function declarationTaskError(c: ReinstatementCase, completion: { step: string; outcome: string }): string | undefined {
  const { step, outcome } = completion;
  if (step === UNDERWRITING_STEP) return 'the underwriting task is completed by its decision: renewals reinstate decide';
  if (step !== DECLARATION_STEP || c.declaration === 'captured') return `no open task ${step} in this application`;
  if (outcome !== DONE_OUTCOME) return `outcome of ${step} must be ${DONE_OUTCOME} (the declaration is in the underwriting file), got ${outcome}`;
  return undefined;
}

/** underwritingDecision at `now`. */
export function underwritingDecisionRefusal(c: ReinstatementCase, decision: UnderwritingDecision, now: number): string | undefined {
  // An approval needs the declaration read; a decline or a request for evidence does not, so a
  // declaration that never comes need not end in consent.
  if (decision?.kind === 'approve' && c.declaration === 'awaited') return 'the health and risk declaration is not captured yet: complete its task first';
  return underwritingDecisionError(c.application, decision, now);
}

/** reinstatementPayment at `now`: exactly today's quote, under an open approval, with no debit on its way. */
export function paymentError(
  c: ReinstatementCase,
  terms: ArrearsTerms | undefined,
  payment: { via: string; reference: string; amountFen: number },
  now: number,
): string | undefined {
  const reported = reportedPaymentError(payment);
  if (reported) return reported;
  if (c.payment || c.reinstated) return 'the back premiums are already paid';
  if (c.debits.inFlight || c.debits.wanted > c.debits.made) return 'a debit of the back premiums is on its way: wait for its answer';
  const today = shanghaiDate(now);
  const allowed = paymentAllowed(c.application, today);
  if (!allowed.allowed) return `no payment can be taken: ${allowed.message}`;
  if (!terms) return STILL_OPENING;
  const quote = quoteArrears({ ...terms, paymentDate: today });
  if (payment.amountFen !== quote.totalFen) {
    return `amountFen must be today's quote, ${quote.totalFen} fen (back premiums ${quote.premiumsFen} + interest ${quote.interestFen}), got ${String(payment.amountFen)}`;
  }
  return undefined;
}

/** reinstatementDebit at `now`: from an active mandate, under an open approval, one at a time. */
export function debitRequestError(c: ReinstatementCase, terms: ArrearsTerms | undefined, now: number): string | undefined {
  if (!terms) return STILL_OPENING;
  if (!terms.hasMandate) return 'the policy has no active debit mandate: pay at the counter';
  if (c.payment || c.reinstated) return 'the back premiums are already paid';
  if (c.debits.inFlight || c.debits.wanted > c.debits.made) return 'a debit is already on its way';
  const allowed = paymentAllowed(c.application, shanghaiDate(now));
  if (!allowed.allowed) return `no debit can be made: ${allowed.message}`;
  return undefined;
}

/** withdrawReinstatement: while under review or approved and unpaid, and no debit is on its way. */
export function withdrawalError(c: ReinstatementCase): string | undefined {
  if (c.payment || c.reinstated) return 'the back premiums are paid: the policy is being reinstated';
  if (c.debits.inFlight) return 'a debit of the back premiums is on its way: wait for its answer';
  if (!isWithdrawable(c.application)) return `the application is ${c.application.status}: nothing to withdraw`;
  return undefined;
}
