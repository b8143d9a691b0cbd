/**
 * The decider: given the plan, the policy, the calendar, the cycle's state and the time, what the
 * renewal-cycle workflow does next. The workflow performs the action, feeds the outcome back into
 * the state (cycle-state.ts) and asks again; all rules live here, so they are tested without a
 * server and replay the same way for the same inputs.
 */
import type { BusinessCalendar } from './business-calendar';
import { addDays, shanghaiDate, shanghaiInstant, type CivilDate } from './civil-date';
import { DEFAULT_RETURN_REMEDY_DAYS, type CollectionPlan } from './collection-plan';
import type { ContactChannel } from './channels';
import { contactWindowOpening, DEFAULT_CONTACT_LIMITS } from './contact-rules';
import type { ContactExpiry } from './contact-waits';
import { cycleSchedule, debitSchedule, lapseInstant, lapseSchedule, type PolicySnapshot, type ScheduledStep } from './cycle-schedule';
import { lastFailedDebit, lastReturnAt, pendingDebit, waitingContact, type CycleState, type DebitRecord } from './cycle-state';
import type { DebitReason } from './debit-reasons';
import { NON_PAYMENT_OTHER } from './non-payment-reasons';
import { PAYMENT_RECEIVED_EXPIRES_MS, PAYMENT_RECEIVED_STEP, PAYMENT_RECEIVED_TEMPLATE, paymentReceivedChannel } from './payment-received-notice';
import { ESCALATION_STEP } from './task-outcomes';
import type { LapseNotice } from './reinstatement-window';
import type { RenewalStage } from './renewal-stage';

/** A debit's money can come back by return or reversal for this long; the cycle stays open to hear it. */
export const RETURN_WINDOW_DAYS = 60;

/**
 * How long an attempt may stay in flight (accepted by a gateway, or in a bank file awaiting its
 * status report) before the cycle asks about it itself, in case the bank's answer never reached us.
 */
export const DEBIT_CHECK_INTERVAL_MS = 60 * 60 * 1000;

/** An attempt still in flight this long after it was made (no report, no answer) goes to operations. */
export const DEBIT_STUCK_AFTER_MS = 24 * 60 * 60 * 1000;

/**
 * When a bank reached by files answers (docs/business-rules.md#checks-of-a-debit-in-flight): its
 * status report for a collection date comes `businessDaysAfter` bank business days later, by `at`
 * (Asia/Shanghai). The ingest wakes the cycle with a signal when it arrives; the cycle looks once at
 * that time itself, then every FILE_BANK_FALLBACK_CHECK_MS while the answer is still missing.
 */
export interface ResultFileTiming {
  businessDaysAfter: number;
  at: string;
}

/** How often a file bank's attempt is looked at after its report was due and did not settle it. */
export const FILE_BANK_FALLBACK_CHECK_MS = 6 * 60 * 60 * 1000;

/** When the report answering a debit on `collectionDate` is expected. */
export function resultFileDueAt(calendar: BusinessCalendar, collectionDate: CivilDate, timing: ResultFileTiming): number {
  return shanghaiInstant(calendar.addBusinessDays(collectionDate, timing.businessDaysAfter), timing.at);
}


export type CycleAction =
  /** Sleep until the instant (or until a signal, whichever first); no instant: only a signal helps. */
  | { type: 'wait'; until?: number; why: string }
  | {
      type: 'contact';
      step: string;
      template: string;
      channels: ContactChannel[];
      allChannels: boolean;
      reason?: DebitReason;
      /** What the notice says beyond the premium itself: the payment-received notice's day of payment. */
      fields?: { paidOn: CivilDate };
      /**
       * Recorded as suppressed by this rule, not sent. `stale`: its time passed while a later
       * contact also fell due (a cycle started late, or resumed after a hold), so only the later goes.
       */
      suppressedBy?: 'hold' | 'promise_to_pay' | 'stale';
    }
  | { type: 'task'; step: string; task: 'call' | 'escalation' | 'fix_account'; assignee: 'agent' | 'team_lead' | 'operations'; suppressedBy?: 'hold' | 'promise_to_pay' }
  /** `covers`: planned attempts that passed while debits were held, replaced by this one. */
  | { type: 'debit'; step: string; attemptNo: number; collectionDate: CivilDate; covers: string[] }
  | { type: 'promise_broken'; promisedDate: CivilDate }
  /** A contact that waited for its provider is no longer worth sending: recorded with why, never sent. */
  | { type: 'expire_contact'; step: string; reason: ContactExpiry; waitedFor: string }
  /** Automatic premium loan from the cash value (elected, and the cash value covers the premium). */
  | { type: 'premium_loan' }
  /** Ask the bank (or the files already ingested) about an attempt still in flight. */
  | { type: 'check_debit'; attemptNo: number }
  /** A hold came while an attempt waits for the day's bank file: take it back if it has not gone. */
  | { type: 'withdraw_debit'; attemptNo: number }
  /** `at`: the instant of suspension (00:00 after grace), whatever the moment the cycle acts on it. */
  | { type: 'lapse'; nonPaymentReason: number; at: number }
  | { type: 'enter_reinstatement_window' }
  | { type: 'close'; stage: 'PAID' };

