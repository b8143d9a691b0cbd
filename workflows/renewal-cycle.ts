import type { SearchAttributeUpdatePair } from '@temporalio/common';
import {
  ActivityFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  patched,
  proxyActivities,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { RenewalActivities } from '../activities/renewal-activities';
import { BusinessCalendar, calendarOfSpan, isCalendarSpan } from '../domain/business-calendar';
import { applyNotice } from '../domain/calendar-notice';
import { addYears, isCivilDate, shanghaiDate, shanghaiInstant } from '../domain/civil-date';
import { CONTACT_SEND_ATTEMPTS } from '../domain/contact-waits';
import { decide, lapseNoticesOwed, lateCheckInReach, type CycleAction } from '../domain/cycle-decider';
import { lastGraceDay } from '../domain/cycle-schedule';
import * as cycle from '../domain/cycle-state';
import type { CycleEventKind } from '../domain/audit-kinds';
import type { CycleState } from '../domain/cycle-state';
import {
  cycleClosedError,
  cycleTaskCompletionError,
  graceReducedPaidUpError,
  holdPlacedError,
  holdReleasedError,
  paymentReportError,
  promiseToPayError,
  refusalError,
} from '../domain/cycle-updates';
import type { HoldKind } from '../domain/holds';
import { ESCALATION_STEP, type EscalationOutcome } from '../domain/task-outcomes';
import type { RenewalStage, StageRows } from '../domain/renewal-stage';
import {
  accountUpdatedUpdate,
  bankResultSignal,
  Branch,
  Channel,
  calendarChangedSignal,
  contactUpdatedSignal,
  customerRefusedUpdate,
  DueDate,
  holdPlacedUpdate,
  holdReleasedUpdate,
  OPENING,
  paymentReceivedUpdate,
  PolicyNo,
  promiseToPayUpdate,
  RenewalStageKey,
  RunMonth,
  servicingReassignedSignal,
  signerOf,
  statusQuery,
  taskCompletedUpdate,
  type RenewalCycleInput,
  type RenewalCycleResult,
  type ReportedPayment,
  type RenewalCycleStatus,
  type SignedBy,
} from './messages';
import { contactsMayWait } from './contact-wait-guard';
import { takeReducedPaidUpChoices } from './reduced-paid-up-choice';
import { refuse } from './refuse';
import { reinstatementWindowStage } from './reinstatement-window-stage';

const activities = proxyActivities<RenewalActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', maximumInterval: '5 minutes' },
});

/**
 * A debit whose answer is unknown is retried by asking the bank until it answers (a request the bank
 * never received is sent again under the same key, which the bank deduplicates): no time limit,
 * because giving up would leave money whose fate we do not know. The cycle does not lapse while a
 * debit is in flight.
 */
const { collectDebit } = proxyActivities<RenewalActivities>({
  startToCloseTimeout: '2 minutes',
  // It heartbeats before each bank call and while it waits: a worker that dies is noticed in
  // seconds. Longer than the slowest single bank exchange (gateway timeout 10 s by default).
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '10 seconds', backoffCoefficient: 2, maximumInterval: '1 hour' },
});

/**
 * A cycle's contact is tried a few times within a couple of minutes (a blip, visible as the
 * activity's attempts); what still cannot go is answered as waiting on the last try, and the cycle
 * goes on and tries the step again later (domain/contact-waits.ts).
 */
const { attemptContact } = proxyActivities<RenewalActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: CONTACT_SEND_ATTEMPTS },
});

/** The window stage with reminders, applications and termination (reinstatement-window-stage.ts). */
const REINSTATEMENT_STAGE_PATCH = 'reinstatement-window-stage';

/**
 * A hold takes back a debit still waiting for the day's bank file. Asked lazily: histories recorded
 * before it replay letting the debit go; a running cycle takes the new path at its next decision.
 */
const WITHDRAW_HELD_DEBITS_PATCH = 'withdraw-held-debits';

