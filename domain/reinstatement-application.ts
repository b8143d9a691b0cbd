/**
 * A reinstatement application: whether it is in time, the underwriting decision with its 30-day
 * deemed consent, and the approval the back premiums are then paid against. Pure transitions on a
 * JSON-serialisable record, like cycle-state.ts; no personal or health data is held here (the
 * declaration itself is a task's sensitive attachment, PIPL Art. 28).
 *
 * Law: SPC Interpretation (III) Art. 8 — the insurer may refuse only if the insured's risk rose
 * significantly during suspension; no explicit refusal within 30 days of receiving the application
 * counts as consent; the contract is reinstated from the day the back premiums are paid.
 */
import { addDays, isCivilDate, shanghaiDate, shanghaiInstant, type CivilDate } from './civil-date';
import type { ReinstatementWindow } from './reinstatement-window';

/** Interp. (III) Art. 8: 三十日内未明确拒绝的，应认定为同意恢复效力. */
export const DEEMED_CONSENT_DAYS = 30;

/**
 * Days the policyholder has to pay the quoted back premiums once approved. [ASSUMPTION / PRACTICE]:
 * neither statute nor interpretation sets one; approval notices commonly give a payment deadline.
 */
export const DEFAULT_PAYMENT_DAYS = 30;

/**
 * Lawful grounds to decline: only a significant rise in risk during suspension (Art. 8). The
 * evidence code is the insurer's answer when evidence it asked for never came and so the risk could
 * not be assessed; it is allowed only after a request for evidence (see decideUnderwriting).
 */
export const DECLINE_REASONS = {
  RISK_INCREASED_HEALTH: "the insured's health declaration or medical evidence shows a significant rise in risk during suspension",
  RISK_INCREASED_OCCUPATION: "the insured's occupation or activities changed to a significantly higher risk during suspension",
  RISK_INCREASED_OTHER: 'another significant rise in the insured risk during suspension, documented in the underwriting file',
  EVIDENCE_NOT_PROVIDED: 'evidence requested to assess the risk was not provided before the decision was due',
} as const;
export type DeclineReason = keyof typeof DECLINE_REASONS;

export const EVIDENCE_KINDS = ['medical_exam', 'medical_records', 'supplementary_declaration', 'occupation_details'] as const;
export type EvidenceKind = (typeof EVIDENCE_KINDS)[number];

export type UnderwritingDecision =
  | { kind: 'approve' }
  | { kind: 'decline'; reasonCode: DeclineReason }
  | { kind: 'request_evidence'; evidence: EvidenceKind[] };

/** How the policyholder means to pay the back premiums: from the mandate, or at the counter. */
export type PaymentMethod = 'debit' | 'counter';
export const PAYMENT_METHODS: readonly PaymentMethod[] = ['debit', 'counter'];

/** The tasks an application opens: the health and risk declaration, then the underwriter's decision. */
export const DECLARATION_STEP = 'reinstatement_declaration';
export const UNDERWRITING_STEP = 'reinstatement_underwriting';

/** Who approved: the underwriter, or the law when no refusal came in time (deemed consent). */
export type ApprovedBy = 'underwriter' | 'deemed_consent';

export type ApplicationStatus = 'under_review' | 'evidence_requested' | 'approved' | 'declined' | 'withdrawn' | 'approval_expired' | 'reinstated';

export interface ReinstatementApplication {
  /** When the application with its complete declaration reached the insurer: the 30 days run from here. */
  receivedAt: number;
  receivedDate: CivilDate;
  /** The last day for an explicit decision: received date + 30 (the day of receipt not counted). */
  decisionDueDate: CivilDate;
  /** 00:00 after the decision due date: from then, no refusal means consent. */
  deemedConsentAt: number;
  status: ApplicationStatus;
  evidenceRequests: { at: number; evidence: EvidenceKind[] }[];
  approval?: { by: ApprovedBy; at: number; payBy: CivilDate };
  declineReason?: DeclineReason;
  /** When it was declined, withdrawn, expired or reinstated. */
  closedAt?: number;
  paymentDays: number;
}

export type ApplicationReceipt =
  | { accepted: true; application: ReinstatementApplication }
  | { accepted: false; reason: 'not_suspended' | 'window_closed' | 'terminated'; message: string };

/**
 * A new application, or why it cannot be taken. In time up to 24:00 of the last day of the window.
 * After it the cycle has terminated the contract at 00:00 of the closing date (its Art. 37 right), so
 * there is no suspended contract left to reinstate. (Courts have held the two years limit only the
 * insurer's termination right: an insurer that has *not* terminated may not refuse on time alone,
 * docs/business-rules.md#reinstatement-application. Our cycle always terminates at the close, hence the refusal.)
 */
