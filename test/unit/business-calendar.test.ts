import { describe, expect, it } from 'vitest';
import { BusinessCalendar, bankCollectionDate, cnMainlandCalendar, cycleCalendarYears, type CalendarDay } from '../../domain/business-calendar';
import { CN_MAINLAND_CALENDAR_DAYS, CN_MAINLAND_PUBLISHED_YEARS, statutoryHolidays } from '../../domain/calendars/cn-mainland';
import { addDays, dayOfWeek } from '../../domain/civil-date';

// Transcribed separately from the State Council notices for 2025 and 2026, so the data is checked
// against a second copy rather than against itself.
const DAYS_OFF: [from: string, to: string, festival: string][] = [
  ['2025-01-01', '2025-01-01', '元旦'],
  ['2025-01-28', '2025-02-04', '春节'],
  ['2025-04-04', '2025-04-06', '清明节'],
  ['2025-05-01', '2025-05-05', '劳动节'],
  ['2025-05-31', '2025-06-02', '端午节'],
  ['2025-10-01', '2025-10-08', '国庆节、中秋节'],
  ['2026-01-01', '2026-01-03', '元旦'],
  ['2026-02-15', '2026-02-23', '春节'],
  ['2026-04-04', '2026-04-06', '清明节'],
  ['2026-05-01', '2026-05-05', '劳动节'],
  ['2026-06-19', '2026-06-21', '端午节'],
  ['2026-09-25', '2026-09-27', '中秋节'],
  ['2026-10-01', '2026-10-07', '国庆节'],
];
const MAKE_UP_WORKDAYS: [date: string, weekday: 'Saturday' | 'Sunday', festival: string][] = [
  ['2025-01-26', 'Sunday', '春节'],
  ['2025-02-08', 'Saturday', '春节'],
  ['2025-04-27', 'Sunday', '劳动节'],
  ['2025-09-28', 'Sunday', '国庆节、中秋节'],
  ['2025-10-11', 'Saturday', '国庆节、中秋节'],
  ['2026-01-04', 'Sunday', '元旦'],
  ['2026-02-14', 'Saturday', '春节'],
  ['2026-02-28', 'Saturday', '春节'],
  ['2026-05-09', 'Saturday', '劳动节'],
  ['2026-09-20', 'Sunday', '国庆节'],
  ['2026-10-10', 'Saturday', '国庆节'],
];

function span(from: string, to: string): string[] {
  const dates: string[] = [];
  for (let date = from; date <= to; date = addDays(date, 1)) dates.push(date);
  return dates;
}

const HOLIDAYS: [date: string, festival: string][] = DAYS_OFF.flatMap(([from, to, festival]) =>
  span(from, to).map((date): [string, string] => [date, festival]),
);
const YEARS_2025_2026 = span('2025-01-01', '2026-12-31');

const cal = cnMainlandCalendar();
// A Tuesday after Spring Festival 2027: a day off only if the 2027 notice bridges to it, not by rule.
const bridge2027: CalendarDay = { date: '2027-02-09', kind: 'holiday', name: '春节 Spring Festival (operator row)' };
const COMPUTED_2027_2100 = Array.from({ length: 74 }, (_, i) => statutoryHolidays(2027 + i).length).reduce((a, b) => a + b, 0);