/**
 * The window opens at suspension and sends the lapse notices, so applications are taken from day
 * one. Asked once lapsed: histories recorded before it send the notices first, then open the window.
 */
const WINDOW_AT_LAPSE_PATCH = 'window-opens-at-lapse';

/**
 * A bankResult signal only wakes the cycle, which reads the attempt back (checkDebit: the database
 * first, then the bank): anyone who can reach Temporal can send a signal, so its result is not
 * believed. Asked when a signal names an attempt that could still change: histories recorded
 * before it replay taking the signal's result as it came.
 */
const BANK_SIGNAL_WAKES_PATCH = 'bank-signal-wakes-cycle';

/**
 * A servicingReassigned signal is recorded in the cycle's trail and shown in its status. Asked when
 * such a signal arrives: histories recorded before it replay ignoring the signal (it had no handler).
 */
const SERVICING_REASSIGNED_PATCH = 'servicing-reassigned-signal';

/**
 * A State Council notice loaded after the cycle opened reaches it by the calendarChanged signal and
 * changes its calendar for the days after today (docs/business-rules.md#business-calendar). Asked when
 * such a signal arrives: histories recorded before it never had one and replay as they were.
 */
const CALENDAR_NOTICE_PATCH = 'calendar-notice-reaches-cycle';

/**
 * The lean cycle (docs/architecture.md#what-a-cycles-history-holds): openCycle answers with the plan
 * resolved for the policy, the calendar's version and the days of the cycle's span, and how the bank
 * answers; the search attributes were set at start (only what differs is upserted); stage rows are
 * written by the activity the cycle takes in the new stage, not by one more activity; a file bank's
 * debit in flight is looked at when its report is due, then sparsely. One patch for all of it, asked
 * when a cycle starts: every patch a run meets costs an action (the SDK upserts TemporalChangeVersion).
 * Histories recorded before replay as they ran; cycles begun before finish the way they began.
 */
const LEAN_CYCLE_PATCH = 'lean-cycle';

/**
 * The customer is told a settled premium was received (domain/payment-received-notice.ts). Asked once the
 * cycle stands paid: a history recorded before replays as it ran (the paid cycle only waited out the
 * return window, or closed); a running paid cycle sends it at its next turn.
 */
const PAYMENT_RECEIVED_NOTICE_PATCH = 'payment-received-notice';

/**
 * A payment with an amount or a paid-at (docs/business-rules.md#payment-amounts): a part leaves the
 * rest owed, too much goes to the suspense ledger. Asked when such a payment arrives: histories
 * recorded before never carried one and replay as they ran.
 */
const PAYMENT_AMOUNTS_PATCH = 'payment-amounts';

/**
 * The late check after the final sweep (domain/cycle-decider.ts LATE_CHECK_STEP). Asked at decisions
 * in the last days of grace of a cycle still open: histories recorded before replay without it.
 */
const LATE_CHECK_PATCH = 'late-check-after-final-sweep';

/** Suspension + 2 years (Insurance Law Art. 37): the window of cycles begun before the patch. */
const REINSTATEMENT_YEARS = 2;

/** 00:00 of the day the window has run two full years from the day of suspension. */
function reinstatementWindowCloses(lapsedAt: number): number {
  return shanghaiInstant(addYears(shanghaiDate(lapsedAt), REINSTATEMENT_YEARS));
}

/**
 * One policy, one due date: a thin loop over the decider (domain/cycle-decider.ts). Each turn asks
 * what to do, does it through an activity, and feeds the outcome back into the state; updates and
 * signals change the state between turns and wake the loop.
 */