export function receiveApplication(
  window: ReinstatementWindow,
  receivedAt: number,
  options: { terminated?: boolean; paymentDays?: number } = {},
): ApplicationReceipt {
  if (!Number.isFinite(receivedAt)) throw new RangeError(`receivedAt must be an instant in ms, got ${String(receivedAt)}`);
  const paymentDays = options.paymentDays ?? DEFAULT_PAYMENT_DAYS;
  if (!Number.isInteger(paymentDays) || paymentDays < 1 || paymentDays > 365) {
    throw new RangeError(`paymentDays must be a whole number of days from 1 to 365, got ${String(paymentDays)}`);
  }
  if (receivedAt < shanghaiInstant(window.suspensionDate)) {
    return {
      accepted: false,
      reason: 'not_suspended',
      message: `the policy is not suspended before ${window.suspensionDate}: the premium can still be paid to keep it in force`,
    };
  }
  if (options.terminated || receivedAt >= window.closesAt) {
    return {
      accepted: false,
      reason: options.terminated && receivedAt < window.closesAt ? 'terminated' : 'window_closed',
      message: `the reinstatement window closed at the end of ${window.lastDayToApply} (two years from suspension on ${window.suspensionDate}); the contract was terminated on ${window.closingDate} and its cash value is refunded`,
    };
  }
  const receivedDate = shanghaiDate(receivedAt);
  // Civil Code Art. 201: the day of receipt is not counted, so day 30 is received date + 30 and
  // the insurer has all of it. No extension for a public holiday on day 30 (Art. 203 would allow
  // one): the stricter deadline can never make a deemed consent late.
  const decisionDueDate = addDays(receivedDate, DEEMED_CONSENT_DAYS);
  return {
    accepted: true,
    application: {
      receivedAt,
      receivedDate,
      decisionDueDate,
      deemedConsentAt: shanghaiInstant(addDays(decisionDueDate, 1)),
      status: 'under_review',
      evidenceRequests: [],
      paymentDays,
    },
  };
}

function pending(app: ReinstatementApplication): boolean {
  return app.status === 'under_review' || app.status === 'evidence_requested';
}

/** Under review or waiting for evidence: the underwriter (or the clock) has still to decide. */
export function awaitsDecision(app: ReinstatementApplication): boolean {
  return pending(app);
}

/** Under review, or approved (explicitly or deemed) and not yet paid: the policyholder may withdraw. */
export function isWithdrawable(app: ReinstatementApplication): boolean {
  return pending(app) || app.status === 'approved';
}

function approve(app: ReinstatementApplication, by: ApprovedBy, at: number): void {
  app.status = 'approved';
  app.approval = { by, at, payBy: addDays(shanghaiDate(at), app.paymentDays) };
}

/**
 * Consent by law once 00:00 after the decision due date passes with no explicit refusal. Call before
 * anything else at `now`; returns whether it changed the application.
 */
export function applyDeemedConsent(app: ReinstatementApplication, now: number): boolean {
  if (!pending(app) || now < app.deemedConsentAt) return false;
  approve(app, 'deemed_consent', app.deemedConsentAt);
  return true;
}

/**
 * Why the underwriter's decision cannot be taken at `at`, or undefined when it can. Changes nothing:
 * usable as an update validator. A request for evidence neither stops nor restarts the 30 days:
 * Art. 8 runs them from receipt of the application and makes only an explicit refusal stop consent;
 * an insurer's own request cannot extend a period that protects the policyholder. Underwriters who
 * need more time must decline (EVIDENCE_NOT_PROVIDED) before day 30 ends, or consent is deemed.
 */
export function underwritingDecisionError(app: ReinstatementApplication, decision: UnderwritingDecision, at: number): string | undefined {
  if (!Number.isFinite(at) || at < app.receivedAt) return 'decision time must not be before the application was received';
  const deemed = (pending(app) && at >= app.deemedConsentAt) || (app.status === 'approved' && app.approval?.by === 'deemed_consent');
  if (deemed) return `the application was approved by deemed consent at 00:00 on ${addDays(app.decisionDueDate, 1)}: no explicit decision came by ${app.decisionDueDate}`;
  if (!pending(app)) return `the application is ${app.status}: no underwriting decision can be made`;
  switch (decision?.kind) {
    case 'approve':
      return undefined;
    case 'decline': {
      const code = decision.reasonCode;
      if (typeof code !== 'string' || !Object.hasOwn(DECLINE_REASONS, code)) {
        return `a decline needs reasonCode, one of ${Object.keys(DECLINE_REASONS).join(', ')}; got ${JSON.stringify(code)}`;
      }
      if (code === 'EVIDENCE_NOT_PROVIDED' && app.evidenceRequests.length === 0) return 'reasonCode EVIDENCE_NOT_PROVIDED needs an earlier request for evidence on this application';
      return undefined;
    }
    case 'request_evidence': {
      const evidence = decision.evidence;
      if (!Array.isArray(evidence) || evidence.length === 0) return `request_evidence needs evidence, a list of ${EVIDENCE_KINDS.join(', ')}`;
      const bad = evidence.findIndex((e) => !EVIDENCE_KINDS.includes(e));
      return bad >= 0 ? `evidence[${bad}] must be one of ${EVIDENCE_KINDS.join(', ')}, got ${JSON.stringify(evidence[bad])}` : undefined;
    }
    default:
      return `decision must be approve, decline or request_evidence, got ${JSON.stringify(decision)}`;
  }
}