export interface Decision {
  action: CycleAction;
  stage: RenewalStage;
}

export interface DecisionInput {
  plan: CollectionPlan;
  policy: PolicySnapshot;
  calendar: BusinessCalendar;
  state: CycleState;
  now: number;
  /** false while replaying a history recorded before holds withdrew queued debits, so it replays as it ran. */
  withdrawHeldDebits?: boolean;
  /**
   * The reinstatement window opens at the moment of suspension and sends the lapse notices itself,
   * so an application is taken from the first day. false while replaying a history recorded before,
   * in which the cycle sent them and only then opened the window.
   */
  windowAtLapse?: boolean;
  /**
   * The bank answers by files at a known time: an attempt in flight is looked at when its report is
   * due, then sparsely; a signal from the ingest wakes the cycle before. Absent (an online bank, or a
   * cycle opened before the lean opening): looked at every DEBIT_CHECK_INTERVAL_MS.
   */
  resultFile?: ResultFileTiming;
  /**
   * The customer is told a settled premium was received (domain/payment-received-notice.ts). false while
   * replaying a history recorded before, in which a paid cycle only waited out the return window.
   */
  tellPaymentReceived?: boolean;
  /** The late check after the final sweep (LATE_CHECK_STEP). false while replaying a history recorded before. */
  lateCheck?: boolean;
}

const DAY_MS = 86_400_000;

/**
 * The late check (docs/business-rules.md#late-check): the final sweep went at 10:00 and found too
 * little money; a deposit later that day still keeps the policy in force if collected by 24:00, so a
 * bank that answers at once is asked once more at 22:00 of the last grace day.
 */
export const LATE_CHECK_STEP = 'debit_late_check';
export const LATE_CHECK_TIME = '22:00';

/** The late check's days: the cycle asks whether it makes it (its patch) only at a decision this close to the lapse, a long holiday included. */
const LATE_CHECK_REACH_MS = 8 * DAY_MS;

/** Whether a decision at `now` may come to the late check: the workflow asks its patch only then. */
export function lateCheckInReach(policy: PolicySnapshot, state: CycleState, now: number): boolean {
  const lapseAt = lapseInstant(policy);
  return state.paid === undefined && state.lapsedAt === undefined && now >= lapseAt - LATE_CHECK_REACH_MS && now < lapseAt;
}

/** 22:00 of the last grace day, when the late check is owed: every planned debit made, the last found too little money. */
function lateCheckAt(input: DecisionInput, blocked: string | undefined): number | undefined {
  const { plan, policy, calendar, state } = input;
  if (!input.lateCheck || input.resultFile || blocked || state.done.includes(LATE_CHECK_STEP)) return undefined;
  if (debitSchedule(plan, policy, calendar).some((s) => !state.done.includes(s.step))) return undefined;
  const failure = lastFailedDebit(state);
  if (failure?.outcome !== 'failed' || failure.reason !== 'INSUFFICIENT_FUNDS') return undefined;
  return shanghaiInstant(addDays(policy.dueDate, policy.graceDays), LATE_CHECK_TIME);
}