export async function renewalCycle(input: RenewalCycleInput): Promise<RenewalCycleResult> {
  if (!isCivilDate(input.dueDate)) throw new TypeError(`dueDate must be YYYY-MM-DD, got ${JSON.stringify(input.dueDate)}`);
  const ref = { policyNo: input.policyNo, dueDate: input.dueDate };
  if (input.reinstatementWindow) {
    // Window runs begun before the reinstatement stage existed keep waiting out the window as they did.
    if (patched(REINSTATEMENT_STAGE_PATCH)) {
      const window = input.reinstatementWindow;
      return reinstatementWindowStage(input, window, (stage) => searchAttributes(input, window.branch, window.channel, stage));
    }
    return reinstatementWindow(input, input.reinstatementWindow);
  }

  // Answered while the cycle opens, so a query then says so instead of failing (no handler yet);
  // replaced by the full status once it has opened. Sets no command: histories replay unchanged.
  setHandler(statusQuery, (): RenewalCycleStatus => ({ stage: 'PRE_DUE', nextAction: OPENING, debitAttempts: 0, holds: [] }));
  const lean = patched(LEAN_CYCLE_PATCH);
  const opened = lean ? await activities.openCycle(ref, input.runMonth, 'lean') : await activities.openCycle(ref, input.runMonth);
  const { plan, context } = opened;
  // Started for a premium already settled (paid at the counter before the run, waived…): nothing to collect.
  if (context.status !== 'due') {
    const stage = context.status === 'paid' ? 'PAID' : 'CLOSED';
    // Lean: openCycle wrote the stage row.
    if (lean) upsertChanged(searchAttributes(input, context.branchCode, context.channel, stage));
    else {
      upsertSearchAttributes(searchAttributes(input, context.branchCode, context.channel, stage));
      await activities.recordStage(ref, stage);
    }
    return { stage, debitAttempts: 0 };
  }
  const policy = context.snapshot;
  // The calendar the cycle opened with; only a loaded notice changes it, for days after that day.
  let calendar = isCalendarSpan(opened.calendar) ? calendarOfSpan(opened.calendar) : BusinessCalendar.fromJSON(opened.calendar);
  const resultFile = 'resultFile' in opened ? opened.resultFile : undefined;
  const state: CycleState = cycle.initialCycleState();
  const status: RenewalCycleStatus = { stage: 'PRE_DUE', nextAction: 'start', debitAttempts: 0, holds: [], plan: `${plan.code}@${plan.version}` };
  // Events from updates and signals, written to the audit trail by the loop (handlers do no I/O).
  const events: { kind: CycleEventKind; detail: Record<string, unknown>; by?: string }[] = [];
  const payments: (ReportedPayment & { by?: string })[] = [];
  const completions: { step: string; outcome: string; by?: string }[] = [];
  const openedTasks = new Set<string>();
  // Attempts a bankResult signal named: the loop reads each back before it decides again.
  const debitsToCheck = new Set<number>();
  let wake = false;
  const snapshot = (): RenewalCycleStatus => ({
    ...status,
    holds: [...state.holds],
    promiseUntil: state.promiseUntil,
    ...(state.contactsWaiting?.length
      ? { contactsWaiting: state.contactsWaiting.map((w) => ({ step: w.step, tries: w.tries, retryAt: new Date(w.retryAt).toISOString(), reason: w.reason })) }
      : {}),
  });
  const changed = (kind: CycleEventKind, detail: Record<string, unknown>, by?: string) => {
    events.push({ kind, detail, ...signed(by) });
    wake = true;
    return snapshot();
  };
  /** The person an operator's update names, shown in the status (none from histories recorded before). */
  const signedBy = (update: string, by: string | undefined) => {
    if (by !== undefined) status.lastSigned = { update, by };
  };

  setHandler(statusQuery, snapshot);
  setHandler(
    paymentReceivedUpdate,
    ({ via, reference, amountFen, paidAt, by }) => {
      signedBy('paymentReceived', by);
      // With an amount or a paid-at, the database's payments say whether the premium is settled: the
      // loop records it and marks the cycle paid only then. Histories recorded before carry neither.
      if ((amountFen !== undefined || paidAt !== undefined) && patched(PAYMENT_AMOUNTS_PATCH)) {
        const amounts = { ...(amountFen !== undefined ? { amountFen } : {}), ...(paidAt !== undefined ? { paidAt } : {}) };
        payments.push({ via, reference, ...amounts, ...signed(by) });
        return changed('payment_reported', { via, reference, ...amounts }, by);
      }
      cycle.paymentReceived(state, via, Date.now());
      payments.push({ via, reference, ...signed(by) });
      return changed('payment_reported', { via, reference }, by);
    },
    { validator: (payment: ReportedPayment) => refuse(paymentReportError(state, status.stage, payment, Date.now())) },
  );
  setHandler(
    promiseToPayUpdate,
    ({ date, by }) => {
      cycle.promiseMade(state, date);
      signedBy('promiseToPay', by);
      return changed('promise_to_pay', { promisedDate: date }, by);
    },
    { validator: ({ date }: { date: string }) => refuse(promiseToPayError(state, status.stage, policy, date, Date.now())) },
  );
  setHandler(
    customerRefusedUpdate,
    ({ reasonCode, by }) => {
      cycle.customerRefused(state, reasonCode);
      signedBy('customerRefused', by);
      return changed('customer_refused', { reasonCode }, by);
    },
    { validator: ({ reasonCode }: { reasonCode: number }) => refuse(refusalError(state, status.stage, reasonCode)) },
  );
  setHandler(
    holdPlacedUpdate,
    ({ kind, by }) => {
      cycle.holdPlaced(state, kind);
      signedBy('holdPlaced', by);
      return changed('hold_placed', { kind }, by);
    },
    { validator: ({ kind }: { kind: HoldKind }) => refuse(holdPlacedError(state, status.stage, kind)) },
  );
  setHandler(
    holdReleasedUpdate,
    ({ kind, by }) => {
      cycle.holdReleased(state, kind, Date.now());
      signedBy('holdReleased', by);
      return changed('hold_released', { kind }, by);
    },
    { validator: ({ kind }: { kind: HoldKind }) => refuse(holdReleasedError(state, kind)) },
  );
  setHandler(
    accountUpdatedUpdate,
    (signer: SignedBy | undefined) => {
      cycle.accountUpdated(state);
      signedBy('accountUpdated', signerOf(signer));
      return changed('account_updated', {}, signerOf(signer));
    },
    { validator: (_signer: SignedBy | undefined) => refuse(cycleClosedError(state, status.stage)) },
  );
  setHandler(
    taskCompletedUpdate,
    ({ step, outcome, by }) => {
      if (step === ESCALATION_STEP) cycle.operatorDecided(state, outcome as EscalationOutcome);
      openedTasks.delete(step);
      completions.push({ step, outcome, ...signed(by) });
      signedBy('taskCompleted', by);
      wake = true;
      return snapshot();
    },
    { validator: (completion: { step: string; outcome: string }) => refuse(cycleTaskCompletionError(state, status.stage, openedTasks, completion)) },
  );
  // Reduced paid-up chosen in grace: accepted, the cycle ends without suspension.
  const reducedPaidUp = takeReducedPaidUpChoices({
    check: () => graceReducedPaidUpError(state, status.stage, policy, input.dueDate, Date.now()),
    record: (choice, by) => activities.chooseReducedPaidUp(ref, { stage: 'grace_end', choice, lastGraceDay: lastGraceDay(policy), ...(by ? { by } : {}) }),
    changed: () => (wake = true),
  });
  setHandler(contactUpdatedSignal, () => {
    cycle.retryWaitingContactsNow(state, Date.now());
    changed('contact_updated', {});
  });
  setHandler(servicingReassignedSignal, ({ agentCode, from }) => {
    if (!patched(SERVICING_REASSIGNED_PATCH)) return;
    status.servicingAgent = agentCode;
    changed('servicing_reassigned', { agentCode, from });
  });
  setHandler(bankResultSignal, ({ attemptNo, result }) => {
    const record = state.debits.find((d) => d.attemptNo === attemptNo);
    // Not ours, or settled for good (only a debit in flight can be answered, only a success
    // returned): ignore rather than corrupt the cycle, and leave the trace in history.
    if (!record || (record.outcome !== 'pending' && record.outcome !== 'succeeded')) return;
    if (patched(BANK_SIGNAL_WAKES_PATCH)) {
      debitsToCheck.add(attemptNo);
      wake = true;
      return;
    }
    if (result.status === 'returned' ? record.outcome !== 'succeeded' : record.outcome !== 'pending') return;
    cycle.debitResolved(state, attemptNo, result, Date.now());
    changed('bank_result', { attemptNo, status: result.status });
  });

  setHandler(calendarChangedSignal, (notice) => {
    if (!patched(CALENDAR_NOTICE_PATCH)) return;
    let changedCalendar: BusinessCalendar;
    try {
      changedCalendar = applyNotice(calendar, notice, shanghaiDate(Date.now()));
    } catch {
      return; // not a notice (a hand-made signal): the trace stays in history, the calendar as it was
    }
    calendar = changedCalendar;
    const holidays = notice.days.filter((d) => d.kind === 'holiday').length;
    changed('calendar_notice_applied', { year: notice.year, holidays, workdays: notice.days.length - holidays, after: shanghaiDate(Date.now()) });
  });

  if (lean) upsertChanged(searchAttributes(input, context.branchCode, context.channel, status.stage));
  else {
    upsertSearchAttributes(searchAttributes(input, context.branchCode, context.channel, status.stage));
    await activities.recordStage(ref, status.stage);
  }
  // The stage the cycle's rows last recorded (lean: openCycle wrote the first).
  let recorded: RenewalStage = status.stage;
  /** A lean cycle's stage rows for the activity it takes now: the stage entered, if unrecorded, and the one its outcome brings. */
  const stageRows = (): StageRows => ({ ...(recorded !== status.stage ? { entered: status.stage } : {}), resulting: true });
  const contactOrWait = (action: Extract<CycleAction, { type: 'contact' }>) => contactOrWaitFor(ref, state, status, action, lean ? stageRows() : undefined);

  for (;;) {
    // Anything an update changes from here on wakes the next wait; earlier changes are in `state` already.
    wake = false;
    while (events.length) {
      const event = events.shift()!;
      // Unsigned (histories recorded before): the activity's arguments are exactly as they were.
      if (event.by === undefined) await activities.recordCycleEvent(ref, event.kind, event.detail);
      else await activities.recordCycleEvent(ref, event.kind, event.detail, event.by);
    }
    while (payments.length) {
      const payment = payments.shift()!;
      if (payment.amountFen !== undefined || payment.paidAt !== undefined) {
        const received = await activities.recordPaymentReceived(ref, payment, lean ? { resulting: true } : undefined);
        status.owedFen = received?.owedFen;
        if (received?.settled) {
          cycle.paymentReceived(state, payment.via, Date.now());
          if (lean) recorded = 'PAID';
        }
      } else if (!lean) await activities.recordPaymentReceived(ref, payment);
      else {
        await activities.recordPaymentReceived(ref, payment, { resulting: true });
        recorded = 'PAID';
      }
    }
    while (completions.length) await activities.completeTask(ref, completions.shift()!);
    // What the bank said is read from the record (or asked of the bank), never taken from the signal.
    for (const attemptNo of debitsToCheck) {
      debitsToCheck.delete(attemptNo);
      const result = lean ? await activities.checkDebit(ref, attemptNo, { resulting: true }) : await activities.checkDebit(ref, attemptNo);
      if (lean && result.status === 'succeeded') recorded = 'PAID';
      if (cycle.debitChecked(state, attemptNo, result, Date.now())) await activities.recordCycleEvent(ref, 'bank_result', { attemptNo, status: result.status });
    }
    // A reduced paid-up choice being recorded decides before any debit or the lapse.
    if (reducedPaidUp.choosing()) {
      await condition(() => !reducedPaidUp.choosing());
      continue;
    }
    if (reducedPaidUp.accepted()) {
      upsertSearchAttributes([{ key: RenewalStageKey, value: 'CLOSED' }]);
      await activities.recordStage(ref, 'CLOSED');
      return { stage: 'CLOSED', debitAttempts: state.debits.length, outcome: 'reduced_paid_up' };
    }

    // Asked only when it matters, so cycles that never meet a hold with a debit in flight carry no marker.
    const withdrawHeldDebits = state.holds.length > 0 && cycle.pendingDebit(state) !== undefined && patched(WITHDRAW_HELD_DEBITS_PATCH);
    const windowAtLapse = state.lapsedAt !== undefined && patched(WINDOW_AT_LAPSE_PATCH);
    const tellPaymentReceived = state.paid !== undefined && patched(PAYMENT_RECEIVED_NOTICE_PATCH);
    const lateCheck = lateCheckInReach(policy, state, Date.now()) && patched(LATE_CHECK_PATCH);
    const { action, stage } = decide({ plan, policy, calendar, state, now: Date.now(), withdrawHeldDebits, windowAtLapse, tellPaymentReceived, lateCheck, ...(resultFile ? { resultFile } : {}) });
    if (stage !== status.stage) {
      status.stage = stage;
      upsertSearchAttributes([{ key: RenewalStageKey, value: stage }]);
      if (!lean) {
        await activities.recordStage(ref, stage);
        continue; // an update may have arrived while recording: decide again on the state as it is now
      }
    }
    // Lean: the stage row goes with the activity this action takes; an action without one records it alone.
    if (lean && recorded !== status.stage && !carriesStageRow(action)) {
      await activities.recordStage(ref, status.stage);
      recorded = status.stage;
      continue;
    }
    describe(status, action);
    status.debitAttempts = state.debits.length;

    switch (action.type) {
      case 'wait': {
        const timeout = action.until === undefined ? undefined : action.until - Date.now();
        if (timeout !== undefined && timeout <= 0) break;
        await (timeout === undefined ? condition(() => wake) : condition(() => wake, timeout));
        break;
      }
      case 'contact': {
        if (contactsMayWait()) {
          if (await contactOrWait(action)) recorded = status.stage;
          break;
        }
        const outcome = await activities.sendContact(ref, action);
        cycle.markDone(state, action.step);
        status.lastContact = { step: action.step, sent: outcome.sent, suppressed: outcome.suppressed.map((s) => `${s.channel}:${s.rule}`) };
        break;
      }
      case 'expire_contact':
        await activities.expireContact(ref, { step: action.step, reason: action.reason, waitedFor: action.waitedFor });
        cycle.contactSettled(state, action.step);
        break;
      case 'task': {
        const opened = await activities.openCycleTask(ref, action);
        cycle.markDone(state, action.step);
        if (opened.taskId !== undefined) openedTasks.add(action.step);
        break;
      }
      case 'debit': {
        cycle.debitStarted(state, action, action.covers, Date.now());
        status.debitAttempts = state.debits.length;
        const result = lean ? await collectDebit(ref, action.attemptNo, action.collectionDate, stageRows()) : await collectDebit(ref, action.attemptNo, action.collectionDate);
        if (lean) recorded = result.status === 'succeeded' ? 'PAID' : status.stage;
        resolveUnlessSignalled(state, action.attemptNo, result);
        break;
      }
      case 'check_debit': {
        const result = lean ? await activities.checkDebit(ref, action.attemptNo, stageRows()) : await activities.checkDebit(ref, action.attemptNo);
        if (lean) recorded = result.status === 'succeeded' ? 'PAID' : status.stage;
        resolveUnlessSignalled(state, action.attemptNo, result);
        break;
      }
      case 'withdraw_debit': {
        const { withdrawn } = await activities.withdrawQueuedDebit(ref, action.attemptNo);
        // Not withdrawn: the bank has it (or a report settled it meanwhile); its answer stands.
        if (withdrawn && state.debits.find((d) => d.attemptNo === action.attemptNo)?.outcome === 'pending') cycle.debitWithdrawn(state, action.attemptNo);
        else cycle.debitWithdrawalRefused(state, action.attemptNo);
        break;
      }
      case 'promise_broken':
        cycle.promiseBroken(state);
        await activities.recordCycleEvent(ref, 'promise_broken', { promisedDate: action.promisedDate });
        break;
      case 'premium_loan': {
        const granted = lean ? await activities.grantPremiumLoan(ref, stageRows()) : await activities.grantPremiumLoan(ref);
        if (lean) recorded = granted ? 'PAID' : status.stage;
        cycle.markDone(state, 'premium_loan');
        if (granted) cycle.paymentReceived(state, 'apl', Date.now());
        break;
      }
      case 'lapse':
        if (!lean) await activities.suspendPolicy(ref, action.nonPaymentReason, action.at);
        else {
          await activities.suspendPolicy(ref, action.nonPaymentReason, action.at, stageRows());
          recorded = 'LAPSED';
        }
        cycle.lapsed(state, action.at, action.nonPaymentReason);
        break;
      case 'enter_reinstatement_window': {
        await condition(allHandlersFinished); // no update is cut off by the new run
        // None owed on the old path (the cycle sent them all first): the input is as it was.
        const lapseNotices = lapseNoticesOwed(plan, policy, calendar, state);
        return continueAsNew<typeof renewalCycle>({
          ...input,
          reinstatementWindow: { lapsedAt: state.lapsedAt!, branch: context.branchCode, channel: context.channel, ...(lapseNotices.length > 0 ? { lapseNotices } : {}) },
        });
      }
      case 'close':
        return result(state, action.stage);
      default: {
        const unhandled: never = action;
        throw new Error(`unhandled cycle action ${JSON.stringify(unhandled)}`);
      }
    }
  }
}

