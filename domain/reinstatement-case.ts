/**
 * One reinstatement application as its workflow holds it: the underwriting record
 * (reinstatement-application.ts), the health declaration, the debits asked for and made, the back
 * premiums paid, and what the trail and the policyholder already know. Pure transitions for each
 * event on a JSON-serialisable record, like cycle-state.ts; reinstatement-case-decider.ts says what
 * the workflow does next. The declaration itself stays in the underwriting file, never here.
 */
import { shanghaiDate, shanghaiInstant, type CivilDate } from './civil-date';
import type { ReportedVia } from './payments';
import { reinstate, type ReinstatementRecord } from './reinstatement';
import {
  applicationStep,
  awaitsDecision,
  decideUnderwriting,
  withdrawApplication,
  type ApplicationStatus,
  type PaymentMethod,
  type ReinstatementApplication,
  type UnderwritingDecision,
} from './reinstatement-application';
import type { ArrearsQuote } from './reinstatement-arrears';

export interface BackPremiumPayment {
  via: ReportedVia | 'debit';
  reference: string;
  amountFen: number;
  at: number;
  /** The day the money was received (a debit: its collection date, whenever the bank answered). */
  date: CivilDate;
}

/** The bank's answer to a debit of the back premiums. */
export type DebitAnswer = { status: 'succeeded'; reference: string; at: number } | { status: 'failed'; reason: string };

export interface LastDebit {
  collectionDate: CivilDate;
  status: 'succeeded' | 'failed';
  reason?: string;
}

export interface ReinstatementCase {
  application: ReinstatementApplication;
  paymentMethod: PaymentMethod;
  /** The last day to apply: a declined applicant is told they may apply again until then. */
  lastDayToApply: CivilDate;
  /** The health and risk declaration: captured once operations complete its task. */
  declaration: 'awaited' | 'captured';
  /** Its task closed on record (and the underwriting task opened, if still undecided then). */
  declarationRecorded: boolean;
  /** Debits asked for (one from the start when paying by debit) and made; one at a time. */
  debits: { wanted: number; made: number; inFlight: boolean; last?: LastDebit };
  payment?: BackPremiumPayment;
  reinstated?: ReinstatementRecord;
  /** What the trail already holds: the status and the number of evidence requests. */
  recorded: { status: ApplicationStatus; evidence: number };
  /** What the workflow does next, as the status query shows it. */
  nextAction: string;
}

/** A case for an application just received; the trail holds it as received (under review). */
export function openCase(application: ReinstatementApplication, paymentMethod: PaymentMethod, lastDayToApply: CivilDate): ReinstatementCase {
  return {
    application,
    paymentMethod,
    lastDayToApply,
    declaration: 'awaited',
    declarationRecorded: false,
    debits: { wanted: paymentMethod === 'debit' ? 1 : 0, made: 0, inFlight: false },
    recorded: { status: application.status, evidence: application.evidenceRequests.length },
    nextAction: 'start',
  };
}

export function declarationCaptured(c: ReinstatementCase): void {
  c.declaration = 'captured';
}

export function declarationRecorded(c: ReinstatementCase): void {
  c.declarationRecorded = true;
}

/**
 * Asked once the declaration task is closed: the underwriter gets a task only while the application
 * awaits a decision (a decline or a withdrawal that came meanwhile needs none).
 */
export function underwritingTaskOwed(c: ReinstatementCase): boolean {
  return awaitsDecision(c.application);
}

/** Throws (changing nothing) when the decision cannot be taken at `at`. */
export function underwritingDecided(c: ReinstatementCase, decision: UnderwritingDecision, at: number): void {
  decideUnderwriting(c.application, decision, at);
}

export function withdrawn(c: ReinstatementCase, at: number): void {
  withdrawApplication(c.application, at);
}

/** Paid at the counter, online or by transfer: dated the day it was reported. */
export function paymentReported(c: ReinstatementCase, payment: { via: ReportedVia; reference: string; amountFen: number }, at: number): void {
  c.payment = { via: payment.via, reference: payment.reference, amountFen: payment.amountFen, at, date: shanghaiDate(at) };
}

/** One more debit of the day's quote (after a failed one, or instead of the counter). */
export function debitAskedFor(c: ReinstatementCase): void {
  c.debits.wanted = c.debits.made + 1;
}

export function debitStarted(c: ReinstatementCase, debit: { attemptNo: number }): void {
  c.debits.made = debit.attemptNo;
  c.debits.inFlight = true;
  c.nextAction = 'debit: back premiums and interest';
}

export function debitAnswered(c: ReinstatementCase, debit: { collectionDate: CivilDate; amountFen: number }, answer: DebitAnswer): void {
  c.debits.inFlight = false;
  if (answer.status === 'succeeded') {
    c.debits.last = { collectionDate: debit.collectionDate, status: 'succeeded' };
    // Paid on the collection date the quote was made for, whenever the bank answered.
    c.payment = { via: 'debit', reference: answer.reference, amountFen: debit.amountFen, at: answer.at, date: debit.collectionDate };
  } else {
    c.debits.last = { collectionDate: debit.collectionDate, status: 'failed', reason: answer.reason };
  }
}

/**
 * The instant a payment is applied at: when it came, or 23:59 of its day for a debit the bank
 * answered on a later day, so the policy is in force again from the day it was paid.
 */
export function paymentInstant(payment: BackPremiumPayment): number {
  return shanghaiDate(payment.at) === payment.date ? payment.at : shanghaiInstant(payment.date, '23:59');
}

/**
 * The back premiums applied: the application is reinstated and the record returned. Throws
 * (changing nothing) naming what does not match the quote or the approval.
 */
export function backPremiumsApplied(c: ReinstatementCase, payment: { quote: ArrearsQuote; amountFen: number; at: number }): ReinstatementRecord {
  const record = reinstate(c.application, payment.quote, { amountFen: payment.amountFen, at: payment.at });
  c.reinstated = record;
  return record;
}

/**
 * The status the application has moved to goes on record: the clock's changes (deemed consent, an
 * approval expired) are applied as of `now`, as the decider saw them.
 */
export function statusRecorded(c: ReinstatementCase, now: number): void {
  applicationStep(c.application, now);
  c.recorded = { status: c.application.status, evidence: c.application.evidenceRequests.length };
}

export function waiting(c: ReinstatementCase, wait: { why: string }): void {
  c.nextAction = `wait: ${wait.why}`;
}
