import { cnMainlandCalendar } from '../../domain/business-calendar';
import { shanghaiInstant } from '../../domain/civil-date';
import { STANDARD_60, type CollectionPlan } from '../../domain/collection-plan';
import { decide, lateCheckInReach, type CycleAction } from '../../domain/cycle-decider';
import type { PolicySnapshot } from '../../domain/cycle-schedule';
import {
  contactSettled,
  contactWaiting,
  debitResolved,
  debitStarted,
  debitWithdrawalRefused,
  debitWithdrawn,
  initialCycleState,
  lapsed,
  markDone,
  paymentReceived,
  promiseBroken,
  type CycleState,
  type DebitResult,
} from '../../domain/cycle-state';
import type { RenewalStage } from '../../domain/renewal-stage';

/** The same loop the workflow runs, with a scripted outside world instead of activities and signals. */
export interface World {
  debit?: (attemptNo: number, collectionDate: string) => DebitResult;
  /** The answer to a check of an attempt in flight (default: still pending). */
  check?: (attemptNo: number, now: number) => DebitResult;
  /** Signals at instants (Shanghai 'YYYY-MM-DD HH:MM'), applied to the state when time reaches them. */
  events?: { at: string; apply: (state: CycleState, now: number) => void }[];
  premiumLoanGranted?: boolean;
  /** Whether an attempt in flight can still be taken back when a hold asks (default: yes, not yet in a file). */
  withdraw?: (attemptNo: number) => boolean;
  /** A contact's provider cannot take it now: the reason (provider:code) it waits with; default: it goes. */
  contactWaits?: (step: string, now: number) => string | undefined;
}

export interface LogEntry {
  at: string;
  stage: RenewalStage;
  action: CycleAction;
}

export function samplePolicy(overrides: Partial<PolicySnapshot> = {}): PolicySnapshot {
  return {
    dueDate: '2026-12-24',
    graceDays: 60,
    premiumFen: 500_000,
    paymentFrequency: 'annual',
    segment: null,
    preferredChannel: 'sms',
    hasMandate: true,
    aplElected: false,
    cashValueFen: 0,
    ...overrides,
  };
}

export function shanghai(at: string): number {
  const [date, time] = at.split(' ');
  return shanghaiInstant(date!, time ?? '00:00');
}

function format(epochMs: number): string {
  const shifted = new Date(epochMs + 8 * 3_600_000).toISOString();
  return `${shifted.slice(0, 10)} ${shifted.slice(11, 16)}`;
}

export function simulate(options: {
  policy: PolicySnapshot;
  start: string;
  world?: World;
  plan?: CollectionPlan;
  state?: CycleState;
  /** As cycles begun after the withdraw-held-debits patch (the workflow passes the patch's answer). */
  withdrawHeldDebits?: boolean;
  /** As cycles after the window-opens-at-lapse patch, once lapsed. */
  windowAtLapse?: boolean;
  /** As cycles after the payment-received-notice patch, once paid. */
  tellPaymentReceived?: boolean;
  /** As cycles after the late-check patch (asked in the last days of grace). */
  lateCheck?: boolean;
}): { log: LogEntry[]; state: CycleState; end: 'closed' | 'reinstatement_window' | 'blocked' } {
  const plan = options.plan ?? STANDARD_60;
  const calendar = cnMainlandCalendar();
  const world = options.world ?? {};
  const events = [...(world.events ?? [])].map((e) => ({ ...e, instant: shanghai(e.at) })).sort((a, b) => a.instant - b.instant);
  const state = options.state ?? initialCycleState();
  const log: LogEntry[] = [];
  let now = shanghai(options.start);
  const applyEventsUpTo = (t: number) => {
    while (events.length && events[0]!.instant <= t) {
      const event = events.shift()!;
      event.apply(state, event.instant);
    }
  };
  for (let i = 0; i < 1000; i++) {
    applyEventsUpTo(now);
    const windowAtLapse = options.windowAtLapse === true && state.lapsedAt !== undefined;
    const tellPaymentReceived = options.tellPaymentReceived === true && state.paid !== undefined;
    const lateCheck = options.lateCheck === true && lateCheckInReach(options.policy, state, now);
    const { action, stage } = decide({ plan, policy: options.policy, calendar, state, now, withdrawHeldDebits: options.withdrawHeldDebits, windowAtLapse, tellPaymentReceived, lateCheck });
    log.push({ at: format(now), stage, action });
    switch (action.type) {
      case 'wait': {
        const nextEvent = events[0]?.instant;
        const until = Math.min(action.until ?? Infinity, nextEvent ?? Infinity);
        if (until === Infinity) return { log, state, end: 'blocked' };
        now = Math.max(now, until);
        break;
      }
      case 'contact': {
        const waits = action.suppressedBy ? undefined : world.contactWaits?.(action.step, now);
        if (waits) contactWaiting(state, action.step, now, waits);
        else contactSettled(state, action.step);
        break;
      }
      case 'expire_contact':
        contactSettled(state, action.step);
        break;
      case 'task':
        markDone(state, action.step);
        break;
      case 'debit': {
        debitStarted(state, action, action.covers, now);
        const result = world.debit?.(action.attemptNo, action.collectionDate) ?? { status: 'succeeded', at: now };
        debitResolved(state, action.attemptNo, result.status === 'succeeded' ? { ...result, at: now } : result, now);
        break;
      }
      case 'check_debit': {
        const result = world.check?.(action.attemptNo, now) ?? { status: 'pending' };
        debitResolved(state, action.attemptNo, result.status === 'succeeded' ? { ...result, at: now } : result, now);
        break;
      }
      case 'withdraw_debit':
        if (world.withdraw?.(action.attemptNo) ?? true) debitWithdrawn(state, action.attemptNo);
        else debitWithdrawalRefused(state, action.attemptNo);
        break;
      case 'promise_broken':
        promiseBroken(state);
        break;
      case 'premium_loan':
        markDone(state, 'premium_loan');
        if (world.premiumLoanGranted) paymentReceived(state, 'apl', now);
        break;
      case 'lapse':
        lapsed(state, action.at, action.nonPaymentReason);
        break;
      case 'enter_reinstatement_window':
        return { log, state, end: 'reinstatement_window' };
      case 'close':
        return { log, state, end: 'closed' };
    }
  }
  throw new Error('the decider did not settle in 1000 steps');
}

/** A compact line per non-wait action: 'YYYY-MM-DD HH:MM type step'. */
export function actions(log: readonly LogEntry[]): string[] {
  return log
    .filter((e) => e.action.type !== 'wait')
    .map((e) => {
      const a = e.action;
      const detail =
        a.type === 'contact'
          ? `${a.step}${a.suppressedBy ? ` [${a.suppressedBy}]` : ''}`
          : a.type === 'task'
            ? `${a.step}→${a.assignee}${a.suppressedBy ? ` [${a.suppressedBy}]` : ''}`
            : a.type === 'debit'
              ? `${a.step}#${a.attemptNo}@${a.collectionDate}${a.covers.length ? ` covers ${a.covers.join(',')}` : ''}`
              : a.type === 'lapse'
                ? `reason ${a.nonPaymentReason}`
                : a.type === 'check_debit' || a.type === 'withdraw_debit'
                  ? `#${a.attemptNo}`
                  : a.type === 'expire_contact'
                    ? `${a.step} [${a.reason}]`
                    : '';
      return `${e.at} ${a.type}${detail ? ` ${detail}` : ''}`;
    });
}