/**
 * A contact that never holds up the cycle: sent, suppressed or refused for good, the step is done;
 * what could not go (a provider down, every try failed) leaves the step owed, tried again later.
 */
async function contactOrWaitFor(
  ref: { policyNo: string; dueDate: string },
  state: CycleState,
  status: RenewalCycleStatus,
  action: Extract<CycleAction, { type: 'contact' }>,
  stages?: StageRows,
): Promise<boolean> {
  let outcome: Awaited<ReturnType<typeof attemptContact>> | undefined;
  try {
    outcome = stages ? await attemptContact(ref, action, stages) : await attemptContact(ref, action);
  } catch (error) {
    if (!(error instanceof ActivityFailure)) throw error;
  }
  const waits = outcome ? (outcome.waiting ?? []) : undefined;
  if (waits === undefined || waits.length > 0) {
    const first = waits?.[0];
    cycle.contactWaiting(state, action.step, Date.now(), first ? `${first.provider}:${first.code}` : 'send_failed', waits);
  } else {
    cycle.contactSettled(state, action.step);
  }
  status.lastContact = {
    step: action.step,
    sent: outcome?.sent ?? [],
    suppressed: [...(outcome?.suppressed ?? []).map((s) => `${s.channel}:${s.rule}`), ...(waits ?? []).map((w) => `${w.channel}:waiting`)],
  };
  return outcome !== undefined;
}

