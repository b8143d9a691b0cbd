import { addDays, type CivilDate } from './civil-date';
import { LUNAR_FIRST_YEAR, LUNAR_LAST_YEAR, LUNAR_YEARS } from './calendars/lunar-years';

/**
 * Lunar (农历) dates to Gregorian ones, and the Qingming solar term: what the statutory holiday rule
 * needs (docs/business-rules.md#business-calendar). Pure arithmetic over the table in
 * domain/calendars/lunar-years.ts, so it runs anywhere, the workflow sandbox included.
 */

interface LunarYear {
  newYear: CivilDate;
  leapMonth: number; // 0: none
  monthDays: number[]; // in order, leap month in its place
}

function lunarYear(year: number): LunarYear {
  if (!Number.isInteger(year) || year < LUNAR_FIRST_YEAR || year > LUNAR_LAST_YEAR) {
    throw new RangeError(`the lunar calendar covers ${LUNAR_FIRST_YEAR}–${LUNAR_LAST_YEAR}, not ${year}`);
  }
  const entry = LUNAR_YEARS[year - LUNAR_FIRST_YEAR]!;
  const newYear = `${year}-${entry.slice(0, 2)}-${entry.slice(2, 4)}`;
  const leapMonth = Number(entry.slice(4, 6));
  const monthDays = [...entry.slice(6)].map((bit) => (bit === '1' ? 30 : 29));
  return { newYear, leapMonth, monthDays };
}

/** 正月初一 of the lunar year that begins in Gregorian `year` (always between 21 January and 20 February). */
export function lunarNewYear(year: number): CivilDate {
  return lunarYear(year).newYear;
}

/** Days in a lunar year: 353–355, or 383–385 with a leap month. */
export function lunarYearDays(year: number): number {
  return lunarYear(year).monthDays.reduce((sum, days) => sum + days, 0);
}

/** The leap month of a lunar year, or 0 when it has none. */
export function leapMonthOf(year: number): number {
  return lunarYear(year).leapMonth;
}

/**
 * The Gregorian date of a lunar date: `year` is the lunar year (the one whose new year falls in that
 * Gregorian year), `month` 1–12, `day` 1–30, `leap` for the leap month of that number.
 */
export function lunarToGregorian(year: number, month: number, day: number, leap = false): CivilDate {
  const { newYear, leapMonth, monthDays } = lunarYear(year);
  const where = `lunar ${year}-${leap ? '闰' : ''}${month}-${day}`;
  if (!Number.isInteger(month) || month < 1 || month > 12) throw new RangeError(`${where}: no month ${month}`);
  if (leap && leapMonth !== month) throw new RangeError(`${where}: lunar year ${year} has no leap month ${month}`);
  // Months before this one: its number minus one, plus the leap month when it comes earlier (or is this one).
  const index = month - 1 + (leapMonth !== 0 && (month > leapMonth || (leap && month === leapMonth)) ? 1 : 0);
  const length = monthDays[index]!;
  if (!Number.isInteger(day) || day < 1 || day > length) throw new RangeError(`${where}: that month has ${length} days`);
  const before = monthDays.slice(0, index).reduce((sum, days) => sum + days, 0);
  return addDays(newYear, before + day - 1);
}

/** 除夕, the last day of the lunar year that ends in Gregorian `year`: the day before that year's new year. */
export function lunarNewYearsEve(year: number): CivilDate {
  return addDays(lunarNewYear(year), -1);
}

// The Qingming solar term (清明, the sun at 15° ecliptic longitude) moves by a mean tropical year each
// year. Counted from 4 April 2000 00:00 Beijing time, it falls at QINGMING_2000 + TROPICAL_YEAR × (year −
// 2000) days to within half an hour from 1900 to 2198; its date is the day that instant falls on.
const TROPICAL_YEAR = 365.242189;
const QINGMING_2000 = 0.8094;
const QINGMING_FROM = '2000-04-04';

/** The date of the Qingming solar term in Beijing, 4 or 5 April (1900–2198). */
export function qingmingDate(year: number): CivilDate {
  if (!Number.isInteger(year) || year < 1900 || year > 2198) throw new RangeError(`Qingming is computed for 1900–2198, not ${year}`);
  return addDays(QINGMING_FROM, Math.floor(QINGMING_2000 + TROPICAL_YEAR * (year - 2000)));
}
