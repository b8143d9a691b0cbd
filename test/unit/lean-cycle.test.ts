import { describe, expect, it } from 'vitest';
import { calendarOfSpan, calendarSpan, cnMainlandCalendar, cycleCalendarSpan, isCalendarSpan } from '../../domain/business-calendar';
import { addDays } from '../../domain/civil-date';
import { planForPolicy, STANDARD_60 } from '../../domain/collection-plan';
import { decide, FILE_BANK_FALLBACK_CHECK_MS, resultFileDueAt, type DecisionInput } from '../../domain/cycle-decider';
import { cycleSchedule, debitSchedule, lapseSchedule } from '../../domain/cycle-schedule';
import { debitResolved, debitStarted, initialCycleState } from '../../domain/cycle-state';
import { samplePolicy, shanghai } from '../support/cycle-simulation';

/** The lean cycle's pure parts (docs/architecture.md#what-a-cycles-history-holds). */
describe("a cycle's calendar span", () => {
  const full = cnMainlandCalendar();

  it('runs from D-90 (or the opening day, if earlier) to 150 days after grace (or after opening)', () => {
    expect(cycleCalendarSpan('2027-02-10', 60, '2026-12-01')).toEqual({ from: '2026-11-12', to: '2027-09-08' });
    expect(cycleCalendarSpan('2027-02-10', 60, '2026-10-01')).toEqual({ from: '2026-10-01', to: '2027-09-08' });
    // Opened late (months after the due date): still 150 days from the opening.
    expect(cycleCalendarSpan('2027-02-10', 60, '2027-06-01')).toEqual({ from: '2026-11-12', to: '2027-10-29' });
  });

  it('gives every business-day answer the whole calendar gives inside the span, in far fewer bytes', () => {
    const { from, to } = cycleCalendarSpan('2027-02-10', 60, '2026-12-01');
    const span = calendarSpan(full, 'v1', from, to);
    expect(isCalendarSpan(span)).toBe(true);
    expect(isCalendarSpan(full.toJSON())).toBe(false);
    const lean = calendarOfSpan(span);
    for (let date = from; date <= to; date = addDays(date, 1)) {
      expect(lean.isBusinessDay(date), date).toBe(full.isBusinessDay(date));
    }
    expect(lean.nextBusinessDay('2027-02-10')).toBe(full.nextBusinessDay('2027-02-10'));
    expect(JSON.stringify(span).length).toBeLessThan(JSON.stringify(full.toJSON()).length / 5);
    // Spring Festival 2027 is in it, by date only; the names stay in the calendar.
    expect(span.holidays).toContain('2027-02-08');
    expect(span.holidays.every((d) => d >= from && d <= to)).toBe(true);
  });

  it('lays out a cycle exactly as the whole calendar does', () => {
    const policy = samplePolicy({ dueDate: '2027-02-10' });
    const { from, to } = cycleCalendarSpan(policy.dueDate, policy.graceDays, '2026-12-01');
    const lean = calendarOfSpan(calendarSpan(full, 'v1', from, to));
    expect(debitSchedule(STANDARD_60, policy, lean)).toEqual(debitSchedule(STANDARD_60, policy, full));
    expect(lapseSchedule(STANDARD_60, policy, lean)).toEqual(lapseSchedule(STANDARD_60, policy, full));
  });
});

describe('the plan for one policy', () => {
  it('leaves out the offer a policy without cash value cannot take and the calls of high value only', () => {
    const policy = samplePolicy({ premiumFen: 300_000, cashValueFen: 0 });
    const lean = planForPolicy(STANDARD_60, policy);
    expect(lean.graceNotices.map((s) => s.step)).not.toContain('reduced_paid_up_offer_d+50');
    expect(lean.tasks.map((t) => t.step)).not.toContain('call_d-15');
    expect(cycleSchedule(lean, policy, cnMainlandCalendar(), initialCycleState())).toEqual(cycleSchedule(STANDARD_60, policy, cnMainlandCalendar(), initialCycleState()));
  });

  it('keeps them for a high-value policy with cash value', () => {
    const policy = samplePolicy({ premiumFen: 2_000_000, cashValueFen: 500_000 });
    const lean = planForPolicy(STANDARD_60, policy);
    expect(lean).toEqual(STANDARD_60);
  });
});

describe("a file bank's debit in flight", () => {
  const calendar = cnMainlandCalendar();
  const resultFile = { businessDaysAfter: 1, at: '10:00' };
  // Thursday 2026-12-24, debited at 10:00; the report is due Friday 10:00.
  const policy = samplePolicy();
  const inFlight = () => {
    const state = initialCycleState();
    state.done.push('reminder_d-30', 'reminder_d-15', 'reminder_d-3', 'call_d-15');
    debitStarted(state, { attemptNo: 1, step: 'debit_1', collectionDate: '2026-12-24' }, [], shanghai('2026-12-24 10:00'));
    return state;
  };
  const input = (now: string, state = inFlight()): DecisionInput => ({ plan: STANDARD_60, policy, calendar, state, now: shanghai(now), resultFile });

  it('is first looked at when its report is due, the next business day', () => {
    expect(resultFileDueAt(calendar, '2026-12-24', resultFile)).toBe(shanghai('2026-12-25 10:00'));
    // Friday's collection: the report comes Monday.
    expect(resultFileDueAt(calendar, '2026-12-25', resultFile)).toBe(shanghai('2026-12-28 10:00'));
    expect(decide(input('2026-12-24 11:00')).action).toEqual({ type: 'wait', until: shanghai('2026-12-25 10:00'), why: 'check the debit in flight' });
  });

  it('then every six hours, and goes to operations when a fallback period has passed too', () => {
    const state = inFlight();
    expect(decide(input('2026-12-25 10:00', state)).action).toEqual({ type: 'check_debit', attemptNo: 1 });
    debitResolved(state, 1, { status: 'pending' }, shanghai('2026-12-25 10:00'));
    expect(decide(input('2026-12-25 10:01', state)).action).toMatchObject({ type: 'wait', until: shanghai('2026-12-25 10:00') + FILE_BANK_FALLBACK_CHECK_MS });
    expect(decide(input('2026-12-25 16:00', state)).action).toMatchObject({ type: 'task', step: 'debit_in_flight_1', task: 'escalation' });
  });

  it('an online bank is looked at every hour, as before', () => {
    const online: DecisionInput = { ...input('2026-12-24 11:00'), resultFile: undefined };
    expect(decide(online).action).toEqual({ type: 'check_debit', attemptNo: 1 });
  });
});