export function stageOf({ plan, policy, calendar, state, now }: DecisionInput): RenewalStage {
  if (state.paid) return 'PAID';
  if (state.lapsedAt !== undefined) return 'LAPSED';
  if (now >= shanghaiInstant(addDays(policy.dueDate, 1))) return 'IN_GRACE';
  const firstDebit = debitSchedule(plan, policy, calendar)[0];
  if (pendingDebit(state) || (firstDebit && now >= firstDebit.at)) return 'DEBITING';
  return 'PRE_DUE';
}

/** Contacts are held through the promised date + 1 (docs/business-rules.md#promise-to-pay); they resume the day after. */
function promiseEnd(promised: CivilDate): number {
  return shanghaiInstant(addDays(promised, 2));
}

function customerSuppression(state: CycleState, now: number): 'hold' | 'promise_to_pay' | undefined {
  if (state.holds.length > 0) return 'hold';
  if (state.promiseUntil !== undefined && now < promiseEnd(state.promiseUntil)) return 'promise_to_pay';
  return undefined;
}

/** When a due contact may go out: now, or the next opening of the quiet-hours window. */
function contactOpening(channels: readonly ContactChannel[], now: number): number {
  return Math.max(...channels.map((c) => contactWindowOpening(now, DEFAULT_CONTACT_LIMITS, c)));
}

function debitsBlocked(input: DecisionInput): string | undefined {
  const { state, policy } = input;
  if (!policy.hasMandate) return 'no mandate: the customer pays at the counter or online';
  if (state.holds.length > 0) return `collection held (${state.holds.join(', ')})`;
  if (pendingDebit(state)) return 'a debit is in flight';
  if (state.accountBlocked) return 'waiting for a new or fixed account';
  return undefined;
}

function nextAttemptNo(state: CycleState): number {
  return state.debits.length + 1;
}

/** An attempt made now (account fixed, operator asked): today if a business day, else the next. */
function extraDebit(input: DecisionInput): CycleAction {
  const { calendar, state, now } = input;
  const date = calendar.nextBusinessDay(shanghaiDate(now));
  const extraNo = state.debits.filter((d) => d.step.startsWith('debit_extra_')).length + 1;
  return { type: 'debit', step: `debit_extra_${extraNo}`, attemptNo: nextAttemptNo(state), collectionDate: date, covers: [] };
}

/**
 * 00:00 after the last grace day; when a hold outlasted grace, 00:00 after the day it was released,
 * so the customer keeps that whole day to pay (payment by 24:00 keeps the policy in force). A late
 * return or reversal gives the customer the plan's remedy days from the day it reached us.
 */
function effectiveLapseInstant({ plan, policy, state }: DecisionInput): number {
  let lapseAt = lapseInstant(policy);
  if (state.lastHoldReleasedAt !== undefined && state.lastHoldReleasedAt >= lapseAt) {
    lapseAt = shanghaiInstant(addDays(shanghaiDate(state.lastHoldReleasedAt), 1));
  }
  const returnedAt = lastReturnAt(state);
  if (returnedAt !== undefined) {
    const remedyDays = plan.returnRemedyDays ?? DEFAULT_RETURN_REMEDY_DAYS;
    lapseAt = Math.max(lapseAt, shanghaiInstant(addDays(shanghaiDate(returnedAt), remedyDays + 1)));
  }
  return lapseAt;
}

/**
 * When the attempt in flight is next to be asked about, if one is in flight and it has a date: every
 * hour, or for a bank that answers by files when its report is due, then every few hours.
 */
function debitCheckAt({ state, calendar, resultFile }: DecisionInput): number | undefined {
  const pending = pendingDebit(state);
  if (pending?.checkedAt === undefined) return undefined;
  if (!resultFile) return pending.checkedAt + DEBIT_CHECK_INTERVAL_MS;
  const reportDue = resultFileDueAt(calendar, pending.collectionDate, resultFile);
  return pending.checkedAt < reportDue ? reportDue : pending.checkedAt + FILE_BANK_FALLBACK_CHECK_MS;
}

/**
 * When an attempt in flight goes to operations: a day after it was made, or for a file bank once its
 * report is a fallback period late (a weekend between collection and report is not the bank's delay).
 */
