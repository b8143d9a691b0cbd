/**
 * The state of one premium's cycle and the pure transitions that events make to it. The workflow
 * holds one of these, applies signals and activity outcomes through these functions, and asks the
 * decider what to do next. Everything here is non-personal and JSON-serialisable.
 */
import type { CivilDate } from './civil-date';
import { nextTry, type ChannelWait, type ContactWait } from './contact-waits';
import type { DebitReason } from './debit-reasons';

import type { HoldKind } from './holds';
import type { PaidVia } from './payments';
import type { EscalationOutcome } from './task-outcomes';

export interface DebitRecord {
  attemptNo: number;
  step: string;
  collectionDate: CivilDate;
  /** withdrawn: taken back from the bank batch before it was sent (a hold came): as if never made. */
  outcome: 'pending' | 'succeeded' | 'failed' | 'returned' | 'withdrawn';
  reason?: DebitReason;
  retryable?: boolean;
  customerFault?: boolean;
  /** When the attempt was made: one in flight for a day without an answer goes to operations. */
  startedAt?: number;
  /** When the cycle last heard or asked about an attempt in flight: the next check is due after this. */
  checkedAt?: number;
  /** When a return or reversal of this (successful) attempt reached the cycle. */
  returnedAt?: number;
  /** A hold asked for this attempt back and the bank had it already: it stands, its answer awaited. */
  withdrawalRefused?: boolean;
}

export interface CycleState {
  /** Steps carried out (sent, suppressed, opened, attempted), by plan step name. */
  done: string[];
  debits: DebitRecord[];
  paid?: { via: PaidVia; at: number };
  promiseUntil?: CivilDate;
  /** A promise broken (its date passed unpaid): the ladder resumed. */
  brokenPromises: number;
  holds: HoldKind[];
  /** When the last hold was released: a lapse it postponed waits for the end of that day. */
  lastHoldReleasedAt?: number;
  /** A debit failed for a reason that needs a new or fixed account; debits wait for accountUpdated. */
  accountBlocked: boolean;
  /** Debits requested outside the plan's dates (account fixed, operator asked), not yet made. */
  extraDebitsRequested: number;
  refusalReason?: number;
  /** Operations' answer to a grace-end escalation. */
  operatorDecision?: EscalationOutcome;
  lapsedAt?: number;
  nonPaymentReason?: number;
  /** Contact steps that could not go when due (a provider down): owed, tried again later. */
  contactsWaiting?: ContactWait[];
}

export function initialCycleState(): CycleState {
  return { done: [], debits: [], brokenPromises: 0, holds: [], accountBlocked: false, extraDebitsRequested: 0 };
}

export function markDone(state: CycleState, ...steps: string[]): void {
  for (const step of steps) if (!state.done.includes(step)) state.done.push(step);
}

/**
 * A contact step could not go now: it stays owed and is tried again on the schedule of
 * contact-waits.ts. `reason`: provider:code of what stopped it.
 */
export function contactWaiting(state: CycleState, step: string, now: number, reason: string, waits: readonly ChannelWait[] = []): void {
  const waiting = (state.contactsWaiting ??= []);
  const earlier = waiting.find((w) => w.step === step);
  const tries = (earlier?.tries ?? 0) + 1;
  const wait: ContactWait = { step, since: earlier?.since ?? now, tries, retryAt: nextTry(tries, now, waits), reason };
  if (earlier) Object.assign(earlier, wait);
  else waiting.push(wait);
}

/** The step went (sent, suppressed by a rule, refused for good) or was recorded expired: done, no longer owed. */
export function contactSettled(state: CycleState, step: string): void {
  markDone(state, step);
  if (state.contactsWaiting) state.contactsWaiting = state.contactsWaiting.filter((w) => w.step !== step);
}

/** A contact point or a provider was fixed (contactUpdated): waiting contacts are tried at once. */
export function retryWaitingContactsNow(state: CycleState, now: number): void {
  for (const wait of state.contactsWaiting ?? []) wait.retryAt = Math.min(wait.retryAt, now);
}

export function waitingContact(state: CycleState, step: string): ContactWait | undefined {
  return state.contactsWaiting?.find((w) => w.step === step);
}

export function debitStarted(
  state: CycleState,
  record: Pick<DebitRecord, 'attemptNo' | 'step' | 'collectionDate'>,
  covers: readonly string[],
  at?: number,
): void {
  state.debits.push({ ...record, outcome: 'pending', ...(at !== undefined ? { startedAt: at, checkedAt: at } : {}) });
  markDone(state, record.step, ...covers);
  if (record.step.startsWith('debit_extra_')) state.extraDebitsRequested = Math.max(0, state.extraDebitsRequested - 1);
}

export type DebitResult =
  | { status: 'succeeded'; at: number }
  | { status: 'failed'; reason: DebitReason; retryable: boolean; customerFault: boolean }
  | { status: 'pending' }
  /** A return or reversal after a success: the money came back, the premium is open again. */
  | { status: 'returned'; reason: DebitReason; customerFault: boolean };

