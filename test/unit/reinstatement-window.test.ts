import { describe, expect, it } from 'vitest';
import { callPurposeOf } from '../../domain/call-scripts';
import { addYears, shanghaiDate, shanghaiInstant } from '../../domain/civil-date';
import { STANDARD_60 } from '../../domain/collection-plan';
import {
  daysLeftToApply,
  decideWindow,
  DEFAULT_WINDOW_REMINDERS,
  reinstatementWindow,
  reminderDone,
  TERMINATION_NOTICE_STEP,
  windowConfig,
  windowSchedule,
  type WindowAction,
  type WindowConfig,
  type WindowState,
} from '../../domain/reinstatement-window';
import { shanghai } from '../support/cycle-simulation';

/** Premium due 2026-03-01, 60 days' grace to 2026-04-30: suspended at 00:00 on 2026-05-01. */
const SUSPENDED_AT = shanghai('2026-05-01 00:00');

/** ¥12,345.00 a year: annualised ≥ ¥10,000, so high value under standard-60. */
const highValuePolicy = { premiumFen: 1_234_500, paymentFrequency: 'annual' as const, segment: null, preferredChannel: 'wechat' as const };
/** ¥500.00 a month = ¥6,000 a year: not high value. */
const ordinaryPolicy = { premiumFen: 50_000, paymentFrequency: 'monthly' as const, segment: null, preferredChannel: 'sms' as const };

function format(epochMs: number): string {
  const shifted = new Date(epochMs + 8 * 3_600_000).toISOString();
  return `${shifted.slice(0, 10)} ${shifted.slice(11, 16)}`;
}

/** The workflow's loop over decideWindow, with application events at instants ('YYYY-MM-DD HH:MM'). */
function run(config: WindowConfig, start: string, events: { at: string; apply: (s: WindowState) => void }[] = [], state: WindowState = { remindersDone: [] }) {
  const pendingEvents = events.map((e) => ({ ...e, instant: shanghai(e.at) })).sort((a, b) => a.instant - b.instant);
  const log: { at: string; action: WindowAction }[] = [];
  let now = shanghai(start);
  for (let i = 0; i < 200; i++) {
    while (pendingEvents.length && pendingEvents[0]!.instant <= now) pendingEvents.shift()!.apply(state);
    const action = decideWindow(config, state, now);
    log.push({ at: format(now), action });
    switch (action.type) {
      case 'wait':
        now = Math.min(action.until, pendingEvents[0]?.instant ?? Infinity);
        break;
      case 'none': {
        const next = pendingEvents[0];
        if (!next) return { log, state, end: 'blocked' as const };
        now = next.instant;
        break;
      }
      case 'remind':
      case 'termination_notice':
        reminderDone(state, action);
        break;
      case 'terminate':
        state.terminated = true;
        break;
      case 'close':
        return { log, state, end: action.outcome };
    }
  }
  throw new Error('the window decider did not settle in 200 steps');
}

/** One line per non-wait action. */
function actions(log: { at: string; action: WindowAction }[]): string[] {
  return log
    .filter((e) => e.action.type !== 'wait')
    .map(({ at, action: a }) => {
      switch (a.type) {
        case 'remind':
          return `${at} remind ${a.step}${a.callTask ? ` +${a.callTask.step}` : ''}${a.covers.length ? ` covers ${a.covers.join(',')}` : ''}`;
        case 'terminate':
          return `${at} terminate at ${format(a.at)}`;
        case 'termination_notice':
          return `${at} ${a.step}`;
        case 'close':
          return `${at} close ${a.outcome}`;
        default:
          return `${at} ${a.type}`;
      }
    });
}