/** `{ by }` when an update named its person, else nothing: unsigned payloads stay byte-for-byte as before. */
export function signed(by: string | undefined): { by?: string } {
  return by === undefined ? {} : { by };
}

/** Actions whose activity writes a lean cycle's stage row (docs/architecture.md#stage-rows). */
function carriesStageRow(action: CycleAction): boolean {
  switch (action.type) {
    case 'debit':
    case 'check_debit':
    case 'lapse':
    case 'premium_loan':
      return true;
    case 'contact':
      return contactsMayWait();
    default:
      return false;
  }
}

/**
 * Upserts only the attributes that differ from the run's (a lean cycle starts with them set:
 * application/renewal-cycles.ts); none differing, no upsert and no action.
 */
function upsertChanged(pairs: SearchAttributeUpdatePair[]): void {
  const current = workflowInfo().typedSearchAttributes;
  const changed = pairs.filter((pair) => current.get(pair.key as Parameters<typeof current.get>[0]) !== pair.value);
  if (changed.length > 0) upsertSearchAttributes(changed);
}

/**
 * An activity's answer about an attempt, unless a bank result settled it meanwhile (a callback read
 * back after its signal can overtake the activity's own polling): the first final answer stands.
 */
function resolveUnlessSignalled(state: CycleState, attemptNo: number, result: cycle.DebitResult): void {
  const record = state.debits.find((d) => d.attemptNo === attemptNo);
  if (record?.outcome !== 'pending') return;
  cycle.debitResolved(state, attemptNo, result, Date.now());
}

