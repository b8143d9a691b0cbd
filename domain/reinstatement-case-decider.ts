/**
 * The decider of a reinstatement application: given its case (reinstatement-case.ts), the arrears
 * terms and the time, what the `reinstatement` workflow does next. The workflow performs the step
 * through its activities, feeds the outcome back through the case's transitions and asks again; the
 * rules live here and in reinstatement-application.ts, so they are tested without a server.
 */
import { approvalNotice, declineNotice, type ApplicationNotice } from './application-notices';
import { shanghaiDate, type CivilDate } from './civil-date';
import { contactWindowOpening, DEFAULT_CONTACT_LIMITS } from './contact-rules';
import { paymentInstant, type BackPremiumPayment, type ReinstatementCase } from './reinstatement-case';
import {
  applicationStep,
  type ApplicationStatus,
  type ApprovedBy,
  type DeclineReason,
  type EvidenceKind,
  type ReinstatementApplication,
} from './reinstatement-application';
import { quoteArrears, type ArrearsQuote, type ArrearsTerms } from './reinstatement-arrears';

/** A status the application moved to, as the trail records it. */
export interface StatusChange {
  status: ApplicationStatus;
  approvedBy?: ApprovedBy;
  approvedAt?: number;
  payBy?: CivilDate;
  declineReason?: DeclineReason;
  evidence?: EvidenceKind[];
  closedAt?: number;
}

export type ApplicationOutcome = 'declined' | 'withdrawn' | 'approval_expired' | 'reinstated';

export type CaseStep =
  /**
   * Close the declaration task, then open the underwriting task if the application still awaits a
   * decision (reinstatement-case.ts underwritingTaskOwed); then decide again at once, in the same turn.
   */
  | { type: 'record_declaration' }
  /** Apply the payment taken at `at` against the quote for its day, reinstate and tell; the application ends. */
  | { type: 'reinstate'; payment: BackPremiumPayment; quote: ArrearsQuote; at: number }
  /**
   * Record the status the application moved to (deemed consent and an expiry applied first), then
   * send the notice it owes (noticeDue).
   */
  | { type: 'record_status'; change: StatusChange }
  /** Debit the quote for the collection date from the mandate. */
  | { type: 'debit'; attemptNo: number; collectionDate: CivilDate; amountFen: number }
  /** Wait until the instant, or until an update changes the case; `why` is what the status query shows. */
  | { type: 'wait'; until: number; why: string }
  | { type: 'close'; result: { outcome: ApplicationOutcome; declineReason?: DeclineReason } };

function quoteFor(terms: ArrearsTerms, paymentDate: CivilDate): ArrearsQuote {
  return quoteArrears({ ...terms, paymentDate });
}

/**
 * What the workflow does next at `now`, in order: record the declaration; apply a payment taken;
 * record a status the application moved to (the clock's changes included); then by status wait for
 * the decision, debit (asked for, with a mandate) or wait for the payment, or close.
 */
export function nextStep(c: ReinstatementCase, terms: ArrearsTerms, now: number): CaseStep {
  if (c.declaration === 'captured' && !c.declarationRecorded) return { type: 'record_declaration' };
  if (c.payment && !c.reinstated) {
    // A payment taken was allowed when it came (its validator, or the debit asked under an open
    // approval): it is applied before any expiry the clock would apply now.
    return { type: 'reinstate', payment: c.payment, quote: quoteFor(terms, c.payment.date), at: paymentInstant(c.payment) };
  }

  // Deemed consent and an expired approval apply first: on a copy here, on the case once recorded
  // (statusRecorded). applicationStep replaces the fields it changes, so a shallow copy is enough.
  const app: ReinstatementApplication = { ...c.application };
  const step = applicationStep(app, now);
  if (app.status !== c.recorded.status || app.evidenceRequests.length !== c.recorded.evidence) return { type: 'record_status', change: statusChange(app) };

  switch (step.type) {
    case 'await_decision':
      return { type: 'wait', until: step.until, why: c.declaration === 'awaited' ? 'the health declaration to be captured' : `underwriting decision by ${step.decisionDueDate}` };
    case 'await_payment': {
      // One debit at a time, each asked for; none without a mandate (the counter takes the money).
      if (c.debits.wanted > c.debits.made && terms.hasMandate) {
        const collectionDate = shanghaiDate(now);
        return { type: 'debit', attemptNo: c.debits.made + 1, collectionDate, amountFen: quoteFor(terms, collectionDate).totalFen };
      }
      return { type: 'wait', until: step.until, why: `back premiums paid by ${step.payBy}` };
    }
    case 'approval_expired': // the clock moved the status just now: recorded above, never reached
    case 'closed': {
      const outcome = step.type === 'closed' ? step.outcome : 'approval_expired';
      return { type: 'close', result: { outcome, ...(app.declineReason ? { declineReason: app.declineReason } : {}) } };
    }
  }
}

export type StatusNoticeKind = 'approval' | 'decline';

/**
 * The notice owed once a status is on record, for the status as it stands then (a decision or a
 * withdrawal may have come while it was recorded): an approval from `at`, a decline at once; the
 * other statuses are not news to tell.
 */
export function noticeDue(c: ReinstatementCase, now: number): { kind: StatusNoticeKind; at: number } | undefined {
  const app = c.application;
  // Consent deemed at 00:00 is told (and debited) when the day's contact window opens.
  if (app.status === 'approved' && app.approval) return { kind: 'approval', at: contactWindowOpening(now, DEFAULT_CONTACT_LIMITS, 'sms') };
  if (app.status === 'declined') return { kind: 'decline', at: now };
  return undefined;
}

/** The notice itself, made when it goes out: an approval quotes for that day (the approval's own at the earliest). */
export function statusNotice(c: ReinstatementCase, kind: StatusNoticeKind, terms: ArrearsTerms, now: number): ApplicationNotice {
  if (kind === 'decline') return declineNotice(c.application.declineReason, c.lastDayToApply);
  const approval = c.application.approval;
  if (!approval) throw new RangeError('no approval to tell of');
  return approvalNotice(approval, quoteFor(terms, shanghaiDate(Math.max(approval.at, now))));
}

/** The trail's record of the status the application is in. */
export function statusChange(a: ReinstatementApplication): StatusChange {
  const latest = a.evidenceRequests.at(-1);
  return {
    status: a.status,
    ...(a.approval ? { approvedBy: a.approval.by, approvedAt: a.approval.at, payBy: a.approval.payBy } : {}),
    ...(a.declineReason ? { declineReason: a.declineReason } : {}),
    ...(a.status === 'evidence_requested' && latest ? { evidence: latest.evidence } : {}),
    ...(a.closedAt !== undefined ? { closedAt: a.closedAt } : {}),
  };
}
