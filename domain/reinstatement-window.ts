/**
 * The reinstatement (复效) window after suspension: when it closes, the reminders and agent calls in
 * it, and a decider saying what the window stage of the cycle does next. Pure, like
 * cycle-decider.ts: the workflow performs the action, records it in the state and asks again.
 *
 * Law: Insurance Law Art. 37 — two years from suspension without agreement, the insurer may
 * terminate the contract and refunds the cash value. The product may give longer (products.csv
 * `reinstatement_years`, 2–10).
 */
import { addDays, addYears, daysBetween, isCivilDate, shanghaiDate, shanghaiInstant, type CivilDate } from './civil-date';
import { isHighValue, type CollectionPlan, type PERIODS_PER_YEAR } from './collection-plan';
import { preferredNoticeChannel, type ContactChannel, type PreferredChannel } from './channels';
import { contactWindowOpening, DEFAULT_CONTACT_LIMITS } from './contact-rules';

export const DEFAULT_REINSTATEMENT_YEARS = 2;
/** Art. 37 gives two years; products.csv accepts up to 10. */
export const MIN_REINSTATEMENT_YEARS = 2;
export const MAX_REINSTATEMENT_YEARS = 10;

export interface ReinstatementWindow {
  /** The civil date of suspension (效力中止), in Shanghai: its 00:00 is the suspension instant. */
  suspensionDate: CivilDate;
  /** The window closes at 00:00 of this date (suspension date + N years); also the termination date. */
  closingDate: CivilDate;
  closesAt: number;
  /** The day before the closing date: an application received any time that day, to 24:00, is in time. */
  lastDayToApply: CivilDate;
  years: number;
}

/**
 * The window from a suspension instant (the cycle's `lapsedAt`) or date. Same rule as the cycle's
 * window today: 00:00 of the same day N years on, so the last day is the day before. A 29 February
 * suspension closes on 28 February of a common year (addYears): still 730 days for two years,
 * the same as a suspension on 1 March of that year.
 */
export function reinstatementWindow(suspendedAt: number | CivilDate, years: number = DEFAULT_REINSTATEMENT_YEARS): ReinstatementWindow {
  if (!Number.isInteger(years) || years < MIN_REINSTATEMENT_YEARS || years > MAX_REINSTATEMENT_YEARS) {
    throw new RangeError(`reinstatementYears must be a whole number from ${MIN_REINSTATEMENT_YEARS} to ${MAX_REINSTATEMENT_YEARS}, got ${String(years)}`);
  }
  let suspensionDate: CivilDate;
  if (typeof suspendedAt === 'number') {
    if (!Number.isFinite(suspendedAt)) throw new RangeError(`suspendedAt must be an instant in ms, got ${String(suspendedAt)}`);
    suspensionDate = shanghaiDate(suspendedAt);
  } else {
    if (!isCivilDate(suspendedAt)) throw new RangeError(`suspension date must be YYYY-MM-DD, got ${JSON.stringify(suspendedAt)}`);
    suspensionDate = suspendedAt;
  }
  const closingDate = addYears(suspensionDate, years);
  return { suspensionDate, closingDate, closesAt: shanghaiInstant(closingDate), lastDayToApply: addDays(closingDate, -1), years };
}

/** When reminders go out in the window; every number configurable (docs/business-rules.md#window-reminders). */
export interface WindowReminderPlan {
  /** Days after the suspension date: +30, +180, +365. */
  afterSuspensionDays: readonly number[];
  /** The last reminder, this many days before the closing date. */
  daysBeforeClose: number;
  /** Local time (Asia/Shanghai) of every reminder and call task; inside the 09:00–21:00 contact window. */
  time: string;
}

export const DEFAULT_WINDOW_REMINDERS: Readonly<WindowReminderPlan> = {
  afterSuspensionDays: [30, 180, 365],
  daysBeforeClose: 60,
  time: '10:00',
};


export interface WindowConfig {
  window: ReinstatementWindow;
  reminders: WindowReminderPlan;
  /** High value (collection-plan.ts isHighValue): an agent call task with every reminder, worked first. */
  highValue: boolean;
  preferredChannel: PreferredChannel | null;
}

