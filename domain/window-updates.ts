/**
 * Why the cycle in its reinstatement window refuses an update, or undefined when it takes it: pure
 * checks on the window's state (reinstatement-window.ts) that its update validators throw. Its call
 * tasks are completed as in grace (cycle-updates.ts taskCompletionError).
 */
import { shanghaiDate } from './civil-date';
import { paidAtInstant, paymentAmountError } from './payment-amounts';
import { reportedPaymentError } from './payments';
import { PAYMENT_METHODS, receiveApplication, type PaymentMethod } from './reinstatement-application';
import type { ReinstatementWindow, WindowState } from './reinstatement-window';

/** Where a reduced paid-up choice stands: one being recorded, one accepted (read only when a check needs it). */
export interface ReducedPaidUpTaking {
  readonly choosing: boolean;
  readonly accepted: boolean;
}

/** Reinstated, terminated, or reduced paid-up accepted: nothing more happens in the window. */
export function windowOverError(state: WindowState, reducedPaidUp: Pick<ReducedPaidUpTaking, 'accepted'>): string | undefined {
  if (!(state.reinstated || state.terminated || reducedPaidUp.accepted)) return undefined;
  return `the reinstatement window is over (${state.reinstated ? 'reinstated' : state.terminated ? 'terminated' : 'reduced paid-up'})`;
}

/**
 * applyForReinstatement at `now`: one application at a time, none while a reduced paid-up choice is
 * being recorded, and only in time (receiveApplication). `openApplication`: the open one's workflow
 * ID once started.
 */
export function applicationRefusal(
  state: WindowState,
  window: ReinstatementWindow,
  request: { paymentMethod: PaymentMethod },
  reducedPaidUp: ReducedPaidUpTaking,
  openApplication: string | undefined,
  now: number,
): string | undefined {
  const { paymentMethod } = request;
  if (!PAYMENT_METHODS.includes(paymentMethod)) return `paymentMethod must be ${PAYMENT_METHODS.join(' or ')}, got ${String(paymentMethod)}`;
  const over = windowOverError(state, reducedPaidUp);
  if (over) return over;
  if (state.applicationOpen) return `an application is already open: ${openApplication ?? 'being started'}`;
  if (reducedPaidUp.choosing) return 'a reduced paid-up choice is being recorded';
  const receipt = receiveApplication(window, now, { terminated: state.terminated });
  return receipt.accepted ? undefined : receipt.message;
}

/** reducedPaidUp in the window at `now`: until its close, and not while an application is open. */
export function windowReducedPaidUpError(state: WindowState, window: ReinstatementWindow, reducedPaidUp: Pick<ReducedPaidUpTaking, 'accepted'>, now: number): string | undefined {
  const over = windowOverError(state, reducedPaidUp);
  if (over) return over;
  if (now >= window.closesAt) return `the reinstatement window closed at the end of ${window.lastDayToApply}`;
  if (state.applicationOpen) return 'an application to reinstate is open: decide it (or withdraw it) first';
  return undefined;
}

/**
 * paymentReceived in the window at `now`: only a payment made before the suspension instant
 * (`suspendedAt`) can count, so its paid-at is required (docs/business-rules.md#payment-amounts); one
 * made after it pays no premium (the reinstatement pays arrears). Not while an application or a
 * reduced paid-up choice is under way.
 */
export function latePaymentError(
  state: WindowState,
  payment: { via: string; reference: string; amountFen?: unknown; paidAt?: unknown },
  reducedPaidUp: ReducedPaidUpTaking,
  suspendedAt: number,
  now: number,
): string | undefined {
  const over = windowOverError(state, reducedPaidUp);
  if (over) return over;
  if (state.applicationOpen) return 'an application to reinstate is open: its payment pays the arrears';
  if (reducedPaidUp.choosing) return 'a reduced paid-up choice is being recorded';
  const malformed = reportedPaymentError(payment) ?? paymentAmountError(payment, now);
  if (malformed) return malformed;
  const suspension = `00:00 of ${shanghaiDate(suspendedAt)} (Shanghai)`;
  if (payment.paidAt === undefined) return `the policy is suspended from ${suspension}: only a payment made before then counts, so say when it was paid (paidAt)`;
  if (paidAtInstant(payment.paidAt as string)! >= suspendedAt) return `paid after the suspension from ${suspension}: apply for reinstatement instead`;
  return undefined;
}