/**
 * Applies a debit's outcome (from the activity, a status check, or later a bankResult signal).
 * `at`: when the cycle learnt it; it dates the next check of a pending attempt and a return.
 */
export function debitResolved(state: CycleState, attemptNo: number, result: DebitResult, at?: number): void {
  const record = state.debits.find((d) => d.attemptNo === attemptNo);
  if (!record) throw new RangeError(`no debit attempt ${attemptNo} in this cycle`);
  switch (result.status) {
    case 'pending':
      if (at !== undefined) record.checkedAt = at;
      return;
    case 'succeeded':
      record.outcome = 'succeeded';
      if (!state.paid) state.paid = { via: 'debit', at: result.at };
      return;
    case 'failed':
      Object.assign(record, { outcome: 'failed', reason: result.reason, retryable: result.retryable, customerFault: result.customerFault });
      // Closed, frozen, mismatched or unauthorised: retrying the same account cannot succeed.
      if (!result.retryable) state.accountBlocked = true;
      return;
    case 'returned':
      Object.assign(record, { outcome: 'returned', reason: result.reason, retryable: false, customerFault: result.customerFault });
      if (at !== undefined) record.returnedAt = at;
      if (state.paid?.via === 'debit') state.paid = undefined;
      return;
  }
}

/**
 * An attempt read back from the record after a bankResult signal woke the cycle (the signal itself
 * is not believed: anyone who can reach Temporal can send one). An attempt in flight takes a final
 * answer, a success only a return. True when the state changed.
 */
export function debitChecked(state: CycleState, attemptNo: number, result: DebitResult, at: number): boolean {
  const record = state.debits.find((d) => d.attemptNo === attemptNo);
  const settles = record?.outcome === 'pending' ? result.status !== 'pending' : record?.outcome === 'succeeded' && result.status === 'returned';
  if (settles) debitResolved(state, attemptNo, result, at);
  return settles;
}

/**
 * A debit in flight taken back before it reached the bank (a hold came while it waited for the
 * day's file): it counts for nothing, so its plan step is owed again once debits may resume (the
 * due-steps rule then makes one attempt of it and anything else overdue); an extra attempt is
 * requested again.
 */
export function debitWithdrawn(state: CycleState, attemptNo: number): void {
  const record = state.debits.find((d) => d.attemptNo === attemptNo);
  if (!record) throw new RangeError(`no debit attempt ${attemptNo} in this cycle`);
  if (record.outcome !== 'pending') return;
  record.outcome = 'withdrawn';
  if (record.step.startsWith('debit_extra_')) state.extraDebitsRequested += 1;
  else state.done = state.done.filter((step) => step !== record.step);
}

/** The bank had the attempt already: it stands, and is not asked for again. */
export function debitWithdrawalRefused(state: CycleState, attemptNo: number): void {
  const record = state.debits.find((d) => d.attemptNo === attemptNo);
  if (record) record.withdrawalRefused = true;
}

export function paymentReceived(state: CycleState, via: PaidVia, at: number): void {
  if (!state.paid) state.paid = { via, at };
}

export function promiseMade(state: CycleState, until: CivilDate): void {
  state.promiseUntil = until;
}

/** The promised date passed unpaid: the ladder resumes where it stands. */
export function promiseBroken(state: CycleState): void {
  state.promiseUntil = undefined;
  state.brokenPromises += 1;
}

export function holdPlaced(state: CycleState, kind: HoldKind): void {
  if (!state.holds.includes(kind)) state.holds.push(kind);
}

export function holdReleased(state: CycleState, kind: HoldKind, at: number): void {
  if (!state.holds.includes(kind)) return;
  state.holds = state.holds.filter((h) => h !== kind);
  state.lastHoldReleasedAt = at;
}

/** A new or fixed account: debits resume at once with one extra attempt. */
export function accountUpdated(state: CycleState): void {
  if (state.accountBlocked) {
    state.accountBlocked = false;
    state.extraDebitsRequested += 1;
  }
}

export function customerRefused(state: CycleState, reasonCode: number): void {
  state.refusalReason = reasonCode;
}

export function operatorDecided(state: CycleState, decision: EscalationOutcome): void {
  state.operatorDecision = decision;
  if (decision === 'retry_debit') {
    state.extraDebitsRequested += 1;
    state.accountBlocked = false;
  }
}

export function lapsed(state: CycleState, at: number, nonPaymentReason: number): void {
  state.lapsedAt = at;
  state.promiseUntil = undefined;
  state.nonPaymentReason = nonPaymentReason;
}

export function pendingDebit(state: CycleState): DebitRecord | undefined {
  return state.debits.find((d) => d.outcome === 'pending');
}

/** The latest return or reversal that reached the cycle, if any. */
export function lastReturnAt(state: CycleState): number | undefined {
  const returns = state.debits.map((d) => d.returnedAt).filter((at): at is number => at !== undefined);
  return returns.length ? Math.max(...returns) : undefined;
}

export function lastFailedDebit(state: CycleState): DebitRecord | undefined {
  return [...state.debits].reverse().find((d) => d.outcome === 'failed' || d.outcome === 'returned');
}