/** Applies the underwriter's decision; throws (changing nothing) with underwritingDecisionError's reason. */
export function decideUnderwriting(app: ReinstatementApplication, decision: UnderwritingDecision, at: number): void {
  const error = underwritingDecisionError(app, decision, at);
  if (error) throw new RangeError(error);
  switch (decision.kind) {
    case 'approve':
      approve(app, 'underwriter', at);
      return;
    case 'decline':
      app.status = 'declined';
      app.declineReason = decision.reasonCode;
      app.closedAt = at;
      return;
    case 'request_evidence':
      app.status = 'evidence_requested';
      app.evidenceRequests.push({ at, evidence: [...new Set(decision.evidence)] });
      return;
  }
}

/** The policyholder withdraws: while under review, or approved (explicitly or deemed) and not yet paid. */
export function withdrawApplication(app: ReinstatementApplication, at: number): void {
  if (!isWithdrawable(app)) throw new RangeError(`the application is ${app.status}: nothing to withdraw`);
  app.status = 'withdrawn';
  app.closedAt = at;
}

export type ApplicationStep =
  | { type: 'await_decision'; until: number; decisionDueDate: CivilDate }
  | { type: 'await_payment'; payBy: CivilDate; until: number }
  | { type: 'approval_expired' }
  | { type: 'closed'; outcome: 'declined' | 'withdrawn' | 'approval_expired' | 'reinstated' };

/**
 * What the application stage waits for at `now`. Deemed consent and an expired approval are
 * applied first; the caller records the change (audit) when the status moves.
 */
export function applicationStep(app: ReinstatementApplication, now: number): ApplicationStep {
  applyDeemedConsent(app, now);
  if (pending(app)) return { type: 'await_decision', until: app.deemedConsentAt, decisionDueDate: app.decisionDueDate };
  if (app.status === 'approved') {
    const expiresAt = shanghaiInstant(addDays(app.approval!.payBy, 1));
    if (now < expiresAt) return { type: 'await_payment', payBy: app.approval!.payBy, until: expiresAt };
    app.status = 'approval_expired';
    app.closedAt = expiresAt;
    return { type: 'approval_expired' };
  }
  return { type: 'closed', outcome: app.status as 'declined' | 'withdrawn' | 'approval_expired' | 'reinstated' };
}

/**
 * The approval in force on `paymentDate`, without changing the application: the recorded one, or
 * the deemed consent that the law gave from its date even if nobody has applied it yet.
 */
export function approvalOn(app: ReinstatementApplication, paymentDate: CivilDate): ReinstatementApplication['approval'] {
  if (app.status === 'approved') return app.approval;
  if (pending(app) && paymentDate >= shanghaiDate(app.deemedConsentAt)) {
    return { by: 'deemed_consent', at: app.deemedConsentAt, payBy: addDays(shanghaiDate(app.deemedConsentAt), app.paymentDays) };
  }
  return undefined;
}

/** Whether back premiums may be taken for reinstatement on `paymentDate` (approved, not expired). */
export function paymentAllowed(app: ReinstatementApplication, paymentDate: CivilDate): { allowed: true } | { allowed: false; message: string } {
  if (!isCivilDate(paymentDate)) throw new RangeError(`payment date must be YYYY-MM-DD, got ${JSON.stringify(paymentDate)}`);
  const approval = approvalOn(app, paymentDate);
  if (!approval) return { allowed: false, message: `the application is ${app.status}, not approved` };
  if (paymentDate < shanghaiDate(approval.at)) return { allowed: false, message: `payment on ${paymentDate} is before the approval on ${shanghaiDate(approval.at)}` };
  if (paymentDate > approval.payBy) return { allowed: false, message: `the approval required payment by ${approval.payBy}; ${paymentDate} is too late` };
  return { allowed: true };
}