describe('the window', () => {
  it('closes at 00:00 two years after the suspension date; the day before is the last day to apply', () => {
    const w = reinstatementWindow(SUSPENDED_AT);
    expect(w).toEqual({
      suspensionDate: '2026-05-01',
      closingDate: '2028-05-01',
      closesAt: shanghai('2028-05-01 00:00'),
      lastDayToApply: '2028-04-30',
      years: 2,
    });
    // The cycle's formula today (workflows/renewal-cycle.ts reinstatementWindowCloses).
    expect(w.closesAt).toBe(shanghaiInstant(addYears(shanghaiDate(SUSPENDED_AT), 2)));
    expect(reinstatementWindow('2026-05-01')).toEqual(w);
  });

  it('takes the product’s years (a 3-year product closes a year later)', () => {
    expect(reinstatementWindow(SUSPENDED_AT, 3)).toMatchObject({ closingDate: '2029-05-01', lastDayToApply: '2029-04-30', years: 3 });
  });

  it('after a 29 February suspension closes on 28 February of a common year, on 29 February of a leap year', () => {
    // 2028-02-29 + 2 years: 2030 has no 29 February → 2030-02-28 (730 days, as from 2028-03-01 to 2030-03-01).
    expect(reinstatementWindow('2028-02-29')).toMatchObject({ closingDate: '2030-02-28', lastDayToApply: '2030-02-27' });
    // + 4 years: 2032 is a leap year.
    expect(reinstatementWindow('2028-02-29', 4)).toMatchObject({ closingDate: '2032-02-29', lastDayToApply: '2032-02-28' });
  });

  it('refuses years outside 2–10 and bad dates, naming the field', () => {
    expect(() => reinstatementWindow(SUSPENDED_AT, 1)).toThrow(/reinstatementYears must be a whole number from 2 to 10, got 1/);
    expect(() => reinstatementWindow(SUSPENDED_AT, 11)).toThrow(/reinstatementYears/);
    expect(() => reinstatementWindow(SUSPENDED_AT, 2.5)).toThrow(/reinstatementYears/);
    expect(() => reinstatementWindow('2026-02-30')).toThrow(/suspension date must be YYYY-MM-DD/);
    expect(() => reinstatementWindow(Number.NaN)).toThrow(/suspendedAt/);
  });

  it('counts the days left to apply: 731 on the suspension date (the window spans 29 Feb 2028), 1 on the last day, 0 once closed', () => {
    const w = reinstatementWindow(SUSPENDED_AT);
    expect(daysLeftToApply(w, '2026-05-01')).toBe(731);
    expect(daysLeftToApply(w, '2028-04-30')).toBe(1);
    expect(daysLeftToApply(w, '2028-05-01')).toBe(0);
    expect(daysLeftToApply(w, '2029-01-01')).toBe(0);
    expect(() => daysLeftToApply(w, '2026-04-30')).toThrow(/before the suspension date/);
  });
});

