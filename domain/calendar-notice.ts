import { BusinessCalendar, type CalendarDay } from './business-calendar';
import { STATUTORY_RULE_FROM, STATUTORY_RULE_TO, statutoryHolidays } from './calendars/cn-mainland';
import { addDays, dayOfWeek, isCivilDate, type CivilDate } from './civil-date';
import { firstDayOf, lastDayOf, type Month } from './months';

/**
 * A State Council holiday notice (国务院办公厅关于部分节假日安排的通知) as loaded by `renewals calendar
 * import`, and how a calendar takes it in (docs/business-rules.md#business-calendar).
 */
export interface CalendarNotice {
  year: number;
  days: CalendarDay[];
}

/** The columns of a notice file, in this order in the header. */
export const NOTICE_COLUMNS = ['date', 'kind', 'name'] as const;

/** Years a notice may be loaded for. */
export const NOTICE_YEARS = { from: 2000, to: STATUTORY_RULE_TO } as const;

/** One row as read from the file: its row number as a spreadsheet shows it (header = 1). */
export interface NoticeRow {
  rowNo: number;
  values: Partial<Record<string, string>>;
  problem?: string;
}

/**
 * Checks every row of a notice and the notice as a whole; returns the notice, or every error found,
 * each naming its row and field. A notice is one year's complete list: every day off (weekend days
 * inside a block included) and every make-up workday, so it replaces the year whole.
 */
export function noticeFromRows(rows: readonly NoticeRow[]): { notice: CalendarNotice; errors: [] } | { notice?: undefined; errors: string[] } {
  const errors: string[] = [];
  const days: CalendarDay[] = [];
  const seen = new Map<CivilDate, number>();
  let year: number | undefined;
  for (const { rowNo, values, problem } of rows) {
    const at = `row ${rowNo}`;
    if (problem) {
      errors.push(`${at}: ${problem}`);
      continue;
    }
    const date = (values.date ?? '').trim();
    const kind = (values.kind ?? '').trim();
    const name = (values.name ?? '').trim();
    let ok = true;
    if (!isCivilDate(date)) {
      errors.push(`${at}, date: ${JSON.stringify(date)} is not a date (YYYY-MM-DD)`);
      ok = false;
    }
    if (kind !== 'holiday' && kind !== 'workday') {
      errors.push(`${at}, kind: ${JSON.stringify(kind)} must be holiday or workday`);
      ok = false;
    }
    if (name === '' || name.length > 100) {
      errors.push(`${at}, name: ${name === '' ? 'empty' : 'longer than 100 characters'}: name the festival`);
      ok = false;
    }
    if (!ok) continue;
    const rowYear = Number(date.slice(0, 4));
    if (year === undefined) {
      year = rowYear;
      if (year < NOTICE_YEARS.from || year > NOTICE_YEARS.to) {
        errors.push(`${at}, date: ${date} is in ${year}; notices are loaded for ${NOTICE_YEARS.from}–${NOTICE_YEARS.to}`);
      }
    } else if (rowYear !== year) {
      errors.push(`${at}, date: ${date} is not in ${year}: a notice file holds one year (the year of its first row)`);
      continue;
    }
    const earlier = seen.get(date);
    if (earlier !== undefined) {
      errors.push(`${at}, date: ${date} is already on row ${earlier}`);
      continue;
    }
    seen.set(date, rowNo);
    const weekday = dayOfWeek(date);
    if (kind === 'workday' && weekday !== 0 && weekday !== 6) {
      errors.push(`${at}, kind: ${date} is a weekday; a make-up workday (调休) is a Saturday or Sunday worked`);
      continue;
    }
    days.push({ date, kind: kind as CalendarDay['kind'], name });
  }
  if (rows.length === 0) errors.push('the file has no rows: a notice lists the days off of one year');
  if (errors.length > 0) return { errors };
  // The regulation's days are days off whatever the notice bridges: a notice without one is not the notice.
  if (year! >= STATUTORY_RULE_FROM) {
    const off = new Set(days.filter((d) => d.kind === 'holiday').map((d) => d.date));
    for (const day of statutoryHolidays(year!)) {
      if (!off.has(day.date)) errors.push(`${day.date} (${day.name}) is a statutory day off by the regulation but not a holiday row in the file`);
    }
  }
  if (errors.length > 0) return { errors };
  return { notice: { year: year!, days: days.sort((a, b) => (a.date < b.date ? -1 : 1)) }, errors: [] };
}

/**
 * The calendar with a notice taken in for the days after `after` (a running cycle's today): the year's
 * later rows are replaced by the notice's, earlier days stay as the cycle lived them, and the year
 * becomes published.
 */
export function applyNotice(calendar: BusinessCalendar, notice: CalendarNotice, after: CivilDate): BusinessCalendar {
  const json = calendar.toJSON();
  const inYear = (day: CalendarDay) => day.date.startsWith(`${notice.year}-`);
  const kept = json.days.filter((day) => !(inYear(day) && day.date > after));
  const added = notice.days.filter((day) => inYear(day) && day.date > after);
  return new BusinessCalendar([...kept, ...added], [...json.publishedYears, notice.year]);
}

/** What a year of the mainland calendar is: published (a notice), provisional (the rule only), or plain week. */
export type CalendarYearStatus = 'published' | 'provisional' | 'plain-week';

export function calendarYearStatus(calendar: BusinessCalendar, year: number): CalendarYearStatus {
  if (calendar.isPublished(year)) return 'published';
  return year >= STATUTORY_RULE_FROM && year <= STATUTORY_RULE_TO ? 'provisional' : 'plain-week';
}

/** The grace the run warning looks ahead by: the statutory 60 days (docs/business-rules.md#business-calendar). */
export const RUN_GRACE_DAYS = 60;

/** The years from the first day of a due month to the last day of its grace period. */
export function yearsReached(month: Month, graceDays: number): number[] {
  return yearsBetween(firstDayOf(month), addDays(lastDayOf(month), graceDays));
}

/** The years from one date to another, both included. */
export function yearsBetween(from: CivilDate, to: CivilDate): number[] {
  const years: number[] = [];
  for (let year = Number(from.slice(0, 4)); year <= Number(to.slice(0, 4)); year += 1) years.push(year);
  return years;
}

/**
 * The one-line warning for a monthly run whose month or grace period (due month + grace days) reaches
 * a provisional year, or undefined when all its years are published.
 */
export function provisionalRunWarning(calendar: BusinessCalendar, month: Month, graceDays: number): string | undefined {
  const provisional = yearsReached(month, graceDays).filter((year) => calendarYearStatus(calendar, year) === 'provisional');
  if (provisional.length === 0) return undefined;
  return (
    `warning: the business calendar for ${provisional.join(', ')} is provisional (statutory holidays by rule, no make-up ` +
    `workdays until the State Council notice is loaded): run month ${month} and its ${graceDays}-day grace reach it; ` +
    `see renewals calendar show ${provisional[0]}`
  );
}