function debitStuckAt({ calendar, resultFile }: DecisionInput, inFlight: DebitRecord & { startedAt: number }): number {
  if (!resultFile) return inFlight.startedAt + DEBIT_STUCK_AFTER_MS;
  return resultFileDueAt(calendar, inFlight.collectionDate, resultFile) + FILE_BANK_FALLBACK_CHECK_MS;
}

function lapseAllowed(input: DecisionInput): boolean {
  const { state, policy } = input;
  if (state.operatorDecision === 'lapse') return true;
  const failure = lastFailedDebit(state);
  // Only a customer's failure can lapse a policy: bank, insurer or agent faults cannot (court practice).
  if (failure) return failure.customerFault === true;
  return !policy.hasMandate;
}

/** The lapse notices not yet sent, for the window to send at their times. */
export function lapseNoticesOwed(plan: CollectionPlan, policy: PolicySnapshot, calendar: BusinessCalendar, state: CycleState): LapseNotice[] {
  return lapseSchedule(plan, policy, calendar).flatMap((s) =>
    s.kind === 'contact' && !state.done.includes(s.step) ? [{ step: s.step, at: s.at, template: s.template, channels: s.channels, allChannels: s.allChannels }] : [],
  );
}

export function decide(input: DecisionInput): Decision {
  const { plan, policy, calendar, state, now } = input;
  const stage = stageOf(input);
  const at = (action: CycleAction): Decision => ({ action, stage });

  if (state.paid) {
    const owed = state.contactsWaiting?.find((w) => w.step !== PAYMENT_RECEIVED_STEP);
    if (owed) return at({ type: 'expire_contact', step: owed.step, reason: 'paid', waitedFor: owed.reason });
    if (input.tellPaymentReceived && !state.done.includes(PAYMENT_RECEIVED_STEP)) return at(paymentReceivedNotice(input, state.paid.at));
    if (state.paid.via === 'debit') {
      const returnWindowEnds = state.paid.at + RETURN_WINDOW_DAYS * DAY_MS;
      if (now < returnWindowEnds) return at({ type: 'wait', until: returnWindowEnds, why: 'paid; listening for a late return' });
    }
    return at({ type: 'close', stage: 'PAID' });
  }

  if (state.lapsedAt !== undefined) {
    const owed = state.contactsWaiting?.[0];
    if (owed) return at({ type: 'expire_contact', step: owed.step, reason: 'grace_ended', waitedFor: owed.reason });
    if (input.windowAtLapse) return at({ type: 'enter_reinstatement_window' });
    const pending = lapseSchedule(plan, policy, calendar).filter((s) => !state.done.includes(s.step));
    const next = pending[0];
    if (!next) return at({ type: 'enter_reinstatement_window' });
    // Lapse notices are owed by law and contract: no promise or hold holds them back.
    return next.at <= now ? dueStep(input, next, [next], false) : at({ type: 'wait', until: next.at, why: `next: ${next.step}` });
  }

  const expiring = waitingContactExpiry(input);
  if (expiring) return at(expiring);

  if (state.promiseUntil !== undefined && now >= promiseEnd(state.promiseUntil)) {
    return at({ type: 'promise_broken', promisedDate: state.promiseUntil });
  }

  const inFlight = pendingDebit(state);
  // A hold holds collection actions (docs/business-rules.md#holds): one still waiting for the bank file is taken back.
  if (input.withdrawHeldDebits && state.holds.length > 0 && inFlight && !inFlight.withdrawalRefused) {
    return at({ type: 'withdraw_debit', attemptNo: inFlight.attemptNo });
  }
  if (inFlight?.startedAt !== undefined && now >= debitStuckAt(input, { ...inFlight, startedAt: inFlight.startedAt }) && !state.done.includes(`debit_in_flight_${inFlight.attemptNo}`)) {
    // Still checked; someone now asks the bank why it has not answered.
    return at({ type: 'task', step: `debit_in_flight_${inFlight.attemptNo}`, task: 'escalation', assignee: 'operations' });
  }
  const checkAt = debitCheckAt(input);
  if (checkAt !== undefined && now >= checkAt) return at({ type: 'check_debit', attemptNo: inFlight!.attemptNo });

  const blocked = debitsBlocked(input);
  if (state.extraDebitsRequested > 0 && !blocked) return at(extraDebit(input));
  const failure = lastFailedDebit(state);
  if (state.accountBlocked && failure && !state.done.includes(`fix_account_${failure.attemptNo}`)) {
    return at({ type: 'task', step: `fix_account_${failure.attemptNo}`, task: 'fix_account', assignee: 'agent' });
  }

  const lapseAt = effectiveLapseInstant(input);
  // Steps that fell while the premium stood paid were moot: after a return the plan resumes from then.
  const reopenedAt = lastReturnAt(state) ?? -Infinity;
  // Grace ends at lapseAt: what the plan put after it (a notice for the final sweep) is not sent.
  const pending = cycleSchedule(plan, policy, calendar, state).filter(
    (s) => !state.done.includes(s.step) && s.at > reopenedAt && (s.kind === 'debit' ? !blocked : s.at < lapseAt),
  );
  // A contact waiting for its provider is due again at its next try (moved out of quiet hours, so a
  // try due at night never stands in front of a lapse at midnight); the rest goes on meanwhile.
  const retryAt = (s: ScheduledStep) => {
    const wait = s.kind === 'contact' ? waitingContact(state, s.step) : undefined;
    return wait && s.kind === 'contact' ? Math.max(s.at, contactOpening(s.channels, wait.retryAt)) : s.at;
  };
  const due = pending.filter((s) => retryAt(s) <= now);
  const first = due[0];
  if (first) return dueStep(input, first, due);

  const lateCheck = lateCheckAt(input, blocked);
  if (lateCheck !== undefined && now >= lateCheck && now < lapseInstant(policy)) {
    return at({ type: 'debit', step: LATE_CHECK_STEP, attemptNo: nextAttemptNo(state), collectionDate: shanghaiDate(now), covers: [] });
  }
  if (now >= lapseAt) return graceEnd(input, blocked);

  const wakeAt = Math.min(
    lapseAt,
    ...pending.map(retryAt),
    ...(state.promiseUntil ? [promiseEnd(state.promiseUntil)] : []),
    ...(checkAt !== undefined ? [checkAt] : []),
    ...(lateCheck !== undefined && lateCheck > now ? [lateCheck] : []),
  );
  const next = pending.find((s) => retryAt(s) === wakeAt);
  const why = next ? `next: ${next.step}` : wakeAt === checkAt ? 'check the debit in flight' : wakeAt === lateCheck ? `next: ${LATE_CHECK_STEP}` : 'grace ends';
  return at({ type: 'wait', until: wakeAt, why });
}