/** Every key an operator filters on, as one list; a new run (continue-as-new) starts with none. */
function searchAttributes(input: RenewalCycleInput, branch: string, channel: string, stage: RenewalStage): SearchAttributeUpdatePair[] {
  return [
    { key: PolicyNo, value: input.policyNo },
    { key: DueDate, value: input.dueDate },
    { key: RenewalStageKey, value: stage },
    { key: Branch, value: branch },
    { key: Channel, value: channel },
    ...(input.runMonth ? [{ key: RunMonth, value: input.runMonth }] : []),
  ];
}

function describe(status: RenewalCycleStatus, action: CycleAction): void {
  if (action.type === 'wait') {
    status.nextAction = `wait: ${action.why}`;
    status.nextActionAt = action.until === undefined ? undefined : new Date(action.until).toISOString();
  } else {
    status.nextAction = 'step' in action ? `${action.type}: ${action.step}` : action.type;
    status.nextActionAt = new Date(Date.now()).toISOString();
  }
}

function result(state: CycleState, stage: RenewalStage): RenewalCycleResult {
  const failure = cycle.lastFailedDebit(state);
  return {
    stage,
    ...(state.paid ? { paidVia: state.paid.via } : {}),
    debitAttempts: state.debits.length,
    ...(failure?.reason ? { lastReason: failure.reason } : {}),
    ...(state.lapsedAt !== undefined ? { lapsedAt: new Date(state.lapsedAt).toISOString() } : {}),
  };
}