describe('the reminder schedule', () => {
  it('reminds at +30, +180, +365 days and 60 days before the close, at 10:00, with agent calls for high value', () => {
    const config = windowConfig({ suspendedAt: SUSPENDED_AT, plan: STANDARD_60, policy: highValuePolicy });
    expect(config.highValue).toBe(true);
    const schedule = windowSchedule(config);
    // 2026-05-01 + 30 = 05-31; + 180 = 10-28; + 365 = 2027-05-01 (no 29 Feb between);
    // 2028-05-01 − 60 = 2028-03-02 (April 30 days → 04-01, March 31 → 03-01 is 61 days back).
    expect(schedule.map((r) => [r.step, format(r.at), r.template, r.callTask?.step])).toEqual([
      ['reinstatement_reminder_30d', '2026-05-31 10:00', 'reinstatement_reminder', 'reinstatement_call_30d'],
      ['reinstatement_reminder_180d', '2026-10-28 10:00', 'reinstatement_reminder', 'reinstatement_call_180d'],
      ['reinstatement_reminder_365d', '2027-05-01 10:00', 'reinstatement_reminder', 'reinstatement_call_365d'],
      ['reinstatement_reminder_closing', '2028-03-02 10:00', 'reinstatement_window_closing', 'reinstatement_call_closing'],
    ]);
    // The call tasks are the steps the call scripts know.
    for (const r of schedule) expect(callPurposeOf(r.callTask!.step)).toBe('reinstatement');
    expect(schedule[0]!.channels).toEqual(['wechat', 'email']);
    expect(schedule[3]!.channels).toEqual(['sms', 'wechat', 'email', 'letter']);
  });

  it('opens no call tasks for an ordinary policy, and sends SMS for a customer who prefers the phone', () => {
    const config = windowConfig({ suspendedAt: SUSPENDED_AT, plan: STANDARD_60, policy: { ...ordinaryPolicy, preferredChannel: 'phone' } });
    expect(config.highValue).toBe(false);
    const schedule = windowSchedule(config);
    expect(schedule.every((r) => r.callTask === undefined)).toBe(true);
    expect(schedule[0]!.channels).toEqual(['sms', 'email']);
  });

  it('treats segment A as high value whatever the premium, and a quarterly ¥2,500 (¥10,000 a year) as high value', () => {
    expect(windowConfig({ suspendedAt: SUSPENDED_AT, plan: STANDARD_60, policy: { ...ordinaryPolicy, segment: 'A' } }).highValue).toBe(true);
    expect(windowConfig({ suspendedAt: SUSPENDED_AT, plan: STANDARD_60, policy: { ...ordinaryPolicy, premiumFen: 250_000, paymentFrequency: 'quarterly' } }).highValue).toBe(true);
    expect(windowConfig({ suspendedAt: SUSPENDED_AT, plan: STANDARD_60, policy: { ...ordinaryPolicy, premiumFen: 249_999, paymentFrequency: 'quarterly' } }).highValue).toBe(false);
  });

  it('dates a 29 February suspension’s reminders from that day', () => {
    const config = windowConfig({ suspendedAt: '2028-02-29', plan: STANDARD_60, policy: ordinaryPolicy });
    // + 30 = 2028-03-30; + 180 = 2028-08-27; + 365 = 2029-02-28; 2030-02-28 − 60 = 2029-12-30.
    expect(windowSchedule(config).map((r) => r.date)).toEqual(['2028-03-30', '2028-08-27', '2029-02-28', '2029-12-30']);
  });

  it('leaves out reminders on or after the closing reminder’s date: it carries the deadline', () => {
    // Closing reminder 2028-03-02 is 671 days after 2026-05-01; +700 (2028-03-31) is after it.
    const config = windowConfig({
      suspendedAt: SUSPENDED_AT,
      plan: STANDARD_60,
      policy: ordinaryPolicy,
      reminders: { ...DEFAULT_WINDOW_REMINDERS, afterSuspensionDays: [30, 671, 700] },
    });
    expect(windowSchedule(config).map((r) => r.step)).toEqual(['reinstatement_reminder_30d', 'reinstatement_reminder_closing']);
  });

  it('takes a configured time, and refuses times outside 09:00–21:00 and bad plans', () => {
    const at = (time: string) => windowConfig({ suspendedAt: SUSPENDED_AT, plan: STANDARD_60, policy: ordinaryPolicy, reminders: { ...DEFAULT_WINDOW_REMINDERS, time } });
    expect(format(windowSchedule(at('20:59'))[0]!.at)).toBe('2026-05-31 20:59');
    expect(() => at('08:59')).toThrow(/reminders.time must be from 09:00 to before 21:00, got 08:59/);
    expect(() => at('21:00')).toThrow(/reminders.time/);
    expect(() => at('9:00')).toThrow(/reminders.time must be HH:MM/);
    const plan = (p: Partial<typeof DEFAULT_WINDOW_REMINDERS>) => () =>
      windowConfig({ suspendedAt: SUSPENDED_AT, plan: STANDARD_60, policy: ordinaryPolicy, reminders: { ...DEFAULT_WINDOW_REMINDERS, ...p } });
    expect(plan({ afterSuspensionDays: [180, 30] })).toThrow(/afterSuspensionDays\[1\] must be later/);
    expect(plan({ afterSuspensionDays: [0] })).toThrow(/afterSuspensionDays\[0\]/);
    expect(plan({ daysBeforeClose: 0 })).toThrow(/daysBeforeClose/);
  });
});