/**
 * The window stage's configuration for one lapsed policy. High value is the plan's own rule (annualised
 * premium at or above the threshold, or a listed segment), the same as for the pre-due calls.
 */
export function windowConfig(input: {
  suspendedAt: number | CivilDate;
  reinstatementYears?: number;
  plan: CollectionPlan;
  policy: {
    premiumFen: number;
    paymentFrequency: keyof typeof PERIODS_PER_YEAR;
    segment: string | null;
    preferredChannel: PreferredChannel | null;
  };
  reminders?: WindowReminderPlan;
}): WindowConfig {
  const reminders = input.reminders ?? DEFAULT_WINDOW_REMINDERS;
  validateReminderPlan(reminders);
  return {
    window: reinstatementWindow(input.suspendedAt, input.reinstatementYears ?? DEFAULT_REINSTATEMENT_YEARS),
    reminders,
    highValue: isHighValue(input.plan, input.policy),
    preferredChannel: input.policy.preferredChannel,
  };
}

const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;

export function validateReminderPlan(plan: WindowReminderPlan): void {
  if (!Array.isArray(plan.afterSuspensionDays)) throw new RangeError('reminders.afterSuspensionDays must be a list of days');
  plan.afterSuspensionDays.forEach((d, i) => {
    if (!Number.isInteger(d) || d < 1 || d > 3650) throw new RangeError(`reminders.afterSuspensionDays[${i}] must be a whole number of days from 1 to 3650, got ${String(d)}`);
    if (i > 0 && d <= plan.afterSuspensionDays[i - 1]!) throw new RangeError(`reminders.afterSuspensionDays[${i}] must be later than the one before it`);
  });
  if (!Number.isInteger(plan.daysBeforeClose) || plan.daysBeforeClose < 1 || plan.daysBeforeClose > 365) {
    throw new RangeError(`reminders.daysBeforeClose must be a whole number of days from 1 to 365, got ${String(plan.daysBeforeClose)}`);
  }
  if (typeof plan.time !== 'string' || !TIME.test(plan.time)) throw new RangeError(`reminders.time must be HH:MM, got ${JSON.stringify(plan.time)}`);
  // SMS and WeChat reach a person at once: the reminder time itself must be inside the contact window.
  if (plan.time < DEFAULT_CONTACT_LIMITS.windowStart || plan.time >= DEFAULT_CONTACT_LIMITS.windowEnd) {
    throw new RangeError(`reminders.time must be from ${DEFAULT_CONTACT_LIMITS.windowStart} to before ${DEFAULT_CONTACT_LIMITS.windowEnd}, got ${plan.time}`);
  }
}

export interface WindowReminder {
  step: string;
  at: number;
  date: CivilDate;
  template: 'reinstatement_reminder' | 'reinstatement_window_closing';
  channels: ContactChannel[];
  allChannels: boolean;
  /** For high-value policies: the agent call opened with the reminder (call-scripts.ts 'reinstatement'). */
  callTask?: { step: string; task: 'call'; assignee: 'agent' };
}

/** The step names call-scripts.ts knows: reinstatement_call_30d … reinstatement_call_closing. */
function stepSuffix(kind: 'after' | 'closing', days: number): string {
  return kind === 'closing' ? 'closing' : `${days}d`;
}

/** WeChat or SMS for 'preferred' when the customer prefers a channel a reminder cannot go on. */

/**
 * The reminders of the window in time order. The closing reminder carries the deadline, so an
 * after-suspension reminder on or after its date (a long list of days in a short window) is left out;
 * so is anything not after the suspension date or not before the closing date.
 */
