import { describe, expect, it } from 'vitest';
import { cnMainlandCalendar, type CalendarDay } from '../../domain/business-calendar';
import { statutoryHolidays } from '../../domain/calendars/cn-mainland';
import { applyNotice, calendarYearStatus, noticeFromRows, provisionalRunWarning, yearsReached, type NoticeRow } from '../../domain/calendar-notice';

const rowsOf = (days: CalendarDay[]): NoticeRow[] =>
  days.map((d, i) => ({ rowNo: i + 2, values: { date: d.date, kind: d.kind, name: d.name } }));
const STATUTORY_2027 = statutoryHolidays(2027);
const BRIDGE: CalendarDay[] = [
  { date: '2027-02-09', kind: 'holiday', name: '春节 Spring Festival' },
  { date: '2027-02-20', kind: 'workday', name: '春节调休 Spring Festival make-up workday' },
];

describe('noticeFromRows', () => {
  it('takes a whole year, sorted, when every row is good and every statutory day is there', () => {
    const result = noticeFromRows(rowsOf([...BRIDGE, ...STATUTORY_2027]));
    expect(result.errors).toEqual([]);
    expect(result.notice?.year).toBe(2027);
    expect(result.notice?.days.map((d) => d.date)).toEqual([...STATUTORY_2027, ...BRIDGE].map((d) => d.date).sort());
  });

  it('names every bad row and field', () => {
    const rows: NoticeRow[] = [
      { rowNo: 2, values: { date: '2027-01-01', kind: 'holiday', name: '元旦' } },
      { rowNo: 3, values: { date: '1/2/2027', kind: 'holiday', name: '元旦' } },
      { rowNo: 4, values: { date: '2027-01-01', kind: 'holiday', name: '元旦' } },
      { rowNo: 5, values: { date: '2027-02-06', kind: 'Holiday', name: '春节' } },
      { rowNo: 6, values: { date: '2027-02-06', kind: 'holiday', name: 'x'.repeat(101) } },
      { rowNo: 7, values: {}, problem: 'expected 3 values, got 4' },
      { rowNo: 8, values: { date: '2027-02-24', kind: 'workday', name: '调休' } },
      { rowNo: 9, values: { date: '2026-12-31', kind: 'holiday', name: '元旦' } },
    ];
    expect(noticeFromRows(rows).errors).toEqual([
      'row 3, date: "1/2/2027" is not a date (YYYY-MM-DD)',
      'row 4, date: 2027-01-01 is already on row 2',
      'row 5, kind: "Holiday" must be holiday or workday',
      'row 6, name: longer than 100 characters: name the festival',
      'row 7: expected 3 values, got 4',
      'row 8, kind: 2027-02-24 is a weekday; a make-up workday (调休) is a Saturday or Sunday worked',
      'row 9, date: 2026-12-31 is not in 2027: a notice file holds one year (the year of its first row)',
    ]);
  });

  it('refuses an empty file, a year out of range, and a statutory day left out or worked', () => {
    expect(noticeFromRows([]).errors).toEqual(['the file has no rows: a notice lists the days off of one year']);
    expect(noticeFromRows([{ rowNo: 2, values: { date: '1999-10-01', kind: 'holiday', name: '国庆' } }]).errors).toEqual([
      'row 2, date: 1999-10-01 is in 1999; notices are loaded for 2000–2100',
    ]);
    const worked = STATUTORY_2027.map((d) => (d.date === '2027-02-06' ? { ...d, kind: 'workday' as const } : d));
    expect(noticeFromRows(rowsOf(worked)).errors).toEqual(['2027-02-06 (春节 Spring Festival) is a statutory day off by the regulation but not a holiday row in the file']);
  });

  it('takes a notice for a year before the rule as it is', () => {
    const result = noticeFromRows([{ rowNo: 2, values: { date: '2024-10-01', kind: 'holiday', name: '国庆节' } }]);
    expect(result.notice).toEqual({ year: 2024, days: [{ date: '2024-10-01', kind: 'holiday', name: '国庆节' }] });
  });
});

describe('applyNotice', () => {
  const notice = { year: 2027, days: [...STATUTORY_2027, ...BRIDGE] };

  it('changes only the days after `after`, and publishes the year', () => {
    const before = cnMainlandCalendar([], { computeYears: { from: 2026, to: 2028 } });
    expect(before.isBusinessDay('2027-02-09')).toBe(true);
    const after = applyNotice(before, notice, '2027-01-15');
    expect(after.isPublished(2027)).toBe(true);
    expect(after.isBusinessDay('2027-02-09')).toBe(false);
    expect(after.isBusinessDay('2027-02-20')).toBe(true);
    expect(after.isBusinessDay('2028-01-26')).toBe(false); // other years untouched
    expect(before.isBusinessDay('2027-02-09')).toBe(true); // a new calendar, the old one unchanged
  });

  it('leaves days up to `after` as they were', () => {
    const before = cnMainlandCalendar([], { computeYears: { from: 2027, to: 2027 } });
    const lived = applyNotice(before, { year: 2027, days: [{ date: '2027-01-04', kind: 'holiday', name: '元旦 bridged' }] }, '2027-01-04');
    expect(lived.isBusinessDay('2027-01-04')).toBe(true);
    expect(lived.isBusinessDay('2027-01-01')).toBe(false); // kept from before, though not in that notice
    expect(lived.isBusinessDay('2027-02-08')).toBe(true); // a later rule day (a Monday) the notice does not list is gone
  });
});

describe('provisional years', () => {
  const cal = cnMainlandCalendar();

  it('says published, provisional or plain week', () => {
    expect([2024, 2025, 2026, 2027, 2100, 2101].map((y) => calendarYearStatus(cal, y))).toEqual([
      'plain-week', 'published', 'published', 'provisional', 'provisional', 'plain-week',
    ]);
  });

  it('finds the years a run month and its grace reach', () => {
    expect(yearsReached('2026-06', 60)).toEqual([2026]);
    expect(yearsReached('2026-11', 60)).toEqual([2026, 2027]); // 30 November + 60 days is 29 January 2027
    expect(yearsReached('2026-10', 60)).toEqual([2026]); // 31 October + 60 is 30 December
    expect(yearsReached('2027-01', 60)).toEqual([2027]);
  });

  it('warns in one line when a run reaches a provisional year', () => {
    expect(provisionalRunWarning(cal, '2026-10', 60)).toBeUndefined();
    const warning = provisionalRunWarning(cal, '2026-11', 60);
    expect(warning).toBe(
      'warning: the business calendar for 2027 is provisional (statutory holidays by rule, no make-up workdays until the State Council notice is loaded): run month 2026-11 and its 60-day grace reach it; see renewals calendar show 2027',
    );
    expect(provisionalRunWarning(cnMainlandCalendar([], { noticeYears: [2027] }), '2026-11', 60)).toBeUndefined();
  });
});
