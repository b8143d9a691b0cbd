import { describe, expect, it } from 'vitest';
import { addDays, dayOfWeek } from '../../domain/civil-date';
import { fraction } from '../../domain/kpis';
import { nonPaymentReasonOf, rankReasons, tallyReasons, TOP_REASONS } from '../../domain/lapse-reasons';
import {
  annualisedPremiumFen,
  defaultCohorts,
  isPersistencyMonths,
  persistencyDueDate,
  persistencyFigures,
  persistencyInstallment,
  persistencyState,
  type PersistencyCase,
} from '../../domain/persistency';
import { collectorOf, isConverted, tallyTasks, type TaskRow } from '../../domain/task-performance';
import { addWeeks, isIsoWeek, isoWeekOf, weekDays, weeksInYear } from '../../domain/weeks';

describe('ISO weeks', () => {
  it.each([
    ['2027-W01', '2027-01-04', '2027-01-10'],
    ['2026-W01', '2025-12-29', '2026-01-04'],
    ['2026-W53', '2026-12-28', '2027-01-03'],
    ['2020-W53', '2020-12-28', '2021-01-03'],
    ['2021-W01', '2021-01-04', '2021-01-10'],
    ['2025-W01', '2024-12-30', '2025-01-05'],
    ['2027-W05', '2027-02-01', '2027-02-07'],
  ])('%s runs Monday %s to Sunday %s', (week, first, last) => {
    expect(weekDays(week)).toEqual({ first, last });
    expect(isoWeekOf(first)).toBe(week);
    expect(isoWeekOf(last)).toBe(week);
  });

  it('53-week years: starting on a Thursday, or a Wednesday in a leap year', () => {
    expect(weeksInYear(2026)).toBe(53); // 1 January 2026 is a Thursday
    expect(weeksInYear(2020)).toBe(53); // a leap year starting on a Wednesday
    expect(weeksInYear(2027)).toBe(52);
    expect(weeksInYear(2024)).toBe(52); // leap, but starts on a Monday
    expect(weeksInYear(2015)).toBe(53);
  });

  it('every day of 2024–2028 is in the week whose days hold it, a Monday-first week', () => {
    for (let d = '2024-01-01'; d <= '2028-12-31'; d = addDays(d, 1)) {
      const { first, last } = weekDays(isoWeekOf(d));
      expect(d >= first && d <= last).toBe(true);
      expect(dayOfWeek(first)).toBe(1);
    }
  });

  it('checks the text and the week number against the year', () => {
    for (const good of ['2026-W53', '2027-W52', '2027-W01']) expect(isIsoWeek(good)).toBe(true);
    for (const bad of ['2027-W53', '2027-W00', '2027-W1', '2027W01', '2027-01', 20271, null]) expect(isIsoWeek(bad)).toBe(false);
    expect(() => weekDays('2027-W53')).toThrow(/not an ISO week/);
    expect(() => isoWeekOf('2027-02-30')).toThrow(/not a date/);
  });

  it('adds weeks across a 53-week year', () => {
    expect(addWeeks('2026-W52', 1)).toBe('2026-W53');
    expect(addWeeks('2026-W53', 1)).toBe('2027-W01');
    expect(addWeeks('2027-W01', -1)).toBe('2026-W53');
  });
});