describe('mainland calendar data (2025, 2026)', () => {
  it('holds exactly the notices’ days off and make-up workdays, once each', () => {
    const rows = (kind: CalendarDay['kind']) => CN_MAINLAND_CALENDAR_DAYS.filter((d) => d.kind === kind).map((d) => d.date);
    expect(rows('holiday').sort()).toEqual(HOLIDAYS.map(([date]) => date));
    expect(rows('workday').sort()).toEqual(MAKE_UP_WORKDAYS.map(([date]) => date));
    expect(new Set(CN_MAINLAND_CALENDAR_DAYS.map((d) => d.date)).size).toBe(CN_MAINLAND_CALENDAR_DAYS.length);
    expect(HOLIDAYS).toHaveLength(61);
  });

  it('is published for 2025 and 2026 only', () => {
    expect(CN_MAINLAND_PUBLISHED_YEARS).toEqual([2025, 2026]);
    expect(CN_MAINLAND_CALENDAR_DAYS.every((d) => /^202[56]-/.test(d.date))).toBe(true);
    expect([2024, 2025, 2026, 2027, 2028].map((y) => cal.isPublished(y))).toEqual([false, true, true, false, false]);
  });

  it.each(HOLIDAYS)('%s is a day off (%s)', (date, festival) => {
    expect(cal.isBusinessDay(date)).toBe(false);
    expect(cal.entry(date)).toEqual({ date, kind: 'holiday', name: expect.stringMatching(new RegExp(`^${festival} `)) });
  });

  it.each(MAKE_UP_WORKDAYS)('%s (a %s) is a make-up workday (%s调休)', (date, weekday, festival) => {
    expect(dayOfWeek(date)).toBe(weekday === 'Sunday' ? 0 : 6);
    expect(cal.isBusinessDay(date)).toBe(true);
    expect(cal.entry(date)).toEqual({ date, kind: 'workday', name: expect.stringMatching(new RegExp(`^${festival}调休 .*make-up workday$`)) });
  });

  it('follows the plain week on every other day of 2025 and 2026', () => {
    const listed = new Set(CN_MAINLAND_CALENDAR_DAYS.map((d) => d.date));
    const unlisted = YEARS_2025_2026.filter((date) => !listed.has(date));
    expect(unlisted).toHaveLength(730 - 72);
    for (const date of unlisted) expect(cal.isBusinessDay(date), date).toBe(dayOfWeek(date) % 6 !== 0);
  });

  it('has 248 working days in each of 2025 and 2026', () => {
    expect(cal.businessDaysBetween('2024-12-31', '2025-12-31')).toBe(248);
    expect(cal.businessDaysBetween('2025-12-31', '2026-12-31')).toBe(248);
  });
});