export function windowSchedule(config: WindowConfig): WindowReminder[] {
  const { window, reminders, highValue, preferredChannel } = config;
  const reminder = (kind: 'after' | 'closing', date: CivilDate, days: number): WindowReminder => {
    const suffix = stepSuffix(kind, days);
    const closing = kind === 'closing';
    return {
      step: `reinstatement_reminder_${suffix}`,
      at: shanghaiInstant(date, reminders.time),
      date,
      template: closing ? 'reinstatement_window_closing' : 'reinstatement_reminder',
      // The last reminder before termination goes on every channel we hold, a letter included.
      channels: closing ? ['sms', 'wechat', 'email', 'letter'] : [...new Set([preferredNoticeChannel(preferredChannel), 'email' as const])],
      allChannels: true,
      ...(highValue ? { callTask: { step: `reinstatement_call_${suffix}`, task: 'call' as const, assignee: 'agent' as const } } : {}),
    };
  };
  const closingDate = addDays(window.closingDate, -reminders.daysBeforeClose);
  const inWindow = (date: CivilDate) => date > window.suspensionDate && date < window.closingDate;
  const closing = inWindow(closingDate) ? reminder('closing', closingDate, reminders.daysBeforeClose) : undefined;
  const after = reminders.afterSuspensionDays
    .map((days) => reminder('after', addDays(window.suspensionDate, days), days))
    .filter((r) => inWindow(r.date) && (closing === undefined || r.date < closing.date));
  return closing ? [...after, closing] : after;
}

/**
 * A notice of the suspension still owed when the window opens (the plan's lapse SMS, the lapse
 * letter on the next working day). Cycles open the window at the moment of suspension, so that an
 * application is taken from then on, and the window sends these at their times.
 */
export interface LapseNotice {
  step: string;
  at: number;
  template: string;
  channels: ContactChannel[];
  allChannels: boolean;
}

export interface WindowState {
  /** Reminder and notice steps carried out (sent, suppressed or skipped as stale). */
  remindersDone: string[];
  /** Lapse notices handed over by the cycle; done ones are in remindersDone. */
  lapseNotices?: readonly LapseNotice[];
  /** An application is being underwritten or awaits payment: reminders and termination wait. */
  applicationOpen?: boolean;
  /** Reinstated: the window is over and the cycle closes. */
  reinstated?: boolean;
  /** Terminated at the window's close; the termination notice follows. */
  terminated?: boolean;
}

export const TERMINATION_NOTICE_STEP = 'termination_notice';

export type WindowAction =
  /** Sleep until the instant, or until a signal (an application) wakes the stage. */
  | { type: 'wait'; until: number; why: string }
  | {
      type: 'remind';
      step: string;
      /** A window reminder's template, or a lapse notice's (the plan's, any catalogue template). */
      template: string;
      channels: ContactChannel[];
      allChannels: boolean;
      callTask?: WindowReminder['callTask'];
      /** High value first on the operators' task lists (docs/business-rules.md#window-reminders). */
      priority: 'high' | 'normal';
      /** Earlier reminders that fell due unsent (an application in between, a late start): skipped. */
      covers: string[];
    }
  /**
   * The insurer's Art. 37 right, exercised when the window closes unreinstated: the contract ends at
   * `at` (00:00 of the closing date, whatever the moment the stage acts) and the cash value is refunded.
   */
  | { type: 'terminate'; at: number; terminationDate: CivilDate; refund: 'cash_value' }
  | { type: 'termination_notice'; step: string; template: 'contract_terminated'; channels: ContactChannel[]; allChannels: true; terminationDate: CivilDate }
  /** Nothing until the application's outcome is fed back (no timer: the application stage owns them). */
  | { type: 'none'; why: string }
  | { type: 'close'; outcome: 'reinstated' | 'terminated' };

const TERMINATION_CHANNELS: ContactChannel[] = ['letter', 'email', 'sms'];

/** When a contact due at `now` may go out on all its channels: now, or the quiet hours' end. */
export function opening(channels: readonly ContactChannel[], now: number): number {
  return Math.max(now, ...channels.map((c) => contactWindowOpening(now, DEFAULT_CONTACT_LIMITS, c)));
}