describe('persistency', () => {
  it('the premium for the 13th and 25th month by payment frequency', () => {
    expect(persistencyInstallment('annual', 13)).toBe(2);
    expect(persistencyInstallment('annual', 25)).toBe(3);
    expect(persistencyInstallment('semiannual', 13)).toBe(3);
    expect(persistencyInstallment('quarterly', 13)).toBe(5);
    expect(persistencyInstallment('quarterly', 25)).toBe(9);
    expect(persistencyInstallment('monthly', 13)).toBe(13);
    expect(persistencyInstallment('monthly', 25)).toBe(25);
    expect(isPersistencyMonths(13)).toBe(true);
    expect(isPersistencyMonths(14)).toBe(false);
  });

  it('is due 12 (24) months after issue, on the issue day or the month’s last day', () => {
    expect(persistencyDueDate('2026-01-15', 13)).toBe('2027-01-15');
    expect(persistencyDueDate('2025-01-31', 25)).toBe('2027-01-31');
    expect(persistencyDueDate('2023-02-28', 13)).toBe('2024-02-28');
    expect(persistencyDueDate('2024-02-29', 13)).toBe('2025-02-28');
  });

  it('annualised premium', () => {
    expect(annualisedPremiumFen(100_00, 'monthly')).toBe(1_200_00);
    expect(annualisedPremiumFen(100_00, 'annual')).toBe(100_00);
    expect(() => annualisedPremiumFen(-1, 'annual')).toThrow(RangeError);
  });

  const base: PersistencyCase = { frequency: 'annual', premiumFen: 1000, dueDate: '2027-01-10', graceDays: 60, paidOn: null, paidBeforeRecords: false };

  it('kept when paid by the last grace day (grace payments count), lost after it, pending before', () => {
    expect(persistencyState({ ...base, paidOn: '2027-01-10' }, '2027-06-30')).toBe('kept');
    expect(persistencyState({ ...base, paidOn: '2027-03-11' }, '2027-06-30')).toBe('kept'); // D+60
    expect(persistencyState({ ...base, paidOn: '2027-03-12' }, '2027-06-30')).toBe('lost'); // D+61
    expect(persistencyState(base, '2027-03-11')).toBe('pending');
    expect(persistencyState(base, '2027-03-12')).toBe('lost');
    expect(persistencyState({ ...base, paidOn: '2027-02-01' }, '2027-01-31')).toBe('pending'); // not yet seen
    expect(persistencyState({ ...base, paidBeforeRecords: true }, '2020-01-01')).toBe('kept');
    // An automatic premium loan is made as grace runs out (00:00 of D+61): in time; a day later it is not.
    expect(persistencyState({ ...base, paidOn: '2027-03-12', paidVia: 'apl' }, '2027-06-30')).toBe('kept');
    expect(persistencyState({ ...base, paidOn: '2027-03-13', paidVia: 'apl' }, '2027-06-30')).toBe('lost');
    expect(persistencyState({ ...base, excluded: true, paidOn: '2027-01-10' }, '2027-06-30')).toBe('excluded');
  });

  it('figures by case and by annualised premium, final when nothing is pending', () => {
    const cases: PersistencyCase[] = [
      { ...base, paidOn: '2027-01-10' },
      { ...base, frequency: 'monthly', premiumFen: 100, paidOn: '2027-01-20' },
      { ...base, premiumFen: 3000 },
      { ...base, premiumFen: 500, paidBeforeRecords: true },
      { ...base, premiumFen: 9999, excluded: true },
    ];
    const f = persistencyFigures(cases, '2027-06-30');
    expect(f).toMatchObject({ cases: 4, firstYearPremiumFen: 1000 + 1200 + 3000 + 500, keptCases: 3, keptPremiumFen: 2700, lostCases: 1, pendingCases: 0, keptBeforeRecords: 1, final: true });
    expect(f.byCase).toEqual(fraction(3, 4));
    expect(f.byPremium).toEqual(fraction(2700, 5700));
    const early = persistencyFigures(cases, '2027-01-15');
    expect(early).toMatchObject({ keptCases: 2, lostCases: 0, pendingCases: 2, final: false });
    expect(persistencyFigures([], '2027-01-01')).toMatchObject({ cases: 0, byCase: fraction(0, 0), final: true });
  });

  it('default cohorts: twelve issue months ending with the one whose premium fell due last month', () => {
    expect(defaultCohorts('2027-04-02', 13)).toEqual({ from: '2025-04', to: '2026-03' });
    expect(defaultCohorts('2027-04-02', 25)).toEqual({ from: '2024-04', to: '2025-03' });
  });
});

