/**
 * ISO 8601 weeks 'YYYY-Www' (docs/business-rules.md#weekly-report): Monday to Sunday, week 1 being the
 * week that holds the year's first Thursday (so 4 January is always in week 1). A year has 53 weeks
 * when it starts on a Thursday, or on a Wednesday in a leap year. The one place week arithmetic is done.
 */
import { addDays, dayOfWeek, isCivilDate, type CivilDate } from './civil-date';

/** An ISO week 'YYYY-Www', e.g. '2027-W01'. */
export type IsoWeek = string;

const WEEK = /^(\d{4})-W(\d{2})$/;

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** 52 or 53. */
export function weeksInYear(year: number): 52 | 53 {
  if (!Number.isInteger(year) || year < 1 || year > 9999) throw new RangeError(`year must be 1 to 9999, got ${year}`);
  const jan1 = dayOfWeek(`${pad(year, 4)}-01-01`);
  return jan1 === 4 || (jan1 === 3 && isLeap(year)) ? 53 : 52;
}

/** Monday of week 1: the Monday on or before 4 January. */
function mondayOfWeekOne(year: number): CivilDate {
  const jan4 = `${pad(year, 4)}-01-04`;
  return addDays(jan4, -((dayOfWeek(jan4) + 6) % 7));
}

export function isIsoWeek(value: unknown): value is IsoWeek {
  if (typeof value !== 'string') return false;
  const match = WEEK.exec(value);
  if (!match) return false;
  const year = Number(match[1]);
  const week = Number(match[2]);
  return year >= 1 && week >= 1 && week <= weeksInYear(year);
}

/** The week's Monday (first) and Sunday (last), civil dates in Asia/Shanghai. */
export function weekDays(week: IsoWeek): { first: CivilDate; last: CivilDate } {
  if (!isIsoWeek(week)) throw new RangeError(`not an ISO week (YYYY-Www): ${JSON.stringify(week)}`);
  const [year, n] = week.split('-W').map(Number) as [number, number];
  const first = addDays(mondayOfWeekOne(year), (n - 1) * 7);
  return { first, last: addDays(first, 6) };
}

/** The ISO week a date falls in; 1 January can be in the previous year's last week, 31 December in the next year's week 1. */
export function isoWeekOf(date: CivilDate): IsoWeek {
  if (!isCivilDate(date)) throw new RangeError(`not a date (YYYY-MM-DD): ${JSON.stringify(date)}`);
  // The week's Thursday decides its year.
  const thursday = addDays(date, 3 - ((dayOfWeek(date) + 6) % 7));
  const year = Number(thursday.slice(0, 4));
  const week = Math.round((Date.parse(`${thursday}T00:00:00Z`) - Date.parse(`${mondayOfWeekOne(year)}T00:00:00Z`)) / 86_400_000 / 7) + 1;
  return `${pad(year, 4)}-W${pad(week, 2)}`;
}

/** The week `weeks` after (before, when negative) the given one. */
export function addWeeks(week: IsoWeek, weeks: number): IsoWeek {
  return isoWeekOf(addDays(weekDays(week).first, weeks * 7));
}
