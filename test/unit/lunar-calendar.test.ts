import { describe, expect, it } from 'vitest';
import { LUNAR_FIRST_YEAR, LUNAR_LAST_YEAR, LUNAR_YEARS } from '../../domain/calendars/lunar-years';
import { addDays, daysBetween } from '../../domain/civil-date';
import { leapMonthOf, lunarNewYear, lunarNewYearsEve, lunarToGregorian, lunarYearDays, qingmingDate } from '../../domain/lunar-calendar';

// Festival dates as almanacs print them, written out here rather than derived from the table.
const SPRING_FESTIVAL: [year: number, date: string][] = [
  [1950, '1950-02-17'], [1976, '1976-01-31'], [1985, '1985-02-20'], [1996, '1996-02-19'], [2000, '2000-02-05'],
  [2008, '2008-02-07'], [2012, '2012-01-23'], [2020, '2020-01-25'], [2023, '2023-01-22'], [2024, '2024-02-10'],
  [2025, '2025-01-29'], [2026, '2026-02-17'], [2027, '2027-02-06'], [2028, '2028-01-26'], [2029, '2029-02-13'],
  [2030, '2030-02-03'], [2031, '2031-01-23'], [2033, '2033-01-31'], [2034, '2034-02-19'], [2050, '2050-01-23'],
  [2100, '2100-02-09'],
];
const DRAGON_BOAT: [year: number, date: string][] = [
  [2020, '2020-06-25'], [2023, '2023-06-22'], [2024, '2024-06-10'], [2025, '2025-05-31'], [2026, '2026-06-19'],
  [2027, '2027-06-09'], [2028, '2028-05-28'], [2029, '2029-06-16'], [2030, '2030-06-05'],
];
const MID_AUTUMN: [year: number, date: string][] = [
  [2020, '2020-10-01'], [2023, '2023-09-29'], [2024, '2024-09-17'], [2025, '2025-10-06'], [2026, '2026-09-25'],
  [2027, '2027-09-15'], [2028, '2028-10-03'], [2029, '2029-09-22'], [2030, '2030-09-12'], [2031, '2031-10-01'],
];
// Leap months (闰月) as almanacs list them, 2033's disputed 11th month included.
const LEAP_MONTHS: [year: number, month: number][] = [
  [2017, 6], [2020, 4], [2023, 2], [2025, 6], [2028, 5], [2031, 3], [2033, 11], [2036, 6],
];
// The Qingming solar term, 1950–2100, one digit a year: 4 or 5 April (from an astronomical almanac).
const QINGMING =
  '5555555555555555555555555545554555455545554555455545554555445544554455445544554455445544554445444544454445444544454445444544444444444444444444444444445';

describe('lunar calendar table', () => {
  it('covers 1950–2100, each entry a new-year date, a leap month and 12 or 13 month lengths', () => {
    expect([LUNAR_FIRST_YEAR, LUNAR_LAST_YEAR, LUNAR_YEARS.length]).toEqual([1950, 2100, 151]);
    for (const [i, entry] of LUNAR_YEARS.entries()) {
      const year = LUNAR_FIRST_YEAR + i;
      expect(entry, String(year)).toMatch(/^(01|02)\d\d(0\d|1[0-2])[01]{12,13}$/);
      expect(entry.length === 19, String(year)).toBe(leapMonthOf(year) !== 0);
      expect(lunarNewYear(year) >= `${year}-01-21` && lunarNewYear(year) <= `${year}-02-20`, String(year)).toBe(true);
    }
  });

  it('ends each lunar year the day before the next one begins', () => {
    for (let year = LUNAR_FIRST_YEAR; year < LUNAR_LAST_YEAR; year += 1) {
      expect(daysBetween(lunarNewYear(year), lunarNewYear(year + 1)), String(year)).toBe(lunarYearDays(year));
      expect([353, 354, 355, 383, 384, 385], String(year)).toContain(lunarYearDays(year));
    }
  });

  it.each(SPRING_FESTIVAL)('Spring Festival %i is %s', (year, date) => {
    expect(lunarNewYear(year)).toBe(date);
    expect(lunarToGregorian(year, 1, 1)).toBe(date);
    expect(lunarNewYearsEve(year)).toBe(addDays(date, -1));
  });

  it.each(DRAGON_BOAT)('Dragon Boat %i (五月初五) is %s', (year, date) => {
    expect(lunarToGregorian(year, 5, 5)).toBe(date);
  });

  it.each(MID_AUTUMN)('Mid-Autumn %i (八月十五) is %s', (year, date) => {
    expect(lunarToGregorian(year, 8, 15)).toBe(date);
  });

  it.each(LEAP_MONTHS)('lunar year %i has leap month %i', (year, month) => {
    expect(leapMonthOf(year)).toBe(month);
  });

  it('counts the leap month after the month it repeats', () => {
    // 2025: 闰六月 follows 六月; 七月初一 comes after both.
    const june = lunarToGregorian(2025, 6, 1);
    const leapJune = lunarToGregorian(2025, 6, 1, true);
    const july = lunarToGregorian(2025, 7, 1);
    expect([june, leapJune, july]).toEqual(['2025-06-25', '2025-07-25', '2025-08-23']);
    // 除夕 2025 was 腊月二十九: the 12th month of lunar 2024 has 29 days, so no 三十 that year.
    expect(lunarToGregorian(2024, 12, 29)).toBe('2025-01-28');
    expect(() => lunarToGregorian(2024, 12, 30)).toThrow('lunar 2024-12-30: that month has 29 days');
  });

  it('refuses dates the lunar calendar does not have', () => {
    expect(() => lunarToGregorian(2027, 6, 1, true)).toThrow(new RangeError('lunar 2027-闰6-1: lunar year 2027 has no leap month 6'));
    expect(() => lunarToGregorian(2027, 13, 1)).toThrow('no month 13');
    expect(() => lunarToGregorian(2027, 1, 31)).toThrow('that month has');
    expect(() => lunarNewYear(1949)).toThrow(new RangeError('the lunar calendar covers 1950–2100, not 1949'));
    expect(() => lunarNewYear(2101)).toThrow(RangeError);
  });
});

describe('Qingming solar term', () => {
  it('is 4 or 5 April as the almanac has it, every year 1950–2100', () => {
    for (let year = 1950; year <= 2100; year += 1) {
      expect(qingmingDate(year), String(year)).toBe(`${year}-04-0${QINGMING[year - 1950]}`);
    }
  });

  it.each([
    [2024, '2024-04-04'], [2025, '2025-04-04'], [2026, '2026-04-05'], [2027, '2027-04-05'], [2028, '2028-04-04'],
  ])('Qingming %i is %s', (year, date) => {
    expect(qingmingDate(year)).toBe(date);
  });

  it('refuses years outside 1900–2198', () => {
    expect(() => qingmingDate(1899)).toThrow(new RangeError('Qingming is computed for 1900–2198, not 1899'));
  });
});