describe('lapse reasons', () => {
  it('reads a stored reason, other (11) when missing or unknown', () => {
    expect(nonPaymentReasonOf(8)).toBe(8);
    expect(nonPaymentReasonOf('12')).toBe(12);
    for (const bad of [undefined, null, 0, 13, 2.5, 'x', '']) expect(nonPaymentReasonOf(bad)).toBe(11);
  });

  it('ranks by cases, then premium, then code; the top three with cases are highlighted', () => {
    const tallies = tallyReasons([
      { reason: 8, premiumFen: 100 },
      { reason: 8, premiumFen: 100 },
      { reason: 12, premiumFen: 500 },
      { reason: 2, premiumFen: 500 },
      { reason: undefined, premiumFen: 50 },
      { reason: 11, premiumFen: 50 },
      { reason: 11, premiumFen: 50 },
    ]);
    const ranked = rankReasons(tallies);
    expect(ranked).toHaveLength(12);
    expect(ranked.slice(0, 5).map((r) => [r.code, r.cases, r.premiumFen, r.rank, r.top])).toEqual([
      [11, 3, 150, 1, true],
      [8, 2, 200, 2, true],
      [2, 1, 500, 3, true], // 2 before 12: equal cases and premium, lower code
      [12, 1, 500, 4, false],
      [1, 0, 0, 5, false],
    ]);
    expect(ranked[0]!.share).toEqual(fraction(3, 7));
    expect(TOP_REASONS).toBe(3);
  });

  it('a single reason is the only one highlighted', () => {
    const ranked = rankReasons(tallyReasons([{ reason: 5, premiumFen: 1 }]));
    expect(ranked.filter((r) => r.top).map((r) => r.code)).toEqual([5]);
    expect(rankReasons([]).every((r) => !r.top && r.cases === 0)).toBe(true);
  });
});

describe('task performance', () => {
  const t0 = Date.UTC(2027, 0, 20, 2);
  const end = Date.UTC(2027, 2, 31);
  it('converted: unpaid at completion, paid at or after it, before lapse, still standing', () => {
    expect(isConverted({ completedAt: t0, lapsedAt: null, payments: [{ receivedAt: t0 + 1, reversedAt: null }] }, end)).toBe(true);
    expect(isConverted({ completedAt: t0, lapsedAt: null, payments: [{ receivedAt: t0, reversedAt: null }] }, end)).toBe(true);
    expect(isConverted({ completedAt: t0, lapsedAt: null, payments: [] }, end)).toBe(false);
    // Paid before the outcome: the task did not convert it.
    expect(isConverted({ completedAt: t0, lapsedAt: null, payments: [{ receivedAt: t0 - 1, reversedAt: null }] }, end)).toBe(false);
    // Reversed before the as-of end.
    expect(isConverted({ completedAt: t0, lapsedAt: null, payments: [{ receivedAt: t0 + 1, reversedAt: t0 + 2 }] }, end)).toBe(false);
    // Paid after the lapse: a reinstatement, not a conversion.
    expect(isConverted({ completedAt: t0, lapsedAt: t0 + 5, payments: [{ receivedAt: t0 + 6, reversedAt: null }] }, end)).toBe(false);
    // Paid after the measuring moment.
    expect(isConverted({ completedAt: t0, lapsedAt: null, payments: [{ receivedAt: end, reversedAt: null }] }, end)).toBe(false);
    // An earlier payment reversed before the outcome, then paid again: converted.
    expect(isConverted({ completedAt: t0, lapsedAt: null, payments: [{ receivedAt: t0 - 10, reversedAt: t0 - 5 }, { receivedAt: t0 + 3, reversedAt: null }] }, end)).toBe(true);
  });

  it('the collector is the assignee, or its role', () => {
    expect(collectorOf({ assigneeAgentCode: 'A001', assigneeRole: 'agent' })).toBe('A001');
    expect(collectorOf({ assigneeAgentCode: null, assigneeRole: 'operations' })).toBe('(operations)');
  });

  it('tallies by key: completed, on time, outcomes, converted and its premium', () => {
    const row = (key: string, outcome: string | null, paid: boolean, late = false): TaskRow => ({
      key,
      completedAt: t0,
      dueAt: late ? t0 - 1 : t0,
      outcome,
      premiumFen: 1000,
      lapsedAt: null,
      payments: paid ? [{ receivedAt: t0 + 1, reversedAt: null }] : [],
    });
    const tallies = tallyTasks([row('B', 'promised', true), row('A', 'reached', false, true), row('B', 'no_answer', false), row('B', 'retry_debit', true)], end);
    expect(tallies.map((t) => t.key)).toEqual(['A', 'B']);
    expect(tallies[0]).toMatchObject({ completed: 1, onTime: 0, outcomes: { reached: 1 }, converted: 0, convertedPremiumFen: 0, conversionRate: fraction(0, 1) });
    expect(tallies[1]).toMatchObject({ completed: 3, onTime: 3, outcomes: { promised: 1, no_answer: 1, other: 1 }, converted: 2, convertedPremiumFen: 2000, conversionRate: fraction(2, 3) });
  });
});