/**
 * After suspension, as cycles begun before REINSTATEMENT_STAGE_PATCH run it: wait out the two-year
 * window and close. Kept for their replay (test/fixtures/histories/renewal-cycle-window-closed-v1.json).
 */
async function reinstatementWindow(
  input: RenewalCycleInput,
  window: NonNullable<RenewalCycleInput['reinstatementWindow']>,
): Promise<RenewalCycleResult> {
  const ref = { policyNo: input.policyNo, dueDate: input.dueDate };
  const status: RenewalCycleStatus = {
    stage: 'LAPSED',
    nextAction: 'wait: reinstatement window closes',
    nextActionAt: new Date(reinstatementWindowCloses(window.lapsedAt)).toISOString(),
    debitAttempts: 0,
    holds: [],
  };
  setHandler(statusQuery, () => status);
  upsertSearchAttributes(searchAttributes(input, window.branch, window.channel, 'LAPSED'));
  const remaining = reinstatementWindowCloses(window.lapsedAt) - Date.now();
  if (remaining > 0) await sleep(remaining);
  upsertSearchAttributes([{ key: RenewalStageKey, value: 'CLOSED' }]);
  await activities.recordStage(ref, 'CLOSED');
  return { stage: 'CLOSED', debitAttempts: 0, lapsedAt: new Date(window.lapsedAt).toISOString() };
}