describe('business days', () => {
  it.each([
    ['2025-03-03', 'Monday', true],
    ['2025-03-07', 'Friday', true],
    ['2025-03-08', 'Saturday', false],
    ['2025-03-09', 'Sunday', false],
    ['2026-11-23', 'Monday', true],
    ['2026-11-28', 'Saturday', false],
    ['2026-11-29', 'Sunday', false],
    ['2026-12-31', 'Thursday', true],
    ['2025-02-01', 'Saturday inside the Spring Festival block', false],
  ] as const)('%s (%s): business day %s', (date, _what, expected) => {
    expect(cal.isBusinessDay(date)).toBe(expected);
  });

  it.each([
    ['2025-01-27', '2025-01-27', 'the last day before the Spring Festival is itself'],
    ['2025-01-28', '2025-02-05', 'Spring Festival 2025, first day'],
    ['2025-02-04', '2025-02-05', 'Spring Festival 2025, last day'],
    ['2026-02-15', '2026-02-24', 'Spring Festival 2026'],
    ['2026-02-21', '2026-02-24', 'Spring Festival 2026, a Saturday inside it'],
    ['2025-10-01', '2025-10-09', 'National Day and Mid-Autumn 2025'],
    ['2026-10-01', '2026-10-08', 'National Day 2026'],
    ['2026-09-25', '2026-09-28', 'Mid-Autumn 2026'],
    ['2026-01-01', '2026-01-04', 'New Year 2026: to the make-up Sunday'],
  ])('nextBusinessDay(%s) is %s (%s)', (date, expected) => {
    expect(cal.nextBusinessDay(date)).toBe(expected);
  });

  it.each([
    ['2025-02-04', '2025-01-27'],
    ['2026-02-23', '2026-02-14'], // back to the make-up Saturday, not Friday the 13th
    ['2025-10-08', '2025-09-30'],
    ['2026-10-07', '2026-09-30'],
    ['2026-03-08', '2026-03-06'],
    ['2026-03-06', '2026-03-06'],
  ])('previousBusinessDay(%s) is %s', (date, expected) => {
    expect(cal.previousBusinessDay(date)).toBe(expected);
  });

  it.each([
    ['2026-03-07', '2026-03-09', 'Saturday'],
    ['2026-03-08', '2026-03-09', 'Sunday'],
    ['2026-10-10', '2026-10-10', 'make-up Saturday, a business day'],
    ['2025-02-08', '2025-02-08', 'make-up Saturday, a business day'],
    ['2025-01-26', '2025-01-26', 'make-up Sunday, a business day'],
    ['2026-03-10', '2026-03-10', 'ordinary Tuesday'],
    ['2025-05-31', '2025-06-03', 'month end on the Dragon Boat Festival'],
    ['2026-01-31', '2026-02-02', 'month end on a Saturday'],
    ['2025-11-30', '2025-12-01', 'month end on a Sunday'],
    ['2026-02-28', '2026-02-28', 'month end on a make-up Saturday'],
    ['2025-12-31', '2025-12-31', 'year end on a Wednesday'],
    ['2026-12-31', '2026-12-31', 'year end on a Thursday'],
  ])('a debit due %s goes to the bank on %s (%s)', (due, expected) => {
    expect(bankCollectionDate(cal, due)).toBe(expected);
  });

  it('collects on the next business day for every due date of 2025 and 2026', () => {
    for (const date of YEARS_2025_2026) expect(bankCollectionDate(cal, date)).toBe(cal.nextBusinessDay(date));
  });

  it('follows the statutory days and the plain week in a provisional year, 29 February 2028 included', () => {
    expect(cal.isPublished(2028)).toBe(false);
    expect(cal.isBusinessDay('2028-01-25')).toBe(false); // 除夕 2028, a Tuesday
    expect(cal.nextBusinessDay('2028-01-25')).toBe('2028-01-31'); // the four days end on Friday 28 January
    expect(cal.isBusinessDay('2028-01-31')).toBe(true);
    expect(cal.isBusinessDay('2028-02-29')).toBe(true); // Tuesday
    expect(cal.isBusinessDay('2028-02-26')).toBe(false); // Saturday
    expect(cal.nextBusinessDay('2028-02-26')).toBe('2028-02-28');
    expect(cal.addBusinessDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(cal.addBusinessDays('2028-02-29', 1)).toBe('2028-03-01');
    expect(cal.previousBusinessDay('2027-03-07')).toBe('2027-03-05');
  });

  it('falls back to weekends only before the amended rule (2024 and earlier)', () => {
    expect(cal.isPublished(2024)).toBe(false);
    expect(cal.isBusinessDay('2024-10-01')).toBe(true); // National Day 2024: no rows, as before
    expect(cal.toJSON().days.some((d) => d.date < '2025-01-01')).toBe(false);
  });
});

describe('statutory holidays by rule (provisional years)', () => {
  const dates = (year: number) => statutoryHolidays(year).map((d) => d.date);

  it('gives the 13 days of the regulation for 2027, Spring Festival 5–8 February', () => {
    expect(statutoryHolidays(2027).map((d) => `${d.date} ${d.name.split(' ')[0]}`)).toEqual([
      '2027-01-01 元旦',
      '2027-02-05 春节', '2027-02-06 春节', '2027-02-07 春节', '2027-02-08 春节',
      '2027-04-05 清明节',
      '2027-05-01 劳动节', '2027-05-02 劳动节',
      '2027-06-09 端午节',
      '2027-09-15 中秋节',
      '2027-10-01 国庆节', '2027-10-02 国庆节', '2027-10-03 国庆节',
    ]);
    expect(statutoryHolidays(2027).every((d) => d.kind === 'holiday')).toBe(true);
  });

  it('agrees with the 2025 and 2026 notices: every day the rule gives is a day off there', () => {
    const off = new Set(HOLIDAYS.map(([date]) => date));
    for (const year of [2025, 2026]) for (const date of dates(year)) expect(off.has(date), date).toBe(true);
  });

  it('has 13 days every year, one fewer when Mid-Autumn falls on 1–3 October', () => {
    for (let year = 2025; year <= 2100; year += 1) {
      const all = dates(year);
      const shared = all.filter((d) => statutoryHolidays(year).find((x) => x.date === d)!.name.startsWith('国庆节、中秋节'));
      expect(new Set(all).size, String(year)).toBe(all.length);
      expect(all.length + shared.length, String(year)).toBe(13);
      expect(all.every((d) => d.startsWith(`${year}-`)), String(year)).toBe(true);
    }
    expect(statutoryHolidays(2028).find((d) => d.date === '2028-10-03')?.name).toBe('国庆节、中秋节 National Day and Mid-Autumn Festival');
  });

  it('is in the calendar for unpublished years from 2027 on, and not for published ones', () => {
    expect(cal.isPublished(2027)).toBe(false);
    for (const date of dates(2027)) expect(cal.entry(date)?.kind, date).toBe('holiday');
    expect(cal.nextBusinessDay('2027-02-05')).toBe('2027-02-09');
    expect(cal.isBusinessDay('2027-02-09')).toBe(true); // bridging waits for the notice
    expect(cal.isBusinessDay('2026-06-20')).toBe(false); // the 2026 notice, not the rule: 端午 bridged to Sunday
    expect(cal.entry('2100-10-03')?.name).toMatch(/^国庆节 /);
  });

  it('is refused outside 2025–2100', () => {
    expect(() => statutoryHolidays(2024)).toThrow(new RangeError('statutory holidays are computed for 2025–2100, not 2024'));
    expect(() => statutoryHolidays(2101)).toThrow(RangeError);
  });

  it('can be limited to the years a cycle needs', () => {
    const narrow = cnMainlandCalendar([], { computeYears: { from: 2027, to: 2027 } });
    expect(narrow.toJSON().days).toHaveLength(72 + 13);
    expect(narrow.isBusinessDay('2027-02-08')).toBe(false);
    expect(narrow.isBusinessDay('2028-01-26')).toBe(true); // 2028 left out: the plain week
  });
});

describe('loaded notices', () => {
  const notice2027: CalendarDay[] = [
    { date: '2027-02-05', kind: 'holiday', name: '春节 Spring Festival' },
    { date: '2027-02-09', kind: 'holiday', name: '春节 Spring Festival' },
    { date: '2027-02-20', kind: 'workday', name: '春节调休 Spring Festival make-up workday' },
  ];

  it('publish the year and replace its rule days whole', () => {
    const withNotice = cnMainlandCalendar(notice2027, { noticeYears: [2027] });
    expect(withNotice.isPublished(2027)).toBe(true);
    expect(withNotice.isBusinessDay('2027-02-08')).toBe(true); // the rule's day, not in this notice
    expect(withNotice.isBusinessDay('2027-02-09')).toBe(false);
    expect(withNotice.isBusinessDay('2027-02-20')).toBe(true); // a make-up Saturday
    expect(withNotice.toJSON().days.filter((d) => d.date.startsWith('2027-'))).toEqual(notice2027);
    expect(withNotice.isBusinessDay('2028-01-26')).toBe(false); // later years still by rule
  });

  it('replace a built-in year too', () => {
    const redo = cnMainlandCalendar([{ date: '2026-10-01', kind: 'holiday', name: '国庆节 National Day' }], { noticeYears: [2026] });
    expect(redo.toJSON().days.filter((d) => d.date.startsWith('2026-'))).toHaveLength(1);
    expect(redo.isBusinessDay('2026-02-16')).toBe(true);
    expect(redo.isBusinessDay('2025-01-28')).toBe(false);
  });
});

describe('addBusinessDays and businessDaysBetween', () => {
  it.each([
    ['2025-01-27', 1, '2025-02-05'],
    ['2026-02-13', 1, '2026-02-14'],
    ['2026-02-13', 2, '2026-02-24'],
    ['2026-09-30', 1, '2026-10-08'],
    ['2026-09-30', 3, '2026-10-10'],
    ['2026-09-30', 4, '2026-10-12'],
    ['2025-12-31', 1, '2026-01-04'],
    ['2026-03-07', 1, '2026-03-09'], // Saturday + 1 is Monday
    ['2026-03-10', 0, '2026-03-10'],
    ['2026-03-07', 0, '2026-03-09'],
    ['2025-10-03', 0, '2025-10-09'],
    ['2025-02-05', -1, '2025-01-27'],
    ['2026-02-24', -1, '2026-02-14'],
    ['2026-02-24', -2, '2026-02-13'],
    ['2026-03-07', -1, '2026-03-06'],
    ['2026-01-05', -2, '2025-12-31'],
  ])('addBusinessDays(%s, %i) is %s', (date, n, expected) => {
    expect(cal.addBusinessDays(date, n)).toBe(expected);
  });

  it.each([
    ['2026-03-10', '2026-03-10', 0],
    ['2026-02-13', '2026-02-24', 2],
    ['2026-02-24', '2026-02-13', -2],
    ['2026-03-07', '2026-03-09', 1],
    ['2026-03-09', '2026-03-14', 4],
    ['2025-09-30', '2025-10-11', 3],
    ['2026-02-15', '2026-02-22', 0],
  ])('businessDaysBetween(%s, %s) is %i', (from, to, expected) => {
    expect(cal.businessDaysBetween(from, to)).toBe(expected);
  });

  it('counts back to where addBusinessDays went, from any day of 2026', () => {
    for (const from of span('2026-01-01', '2026-12-31')) {
      for (const n of [-7, -2, -1, 1, 2, 7]) {
        expect(cal.businessDaysBetween(from, cal.addBusinessDays(from, n)), `${from} ${n}`).toBe(n);
      }
    }
  });
});

describe('operator rows', () => {
  it('add a day off in an unpublished year without marking the year published', () => {
    const withRow = cnMainlandCalendar([bridge2027]);
    expect(withRow.isBusinessDay('2027-02-09')).toBe(false);
    expect(withRow.nextBusinessDay('2027-02-05')).toBe('2027-02-10');
    expect(withRow.addBusinessDays('2027-02-04', 1)).toBe('2027-02-10');
    expect(withRow.isPublished(2027)).toBe(false);
    expect(cal.isBusinessDay('2027-02-09')).toBe(true); // the shared default is untouched
  });

  it('win over the built-in data, and the last row for a date wins', () => {
    const withRows = cnMainlandCalendar([
      { date: '2026-10-07', kind: 'workday', name: 'operator: worked' },
      { date: '2026-12-27', kind: 'workday', name: 'operator: make-up Sunday' },
      { date: '2026-03-10', kind: 'holiday', name: 'operator: first' },
      { date: '2026-03-10', kind: 'workday', name: 'operator: second' },
    ]);
    expect(withRows.isBusinessDay('2026-10-07')).toBe(true);
    expect(withRows.nextBusinessDay('2026-10-01')).toBe('2026-10-07');
    expect(withRows.isBusinessDay('2026-12-27')).toBe(true);
    expect(withRows.entry('2026-03-10')?.name).toBe('operator: second');
    expect(cal.isBusinessDay('2026-10-07')).toBe(false);
  });

  it('build a calendar from rows alone, and cannot change it through the rows afterwards', () => {
    const rows: CalendarDay[] = [{ date: '2027-02-08', kind: 'holiday', name: 'operator day off' }];
    const own = new BusinessCalendar(rows, [2027, 2027]);
    rows[0]!.kind = 'workday';
    own.entry('2027-02-08')!.kind = 'workday';
    expect(own.isBusinessDay('2027-02-08')).toBe(false);
    expect(own.isPublished(2027)).toBe(true);
    expect(own.toJSON()).toEqual({ days: [{ date: '2027-02-08', kind: 'holiday', name: 'operator day off' }], publishedYears: [2027] });
  });
});

describe('JSON round trip', () => {
  it('travels as a plain object and decides every day the same way', () => {
    const withRow = cnMainlandCalendar([bridge2027, { date: '2026-10-07', kind: 'workday', name: 'operator: worked' }]);
    const json: unknown = JSON.parse(JSON.stringify(withRow));
    const back = BusinessCalendar.fromJSON(json);
    expect(back.toJSON()).toEqual(withRow.toJSON());
    expect(withRow.toJSON().days).toHaveLength(72 + COMPUTED_2027_2100 + 1); // the override replaces its built-in row
    for (const date of span('2025-01-01', '2027-12-31')) expect(back.isBusinessDay(date), date).toBe(withRow.isBusinessDay(date));
    expect([2025, 2026, 2027].map((y) => back.isPublished(y))).toEqual([true, true, false]);
  });

  it('lists rows in date order', () => {
    const dates = cnMainlandCalendar([bridge2027]).toJSON().days.map((d) => d.date);
    expect(dates).toEqual([...dates].sort());
    expect(dates.at(-1)).toBe('2100-10-03');
  });

  it('refuses what is not a calendar', () => {
    expect(() => BusinessCalendar.fromJSON(null)).toThrow(new RangeError('not a business calendar: null'));
    expect(() => BusinessCalendar.fromJSON({ publishedYears: [] })).toThrow('calendar days must be an array, got undefined');
    expect(() => BusinessCalendar.fromJSON({ days: [] })).toThrow('publishedYears must be an array, got undefined');
  });
});

describe('bad input', () => {
  const bad = (row: unknown) => [bridge2027, row] as CalendarDay[];

  it.each([
    [{ date: '2026-02-30', kind: 'holiday', name: 'x' }, 'calendar day 1 has a bad date: "2026-02-30"'],
    [{ date: '2026/10/01', kind: 'holiday', name: 'x' }, 'calendar day 1 has a bad date: "2026/10/01"'],
    [{ kind: 'holiday', name: 'x' }, 'calendar day 1 has a bad date: undefined'],
    [{ date: '2026-10-01', kind: 'rest', name: 'x' }, 'calendar day 1 (2026-10-01) has a bad kind: "rest", expected "holiday" or "workday"'],
    [{ date: '2026-10-01', kind: 'holiday', name: ' ' }, 'calendar day 1 (2026-10-01) has no name: " "'],
    [null, 'calendar day 1 is not an object: null'],
  ])('row %j is refused', (row, message) => {
    expect(() => new BusinessCalendar(bad(row), [])).toThrow(new RangeError(message));
  });

  it('names the operator row by its own index', () => {
    const rows = [bridge2027, { date: '2027-02-29', kind: 'holiday', name: 'x' }];
    expect(() => cnMainlandCalendar(rows as CalendarDay[])).toThrow(new RangeError('extra calendar day 1 has a bad date: "2027-02-29"'));
  });

  it('refuses years that are not years', () => {
    expect(() => new BusinessCalendar([], [2025, 2026.5])).toThrow(new RangeError('publishedYears[1] is not a year: 2026.5'));
    expect(() => new BusinessCalendar([], ['2027' as unknown as number])).toThrow('publishedYears[0] is not a year: "2027"');
  });

  it('refuses bad dates and fractional counts in queries', () => {
    expect(() => cal.isBusinessDay('2026-02-29')).toThrow('no such date: 2026-02-29');
    expect(() => cal.isBusinessDay('2026-10-01x')).toThrow('not a date');
    expect(() => cal.nextBusinessDay('tomorrow')).toThrow(RangeError);
    expect(() => cal.businessDaysBetween('2026-03-10', '2026-03-32')).toThrow('no such date: 2026-03-32');
    expect(() => cal.addBusinessDays('2026-03-10', 1.5)).toThrow(new RangeError('business days must be a whole number, got 1.5'));
  });
});

describe('cycleCalendarYears', () => {
  it('covers the due year and the years either side', () => {
    expect(cycleCalendarYears('2027-01-15')).toEqual({ from: 2026, to: 2028 });
    expect(() => cycleCalendarYears('2027-02-30')).toThrow('no such date');
  });
});