/**
 * A waiting contact whose moment has passed: grace is over, its own time limit passed, or a later
 * contact of the plan is due or went already (only the later one is worth sending).
 */
function waitingContactExpiry(input: DecisionInput): CycleAction | undefined {
  const { plan, policy, calendar, state, now } = input;
  if (!state.contactsWaiting?.length) return undefined;
  const lapseAt = effectiveLapseInstant(input);
  const contacts = cycleSchedule(plan, policy, calendar, state).filter((s): s is Extract<ScheduledStep, { kind: 'contact' }> => s.kind === 'contact');
  for (const owed of state.contactsWaiting) {
    const step = contacts.find((s) => s.step === owed.step);
    const expire = (reason: ContactExpiry): CycleAction => ({ type: 'expire_contact', step: owed.step, reason, waitedFor: owed.reason });
    if (!step || now >= lapseAt) return expire('grace_ended');
    if (step.expiresAt !== undefined && now >= step.expiresAt) return expire('expired');
    if (contacts.some((s) => s.at > step.at && (state.done.includes(s.step) || s.at <= now))) return expire('superseded');
  }
  return undefined;
}

/** The first step due; a debit replaces every earlier planned attempt that is also overdue. */
function dueStep(input: DecisionInput, step: ScheduledStep, due: readonly ScheduledStep[], suppressible = true): Decision {
  const { state, now } = input;
  const stage = stageOf(input);
  switch (step.kind) {
    case 'debit': {
      const debits = due.filter((s): s is Extract<ScheduledStep, { kind: 'debit' }> => s.kind === 'debit');
      const latest = debits[debits.length - 1]!;
      const late = latest.at < now - DAY_MS / 2;
      const collectionDate = late ? input.calendar.nextBusinessDay(shanghaiDate(now)) : latest.collectionDate;
      return {
        stage,
        action: {
          type: 'debit',
          step: latest.step,
          attemptNo: nextAttemptNo(state),
          collectionDate,
          covers: debits.slice(0, -1).map((s) => s.step),
        },
      };
    }
    case 'task': {
      // A call is a contact with the customer; an escalation is internal and always goes ahead.
      const suppressedBy = step.task === 'call' ? customerSuppression(state, now) : undefined;
      return { stage, action: { type: 'task', step: step.step, task: step.task, assignee: step.assignee, ...(suppressedBy ? { suppressedBy } : {}) } };
    }
    case 'contact': {
      const superseded = due.some((s) => s.kind === 'contact' && s.at > step.at) || (step.expiresAt !== undefined && now >= step.expiresAt);
      const suppressedBy = (suppressible ? customerSuppression(state, now) : undefined) ?? (superseded ? 'stale' : undefined);
      if (!suppressedBy) {
        const opening = contactOpening(step.channels, now);
        if (opening > now) return { stage, action: { type: 'wait', until: opening, why: `quiet hours: ${step.step} at the window's opening` } };
      }
      return {
        stage,
        action: {
          type: 'contact',
          step: step.step,
          template: step.template,
          channels: step.channels,
          allChannels: step.allChannels,
          ...(step.reason ? { reason: step.reason } : {}),
          ...(suppressedBy ? { suppressedBy } : {}),
        },
      };
    }
  }
}