describe('the window decider', () => {
  const ordinary = windowConfig({ suspendedAt: SUSPENDED_AT, plan: STANDARD_60, policy: ordinaryPolicy });
  const high = windowConfig({ suspendedAt: SUSPENDED_AT, plan: STANDARD_60, policy: highValuePolicy });

  it('reminds four times, terminates at 00:00 of the closing date, sends the notice at 09:00 and closes', () => {
    const { log, end } = run(ordinary, '2026-05-01 00:00');
    expect(end).toBe('terminated');
    expect(actions(log)).toEqual([
      '2026-05-31 10:00 remind reinstatement_reminder_30d',
      '2026-10-28 10:00 remind reinstatement_reminder_180d',
      '2027-05-01 10:00 remind reinstatement_reminder_365d',
      '2028-03-02 10:00 remind reinstatement_reminder_closing',
      '2028-05-01 00:00 terminate at 2028-05-01 00:00',
      // SMS may not go out at midnight: the notice waits for the contact window.
      '2028-05-01 09:00 termination_notice',
      '2028-05-01 09:00 close terminated',
    ]);
    const terminate = log.find((e) => e.action.type === 'terminate')!.action;
    expect(terminate).toEqual({ type: 'terminate', at: shanghai('2028-05-01 00:00'), terminationDate: '2028-05-01', refund: 'cash_value' });
    const notice = log.find((e) => e.action.type === 'termination_notice')!.action;
    expect(notice).toMatchObject({ template: 'contract_terminated', terminationDate: '2028-05-01', channels: ['letter', 'email', 'sms'] });
  });

  describe('lapse notices handed over by the cycle (the window opens at suspension)', () => {
    // Suspended Friday 1 May 2026 (Labour Day): the SMS that day at 09:00, the letter on the next working day.
    const notices = [
      { step: 'lapse_sms_d+61', at: shanghai('2026-05-01 09:00'), template: 'lapse_notice', channels: ['sms' as const], allChannels: false },
      { step: 'lapse_letter', at: shanghai('2026-05-06 10:00'), template: 'lapse_letter', channels: ['letter' as const], allChannels: false },
    ];

    it('sends each at its time, before the first reminder, each on its own', () => {
      expect(decideWindow(ordinary, { remindersDone: [], lapseNotices: notices }, SUSPENDED_AT)).toEqual({ type: 'wait', until: shanghai('2026-05-01 09:00'), why: 'next: lapse_sms_d+61' });
      const { log } = run(ordinary, '2026-05-01 00:00', [], { remindersDone: [], lapseNotices: notices });
      expect(actions(log).slice(0, 3)).toEqual(['2026-05-01 09:00 remind lapse_sms_d+61', '2026-05-06 10:00 remind lapse_letter', '2026-05-31 10:00 remind reinstatement_reminder_30d']);
      expect(log.find((e) => e.action.type === 'remind')!.action).toEqual({
        type: 'remind', step: 'lapse_sms_d+61', template: 'lapse_notice', channels: ['sms'], allChannels: false, priority: 'normal', covers: [],
      });
    });

    it('still go out while an application is open, which holds only the reminders', () => {
      const { log } = run(ordinary, '2026-05-01 00:00', [
        { at: '2026-05-01 08:00', apply: (s) => (s.applicationOpen = true) },
        { at: '2026-06-20 15:00', apply: (s) => (s.applicationOpen = false) },
      ], { remindersDone: [], lapseNotices: notices });
      expect(actions(log).slice(0, 5)).toEqual([
        '2026-05-01 09:00 remind lapse_sms_d+61',
        '2026-05-06 10:00 remind lapse_letter',
        '2026-05-06 10:00 none',
        '2026-06-20 15:00 remind reinstatement_reminder_30d',
        '2026-10-28 10:00 remind reinstatement_reminder_180d',
      ]);
    });

    it('taken up late, both are sent in turn (none covers the other); the SMS waits out quiet hours', () => {
      const { log } = run(ordinary, '2026-05-07 22:30', [], { remindersDone: [], lapseNotices: notices });
      expect(actions(log).slice(0, 2)).toEqual(['2026-05-08 09:00 remind lapse_sms_d+61', '2026-05-08 09:00 remind lapse_letter']);
    });

    it('are moot once reinstated', () => {
      expect(decideWindow(ordinary, { remindersDone: [], lapseNotices: notices, reinstated: true }, shanghai('2026-05-02 12:00'))).toEqual({ type: 'close', outcome: 'reinstated' });
    });
  });

  it('waits for the next reminder with its reason', () => {
    expect(decideWindow(ordinary, { remindersDone: [] }, shanghai('2026-05-01 00:00'))).toEqual({
      type: 'wait',
      until: shanghai('2026-05-31 10:00'),
      why: 'next: reinstatement_reminder_30d',
    });
    const all = windowSchedule(ordinary).map((r) => r.step);
    expect(decideWindow(ordinary, { remindersDone: all }, shanghai('2028-03-02 10:00'))).toEqual({
      type: 'wait',
      until: shanghai('2028-05-01 00:00'),
      why: 'reinstatement window closes',
    });
  });

  it('opens an agent call with every reminder of a high-value policy, at high priority', () => {
    const { log } = run(high, '2026-05-01 00:00');
    expect(actions(log).slice(0, 4)).toEqual([
      '2026-05-31 10:00 remind reinstatement_reminder_30d +reinstatement_call_30d',
      '2026-10-28 10:00 remind reinstatement_reminder_180d +reinstatement_call_180d',
      '2027-05-01 10:00 remind reinstatement_reminder_365d +reinstatement_call_365d',
      '2028-03-02 10:00 remind reinstatement_reminder_closing +reinstatement_call_closing',
    ]);
    const first = log.find((e) => e.action.type === 'remind')!.action;
    expect(first).toMatchObject({ priority: 'high', callTask: { step: 'reinstatement_call_30d', task: 'call', assignee: 'agent' } });
    const ordinaryFirst = decideWindow(ordinary, { remindersDone: [] }, shanghai('2026-05-31 10:00'));
    expect(ordinaryFirst).toMatchObject({ type: 'remind', priority: 'normal' });
    expect(ordinaryFirst).not.toHaveProperty('callTask');
  });

  it('does nothing while an application is open; reminders that fell meanwhile are skipped for the latest', () => {
    const { log, end } = run(ordinary, '2026-05-01 00:00', [
      { at: '2026-05-20 11:00', apply: (s) => (s.applicationOpen = true) },
      // Declined a year later (evidence saga): the +30, +180 and +365 reminders have all passed.
      { at: '2027-05-10 15:00', apply: (s) => (s.applicationOpen = false) },
    ]);
    expect(end).toBe('terminated');
    expect(actions(log).slice(0, 4)).toEqual([
      '2026-05-20 11:00 none',
      '2027-05-10 15:00 remind reinstatement_reminder_365d covers reinstatement_reminder_30d,reinstatement_reminder_180d',
      '2028-03-02 10:00 remind reinstatement_reminder_closing',
      '2028-05-01 00:00 terminate at 2028-05-01 00:00',
    ]);
    const none = log.find((e) => e.action.type === 'none')!.action;
    expect(none).toEqual({ type: 'none', why: 'application in progress: reminders and termination wait for its outcome' });
  });

  it('an application open at the close holds termination; declined after it, the contract ends as of the close', () => {
    const { log } = run(ordinary, '2028-04-30 23:00', [
      { at: '2028-04-30 23:30', apply: (s) => (s.applicationOpen = true) },
      { at: '2028-05-20 16:00', apply: (s) => (s.applicationOpen = false) },
    ], { remindersDone: windowSchedule(ordinary).map((r) => r.step) });
    expect(actions(log)).toEqual([
      '2028-04-30 23:30 none',
      '2028-05-20 16:00 terminate at 2028-05-01 00:00',
      '2028-05-20 16:00 termination_notice',
      '2028-05-20 16:00 close terminated',
    ]);
  });

  it('closes as reinstated, and a reinstatement beats a pending termination', () => {
    expect(decideWindow(ordinary, { remindersDone: [], reinstated: true }, shanghai('2027-01-01 12:00'))).toEqual({ type: 'close', outcome: 'reinstated' });
    expect(decideWindow(ordinary, { remindersDone: [], reinstated: true }, shanghai('2028-06-01 12:00'))).toEqual({ type: 'close', outcome: 'reinstated' });
  });

  it('waits out quiet hours for SMS/WeChat, but an email-only reminder goes at once', () => {
    // Application declined at 22:00 on 2026-06-10: the +30 reminder is due, by SMS and email.
    expect(decideWindow(ordinary, { remindersDone: [] }, shanghai('2026-06-10 22:00'))).toEqual({
      type: 'wait',
      until: shanghai('2026-06-11 09:00'),
      why: "quiet hours: reinstatement_reminder_30d at the window's opening",
    });
    const emailOnly = windowConfig({ suspendedAt: SUSPENDED_AT, plan: STANDARD_60, policy: { ...ordinaryPolicy, preferredChannel: 'email' } });
    expect(decideWindow(emailOnly, { remindersDone: [] }, shanghai('2026-06-10 22:00'))).toMatchObject({
      type: 'remind',
      step: 'reinstatement_reminder_30d',
      channels: ['email'],
    });
  });

  it('a window entered late (imported lapsed) sends the latest due reminder, skipping older ones', () => {
    const { log } = run(ordinary, '2026-11-15 10:00');
    expect(actions(log)[0]).toBe('2026-11-15 10:00 remind reinstatement_reminder_180d covers reinstatement_reminder_30d');
  });

  it('a 29 February suspension runs to 00:00 on 28 February 2030', () => {
    const config = windowConfig({ suspendedAt: shanghai('2028-02-29 00:00'), plan: STANDARD_60, policy: ordinaryPolicy });
    const { log } = run(config, '2028-02-29 00:00');
    expect(actions(log)).toEqual([
      '2028-03-30 10:00 remind reinstatement_reminder_30d',
      '2028-08-27 10:00 remind reinstatement_reminder_180d',
      '2029-02-28 10:00 remind reinstatement_reminder_365d',
      '2029-12-30 10:00 remind reinstatement_reminder_closing',
      '2030-02-28 00:00 terminate at 2030-02-28 00:00',
      '2030-02-28 09:00 termination_notice',
      '2030-02-28 09:00 close terminated',
    ]);
  });

  it('at the last minute of the last day still waits; at 00:00 it terminates', () => {
    const done = { remindersDone: windowSchedule(ordinary).map((r) => r.step) };
    expect(decideWindow(ordinary, done, shanghai('2028-04-30 23:59'))).toMatchObject({ type: 'wait', until: shanghai('2028-05-01 00:00') });
    expect(decideWindow(ordinary, done, shanghai('2028-05-01 00:00'))).toMatchObject({ type: 'terminate' });
  });

  it('records a reminder with what it covered once, and the termination notice', () => {
    const state: WindowState = { remindersDone: ['reinstatement_reminder_30d'] };
    reminderDone(state, {
      type: 'remind',
      step: 'reinstatement_reminder_365d',
      template: 'reinstatement_reminder',
      channels: ['sms'],
      allChannels: true,
      priority: 'normal',
      covers: ['reinstatement_reminder_30d', 'reinstatement_reminder_180d'],
    });
    expect(state.remindersDone).toEqual(['reinstatement_reminder_30d', 'reinstatement_reminder_180d', 'reinstatement_reminder_365d']);
    reminderDone(state, { type: 'termination_notice', step: TERMINATION_NOTICE_STEP, template: 'contract_terminated', channels: ['letter'], allChannels: true, terminationDate: '2028-05-01' });
    expect(state.remindersDone).toContain(TERMINATION_NOTICE_STEP);
  });
});
