/**
 * Why the renewal cycle refuses an update, or undefined when it takes it: pure checks on the cycle's
 * state (cycle-state.ts) that its update validators throw. The wording is what operators and the CLI see.
 */
import { isCivilDate, shanghaiDate, shanghaiInstant, type CivilDate } from './civil-date';
import { lastGraceDay, type PolicySnapshot } from './cycle-schedule';
import { pendingDebit, type CycleState } from './cycle-state';
import { HOLD_KINDS, isHoldKind } from './holds';
import { isNonPaymentReason, NON_PAYMENT_REASON_CODES } from './non-payment-reasons';
import { paymentAmountError } from './payment-amounts';
import { reportedPaymentError } from './payments';
import type { RenewalStage } from './renewal-stage';
import { outcomesOf } from './task-outcomes';

/** Paid or lapsed: nothing left to change. `stage`: the cycle's, as its status shows it. */
export function cycleClosedError(state: CycleState, stage: RenewalStage): string | undefined {
  return state.paid || state.lapsedAt !== undefined ? `cycle is ${stage}: nothing to change` : undefined;
}

/** paymentReceived at `now`: a payment reported with its way and reference, and maybe its amount and paid-at. */
export function paymentReportError(
  state: CycleState,
  stage: RenewalStage,
  payment: { via: string; reference: string; amountFen?: unknown; paidAt?: unknown },
  now: number,
): string | undefined {
  return cycleClosedError(state, stage) ?? reportedPaymentError(payment) ?? paymentAmountError(payment, now);
}

/** promiseToPay at `now`: a date from today to the last grace day. */
export function promiseToPayError(state: CycleState, stage: RenewalStage, policy: PolicySnapshot, date: string, now: number): string | undefined {
  const closed = cycleClosedError(state, stage);
  if (closed) return closed;
  if (!isCivilDate(date)) return `date must be YYYY-MM-DD, got ${JSON.stringify(date)}`;
  const today = shanghaiDate(now);
  const last = lastGraceDay(policy);
  if (date < today || date > last) return `promised date must be from ${today} to the last grace day ${last}, got ${date}`;
  return undefined;
}

/** customerRefused: a non-payment reason code. */
export function refusalError(state: CycleState, stage: RenewalStage, reasonCode: number): string | undefined {
  const closed = cycleClosedError(state, stage);
  if (closed) return closed;
  if (!isNonPaymentReason(reasonCode)) return `reasonCode must be ${Math.min(...NON_PAYMENT_REASON_CODES)}–${Math.max(...NON_PAYMENT_REASON_CODES)}, got ${reasonCode}`;
  return undefined;
}

function holdKindError(kind: string): string | undefined {
  return isHoldKind(kind) ? undefined : `kind must be one of ${HOLD_KINDS.join(', ')}, got ${kind}`;
}

/** holdPlaced: a known kind, while the cycle is open. */
export function holdPlacedError(state: CycleState, stage: RenewalStage, kind: string): string | undefined {
  return cycleClosedError(state, stage) ?? holdKindError(kind);
}

/** holdReleased: a hold of that kind in place (a paid or lapsed cycle may still be released). */
export function holdReleasedError(state: CycleState, kind: string): string | undefined {
  if (!isHoldKind(kind)) return holdKindError(kind);
  return state.holds.includes(kind) ? undefined : `no ${kind} hold is in place`;
}

/** taskCompleted: a task the cycle opened, with an outcome its step accepts. */
export function taskCompletionError(openTasks: ReadonlySet<string>, completion: { step: string; outcome: string }): string | undefined {
  const { step, outcome } = completion;
  if (!openTasks.has(step)) return `no open task ${step} in this cycle`;
  const allowed = outcomesOf(step);
  if (!allowed.includes(outcome)) return `outcome of ${step} must be ${allowed.join(', ')}, got ${outcome}`;
  return undefined;
}

/** taskCompleted in grace: only while the cycle is open. */
export function cycleTaskCompletionError(state: CycleState, stage: RenewalStage, openTasks: ReadonlySet<string>, completion: { step: string; outcome: string }): string | undefined {
  return cycleClosedError(state, stage) ?? taskCompletionError(openTasks, completion);
}

/** reducedPaidUp in grace at `now`: from 00:00 of the due date to the last grace day, no debit in flight. */
export function graceReducedPaidUpError(state: CycleState, stage: RenewalStage, policy: PolicySnapshot, dueDate: CivilDate, now: number): string | undefined {
  const closed = cycleClosedError(state, stage);
  if (closed) return closed;
  const last = lastGraceDay(policy);
  if (now < shanghaiInstant(dueDate) || shanghaiDate(now) > last) return `reduced paid-up is offered from the due date ${dueDate} to the last grace day ${last}`;
  // A debit in progress blocks a change that affects payment (docs/business-rules.md#reduced-paid-up).
  if (pendingDebit(state)) return 'a debit is in progress: wait for its answer';
  return undefined;
}