/**
 * The payment-received message on the customer's channel, at once or at the opening of the contact
 * window; one that waits for its provider is tried again until it expires (a late "we received it"
 * after days is noise, and the cycle must close).
 */
function paymentReceivedNotice(input: DecisionInput, paidAt: number): CycleAction {
  const { state, policy, now } = input;
  const channels = [paymentReceivedChannel(policy)];
  const waiting = waitingContact(state, PAYMENT_RECEIVED_STEP);
  if (waiting && now >= paidAt + PAYMENT_RECEIVED_EXPIRES_MS) {
    return { type: 'expire_contact', step: PAYMENT_RECEIVED_STEP, reason: 'expired', waitedFor: waiting.reason };
  }
  const opening = contactOpening(channels, waiting ? Math.max(now, waiting.retryAt) : now);
  if (opening > now) {
    if (waiting) return { type: 'wait', until: Math.min(opening, paidAt + PAYMENT_RECEIVED_EXPIRES_MS), why: `next try: ${PAYMENT_RECEIVED_STEP}` };
    return { type: 'wait', until: opening, why: `quiet hours: ${PAYMENT_RECEIVED_STEP} at the window's opening` };
  }
  return { type: 'contact', step: PAYMENT_RECEIVED_STEP, template: PAYMENT_RECEIVED_TEMPLATE, channels, allChannels: false, fields: { paidOn: shanghaiDate(paidAt) } };
}

/** 00:00 after the last grace day, unpaid: loan, escalate, wait, or suspend. */
function graceEnd(input: DecisionInput, blocked: string | undefined): Decision {
  const { policy, state } = input;
  const stage = stageOf(input);
  if (state.holds.length > 0) return { stage, action: { type: 'wait', until: debitCheckAt(input), why: `lapse blocked by hold (${state.holds.join(', ')})` } };
  if (pendingDebit(state)) return { stage, action: { type: 'wait', until: debitCheckAt(input), why: 'lapse waits for the debit in flight' } };
  if (lapseAllowed(input)) {
    // A loan against the cash value only where the alternative is the customer's lapse, never to
    // cover the bank's or the insurer's failure.
    if (policy.aplElected && policy.cashValueFen >= policy.premiumFen && !state.done.includes('premium_loan')) {
      return { stage, action: { type: 'premium_loan' } };
    }
    return { stage, action: { type: 'lapse', nonPaymentReason: state.refusalReason ?? NON_PAYMENT_OTHER, at: effectiveLapseInstant(input) } };
  }
  if (!state.done.includes(ESCALATION_STEP)) {
    return { stage, action: { type: 'task', step: ESCALATION_STEP, task: 'escalation', assignee: 'operations' } };
  }
  return { stage, action: { type: 'wait', why: `not the customer's fault${blocked ? `; ${blocked}` : ''}: operations decide` } };
}
