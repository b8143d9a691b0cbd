/**
 * Calendar months 'YYYY-MM': the due month of a monthly run, the month a KPI is measured to, the
 * month a scenario is moved to. The one place month arithmetic is done.
 */
import { addDays, isCivilDate, type CivilDate } from './civil-date';

/** A calendar month 'YYYY-MM'. */
export type Month = string;

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

export function isMonth(value: unknown): value is Month {
  return typeof value === 'string' && MONTH.test(value);
}

function monthParts(month: Month): [number, number] {
  const match = MONTH.exec(month);
  if (!match) throw new RangeError(`not a month (YYYY-MM): ${JSON.stringify(month)}`);
  return [Number(match[1]), Number(match[2])];
}

export function monthOf(date: CivilDate): Month {
  if (!isCivilDate(date)) throw new RangeError(`not a date (YYYY-MM-DD): ${JSON.stringify(date)}`);
  return date.slice(0, 7);
}

/** The month `months` after (or before, when negative) the given one. */
export function addMonths(month: Month, months: number): Month {
  const [year, m] = monthParts(month);
  const index = year * 12 + (m - 1) + months;
  return `${String(Math.floor(index / 12)).padStart(4, '0')}-${String((index % 12) + 1).padStart(2, '0')}`;
}

export function firstDayOf(month: Month): CivilDate {
  monthParts(month);
  return `${month}-01`;
}

export function lastDayOf(month: Month): CivilDate {
  return addDays(firstDayOf(addMonths(month, 1)), -1);
}

/** Every day of the month, in order. */
export function daysOf(month: Month): CivilDate[] {
  const days: CivilDate[] = [];
  for (let day = firstDayOf(month); monthOf(day) === month; day = addDays(day, 1)) days.push(day);
  return days;
}

/** First day of the month and first day of the next: the due dates a month covers are [first, next). */
export function monthBounds(month: Month): { first: CivilDate; next: CivilDate } {
  return { first: firstDayOf(month), next: firstDayOf(addMonths(month, 1)) };
}
