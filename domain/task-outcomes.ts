/** What the person who worked a task reports: codes, never free text (free text could carry personal data). */
import { isCivilDate, type CivilDate } from './civil-date';
import { isNonPaymentReason, NON_PAYMENT_REASON_CODES, type NonPaymentReasonCode } from './non-payment-reasons';

/** Outcomes of a call or account-fix task (the call scripts offer exactly these). */
export const TASK_OUTCOMES = ['reached', 'no_answer', 'wrong_number', 'promised', 'refused', 'account_fixed', 'done', 'paid_elsewhere'] as const;
export type TaskOutcome = (typeof TASK_OUTCOMES)[number];

/** The outcome of a task whose work is filed elsewhere (a reinstatement declaration, in the underwriting file). */
export const DONE_OUTCOME = 'done' satisfies TaskOutcome;

/** The grace-end escalation: operations decide whether to try the debit again or let the policy lapse. */
export const ESCALATION_STEP = 'grace_end_escalation';
export const ESCALATION_OUTCOMES = ['retry_debit', 'lapse'] as const;
export type EscalationOutcome = (typeof ESCALATION_OUTCOMES)[number];

/**
 * A customer says they paid elsewhere (a counter, a transfer): operations look for the money. Found,
 * it is recorded as a reported payment (`renewals pay`), which settles this task with the premium;
 * `not_found` closes the task and collection goes on (docs/business-rules.md#tasks-that-act).
 */
export const PAYMENT_CONFIRMATION_STEP = 'payment_confirmation';
export const PAYMENT_CONFIRMATION_OUTCOMES = ['not_found'] as const;

/** The outcomes a task of this step accepts. */
export function outcomesOf(step: string): readonly string[] {
  if (step === ESCALATION_STEP) return ESCALATION_OUTCOMES;
  if (step === PAYMENT_CONFIRMATION_STEP) return PAYMENT_CONFIRMATION_OUTCOMES;
  return TASK_OUTCOMES;
}

/**
 * What an outcome does beyond closing its task (docs/business-rules.md#tasks-that-act): a promise
 * goes to the cycle with its date, a refusal with its reason, a wrong number invalidates the number
 * called, a payment made elsewhere opens a payment to confirm.
 */
export type OutcomeEffect =
  | { kind: 'none' }
  | { kind: 'promise'; date: CivilDate }
  | { kind: 'refusal'; reasonCode: NonPaymentReasonCode }
  | { kind: 'wrong_number' }
  | { kind: 'payment_to_confirm' };

/** What the person reported with the outcome (`tasks complete --date`, `--reason`). */
export interface OutcomeDetails {
  date?: string;
  reason?: string;
}

/**
 * The effect of an outcome reported on `today` (Asia/Shanghai), or the one-line reason the details
 * do not fit it, naming the option. The cycle checks the promised date against its last grace day.
 */
export function outcomeEffect(outcome: string, details: OutcomeDetails, today: CivilDate): OutcomeEffect | { error: string } {
  if (details.date !== undefined && outcome !== 'promised') return { error: `--date goes with the outcome promised only, not ${outcome}` };
  if (details.reason !== undefined && outcome !== 'refused') return { error: `--reason goes with the outcome refused only, not ${outcome}` };
  switch (outcome) {
    case 'promised': {
      if (details.date === undefined) return { error: 'the outcome promised needs --date YYYY-MM-DD, the date the customer promised to pay by' };
      if (!isCivilDate(details.date)) return { error: `--date must be a date YYYY-MM-DD, got ${JSON.stringify(details.date)}` };
      if (details.date < today) return { error: `--date ${details.date} is in the past (today is ${today})` };
      return { kind: 'promise', date: details.date };
    }
    case 'refused': {
      const range = `${Math.min(...NON_PAYMENT_REASON_CODES)}–${Math.max(...NON_PAYMENT_REASON_CODES)}`;
      if (details.reason === undefined) return { error: `the outcome refused needs --reason, a non-payment reason code ${range}` };
      const code = /^\d{1,2}$/.test(details.reason) ? Number(details.reason) : Number.NaN;
      if (!isNonPaymentReason(code)) return { error: `--reason must be a non-payment reason code ${range}, got "${details.reason}"` };
      return { kind: 'refusal', reasonCode: code };
    }
    case 'wrong_number':
      return { kind: 'wrong_number' };
    case 'paid_elsewhere':
      return { kind: 'payment_to_confirm' };
    default:
      return { kind: 'none' };
  }
}

/**
 * Open tasks close themselves (status settled) when the cycle reaches one of these stages
 * (docs/business-rules.md#tasks-that-act): the premium was paid, or collection is over. At lapse a
 * payment still to be confirmed stays open: money found later reinstates or refunds.
 */
export function settlementAt(stage: string): { because: string; keepKinds: readonly string[] } | undefined {
  switch (stage) {
    case 'PAID':
      return { because: 'premium_paid', keepKinds: [] };
    case 'LAPSED':
      return { because: 'lapsed', keepKinds: ['payment_confirmation'] };
    case 'REINSTATED':
      return { because: 'reinstated', keepKinds: [] };
    case 'CLOSED':
      return { because: 'cycle_closed', keepKinds: [] };
    default:
      return undefined;
  }
}