export function decideWindow(config: WindowConfig, state: WindowState, now: number): WindowAction {
  if (state.reinstated) return { type: 'close', outcome: 'reinstated' };
  // The notices of the suspension are owed whatever else happens in the window (an application
  // included), each in its turn: none covers another, they say different things on different channels.
  const lapseNotice = (state.lapseNotices ?? []).filter((n) => !state.remindersDone.includes(n.step)).sort((a, b) => a.at - b.at)[0];
  if (lapseNotice && lapseNotice.at <= now) {
    const sendAt = opening(lapseNotice.channels, now);
    if (sendAt > now) return { type: 'wait', until: sendAt, why: `quiet hours: ${lapseNotice.step} at the window's opening` };
    const { step, template, channels, allChannels } = lapseNotice;
    return { type: 'remind', step, template, channels, allChannels, priority: config.highValue ? 'high' : 'normal', covers: [] };
  }
  const action = decideInWindow(config, state, now);
  if (!lapseNotice) return action;
  const wakeForNotice: WindowAction = { type: 'wait', until: lapseNotice.at, why: `next: ${lapseNotice.step}` };
  if (action.type === 'none') return wakeForNotice;
  return action.type === 'wait' && action.until > lapseNotice.at ? wakeForNotice : action;
}

function decideInWindow(config: WindowConfig, state: WindowState, now: number): WindowAction {
  const { window } = config;
  if (state.terminated) {
    if (state.remindersDone.includes(TERMINATION_NOTICE_STEP)) return { type: 'close', outcome: 'terminated' };
    const sendAt = opening(TERMINATION_CHANNELS, now);
    if (sendAt > now) return { type: 'wait', until: sendAt, why: `quiet hours: ${TERMINATION_NOTICE_STEP} at the window's opening` };
    return {
      type: 'termination_notice',
      step: TERMINATION_NOTICE_STEP,
      template: 'contract_terminated',
      channels: [...TERMINATION_CHANNELS],
      allChannels: true,
      terminationDate: window.closingDate,
    };
  }
  // An application in time is decided even past the window's close: the insurer may not refuse it
  // because the two years ran out meanwhile (docs/business-rules.md#reinstatement-application).
  if (state.applicationOpen) return { type: 'none', why: 'application in progress: reminders and termination wait for its outcome' };
  if (now >= window.closesAt) return { type: 'terminate', at: window.closesAt, terminationDate: window.closingDate, refund: 'cash_value' };

  const pending = windowSchedule(config).filter((r) => !state.remindersDone.includes(r.step));
  const due = pending.filter((r) => r.at <= now);
  const latest = due[due.length - 1];
  if (latest) {
    const sendAt = opening(latest.channels, now);
    if (sendAt > now) return { type: 'wait', until: sendAt, why: `quiet hours: ${latest.step} at the window's opening` };
    return {
      type: 'remind',
      step: latest.step,
      template: latest.template,
      channels: latest.channels,
      allChannels: latest.allChannels,
      ...(latest.callTask ? { callTask: latest.callTask } : {}),
      priority: config.highValue ? 'high' : 'normal',
      covers: due.slice(0, -1).map((r) => r.step),
    };
  }
  const next = pending[0];
  if (next && next.at < window.closesAt) return { type: 'wait', until: next.at, why: `next: ${next.step}` };
  return { type: 'wait', until: window.closesAt, why: 'reinstatement window closes' };
}

/** Records a reminder action as done, with the stale reminders it covered. */
export function reminderDone(state: WindowState, action: Extract<WindowAction, { type: 'remind' | 'termination_notice' }>): void {
  const steps = action.type === 'remind' ? [...action.covers, action.step] : [action.step];
  for (const step of steps) if (!state.remindersDone.includes(step)) state.remindersDone.push(step);
}

/** Days left to apply on a civil date (1 on the last day; 0 once closed): for the lapsed-policy list. */
export function daysLeftToApply(window: ReinstatementWindow, today: CivilDate): number {
  if (today >= window.closingDate) return 0;
  if (today < window.suspensionDate) throw new RangeError(`${today} is before the suspension date ${window.suspensionDate}`);
  return daysBetween(today, window.closingDate);
}
