import { addDays, dayOfWeek, daysBetween, isCivilDate, type CivilDate } from './civil-date';
import {
  CN_MAINLAND_CALENDAR_DAYS,
  CN_MAINLAND_PUBLISHED_YEARS,
  STATUTORY_RULE_FROM,
  STATUTORY_RULE_TO,
  statutoryHolidays,
} from './calendars/cn-mainland';

/** A day that differs from the plain Monday–Friday week: a day off, or a weekend day worked (调休). */
export interface CalendarDay {
  date: CivilDate;
  kind: 'holiday' | 'workday';
  name: string;
}

/** The calendar as a plain object: workflow arguments and results travel as JSON. */
export interface BusinessCalendarJSON {
  days: CalendarDay[];
  publishedYears: number[];
}

/**
 * Working days of one jurisdiction. Days without a row follow the plain week, which is also all we
 * know about a year whose schedule is not published yet: `isPublished` lets callers say so.
 */
export class BusinessCalendar {
  private readonly days = new Map<CivilDate, CalendarDay>();
  private readonly published: readonly number[];

  /** Later rows for the same date win, so operator rows appended after the built-in data override it. */
  constructor(days: readonly CalendarDay[], publishedYears: readonly number[]) {
    for (const day of validDays(days, 'calendar day')) this.days.set(day.date, day);
    if (!Array.isArray(publishedYears)) {
      throw new RangeError(`publishedYears must be an array, got ${JSON.stringify(publishedYears)}`);
    }
    publishedYears.forEach((year: unknown, index) => {
      if (!Number.isInteger(year) || (year as number) < 1 || (year as number) > 9999) {
        throw new RangeError(`publishedYears[${index}] is not a year: ${JSON.stringify(year)}`);
      }
    });
    this.published = [...new Set(publishedYears)].sort((a, b) => a - b);
  }

  static fromJSON(json: unknown): BusinessCalendar {
    if (typeof json !== 'object' || json === null) {
      throw new RangeError(`not a business calendar: ${JSON.stringify(json)}`);
    }
    const { days, publishedYears } = json as Partial<BusinessCalendarJSON>;
    return new BusinessCalendar(days as CalendarDay[], publishedYears as number[]);
  }

  toJSON(): BusinessCalendarJSON {
    const days = [...this.days.values()].sort((a, b) => (a.date < b.date ? -1 : 1)).map((day) => ({ ...day }));
    return { days, publishedYears: [...this.published] };
  }

  isPublished(year: number): boolean {
    return this.published.includes(year);
  }

  /** The row for a date, if any: why a date is or is not a business day, for reports and audit. */
  entry(date: CivilDate): CalendarDay | undefined {
    const day = this.days.get(date);
    return day && { ...day };
  }

  isBusinessDay(date: CivilDate): boolean {
    const weekday = dayOfWeek(date); // validates the date, even when a row exists
    const day = this.days.get(date);
    if (day) return day.kind === 'workday';
    return weekday !== 0 && weekday !== 6;
  }

  /** The date itself if a business day, else the next one: where a debit due on a day off moves. */
  nextBusinessDay(date: CivilDate): CivilDate {
    return this.roll(date, 1);
  }

  /** The date itself if a business day, else the one before (for the one strictly before: addBusinessDays(date, -1)). */
  previousBusinessDay(date: CivilDate): CivilDate {
    return this.roll(date, -1);
  }

  /**
   * The n-th business day after (n > 0) or before (n < 0) the date, stepping day by day and counting
   * business days only, so Saturday + 1 is Monday. n = 0 gives nextBusinessDay(date).
   */
  addBusinessDays(date: CivilDate, n: number): CivilDate {
    if (!Number.isInteger(n)) throw new RangeError(`business days must be a whole number, got ${n}`);
    if (n === 0) return this.nextBusinessDay(date);
    const step = Math.sign(n);
    let current = date;
    for (let left = Math.abs(n); left > 0; ) {
      current = addDays(current, step);
      if (this.isBusinessDay(current)) left -= 1;
    }
    return current;
  }

  /**
   * Business days stepped over from `from` to `to`: `to` counts, `from` does not; negative when `to`
   * is earlier. So addBusinessDays(from, businessDaysBetween(from, to)) is `to` for any business day `to`.
   */
  businessDaysBetween(from: CivilDate, to: CivilDate): number {
    const span = daysBetween(from, to); // validates both dates
    const step = span < 0 ? -1 : 1;
    let count = 0;
    let current = from;
    for (let i = 0; i < Math.abs(span); i += 1) {
      current = addDays(current, step);
      if (this.isBusinessDay(current)) count += 1;
    }
    return step * count;
  }

  private roll(date: CivilDate, step: 1 | -1): CivilDate {
    let current = date;
    while (!this.isBusinessDay(current)) current = addDays(current, step);
    return current;
  }
}

/** Checks rows that may come from JSON or an operator's table, naming the offending one. */
function validDays(days: unknown, what: string): CalendarDay[] {
  if (!Array.isArray(days)) throw new RangeError(`${what}s must be an array, got ${JSON.stringify(days)}`);
  return days.map((day: unknown, index) => {
    const where = `${what} ${index}`;
    if (typeof day !== 'object' || day === null) throw new RangeError(`${where} is not an object: ${JSON.stringify(day)}`);
    const { date, kind, name } = day as Record<string, unknown>;
    if (!isCivilDate(date)) throw new RangeError(`${where} has a bad date: ${JSON.stringify(date)}`);
    if (kind !== 'holiday' && kind !== 'workday') {
      throw new RangeError(`${where} (${date}) has a bad kind: ${JSON.stringify(kind)}, expected "holiday" or "workday"`);
    }
    if (typeof name !== 'string' || name.trim() === '') {
      throw new RangeError(`${where} (${date}) has no name: ${JSON.stringify(name)}`);
    }
    return { date, kind, name };
  });
}

/**
 * Mainland banks run batch collection (批量代扣) on the same working days as everyone else: the
 * payment systems follow the State Council schedule, make-up weekend days included. So a debit
 * due on a day off goes to the bank on the next business day, and no separate bank calendar is kept.
 */
export function bankCollectionDate(calendar: BusinessCalendar, date: CivilDate): CivilDate {
  return calendar.nextBusinessDay(date);
}

/** Where the mainland calendar's years come from besides the built-in notices. */
export interface CalendarSources {
  /** Years whose State Council notice was loaded: published, their rows (in `extra`) replace the year whole. */
  noticeYears?: readonly number[];
  /** Years to fill by the statutory rule when not published (default: every year the rule covers). */
  computeYears?: { from: number; to: number };
}

/**
 * The mainland calendar: the built-in notices, the statutory days by rule for every year without a
 * notice (provisional), then `extra` — the rows loaded into the database: imported notices and the
 * operator's rows, which win on the same date (docs/business-rules.md#business-calendar).
 */
export function cnMainlandCalendar(extra: readonly CalendarDay[] = [], sources: CalendarSources = {}): BusinessCalendar {
  validDays(extra, 'extra calendar day'); // so an error names the operator's row, not its place after the built-in ones
  const noticeYears = sources.noticeYears ?? [];
  const published = [...new Set([...CN_MAINLAND_PUBLISHED_YEARS, ...noticeYears])];
  const yearOf = (day: CalendarDay) => Number(day.date.slice(0, 4));
  const builtIn = CN_MAINLAND_CALENDAR_DAYS.filter((day) => !noticeYears.includes(yearOf(day)));
  const from = Math.max(sources.computeYears?.from ?? STATUTORY_RULE_FROM, STATUTORY_RULE_FROM);
  const to = Math.min(sources.computeYears?.to ?? STATUTORY_RULE_TO, STATUTORY_RULE_TO);
  const computed: CalendarDay[] = [];
  for (let year = from; year <= to; year += 1) if (!published.includes(year)) computed.push(...statutoryHolidays(year));
  return new BusinessCalendar([...builtIn, ...computed, ...extra], published);
}

/**
 * The years a cycle's calendar covers, around its due date: reminders before it, the grace period and
 * the lapse letters after it fit well inside. The cycle keeps these rows for its whole life (its
 * history holds them), so only what it can use travels in its payload.
 */
export function cycleCalendarYears(dueDate: CivilDate): { from: number; to: number } {
  dayOfWeek(dueDate); // validates
  const year = Number(dueDate.slice(0, 4));
  return { from: year - 1, to: year + 1 };
}

/**
 * What a cycle keeps of the calendar (docs/architecture.md#what-a-cycles-history-holds): the version
 * of the calendar it opened with and, of its rows, only those from `from` to `to`, as bare dates.
 * Days outside the span follow the plain week; the span is wide enough that no date a cycle computes
 * falls outside it (cycleCalendarSpan). The names of the days stay in the calendar (`calendar show`).
 */
export interface CalendarSpan {
  /** Content hash of the whole calendar the rows were taken from (built-in, notices, operator rows). */
  version: string;
  from: CivilDate;
  to: CivilDate;
  /** Rows of kind holiday in the span (weekday or not, as the calendar has them). */
  holidays: CivilDate[];
  /** Make-up workdays (调休) in the span. */
  workdays: CivilDate[];
  publishedYears: number[];
}

/**
 * The days a cycle can need: from the earlier of D-90 (the earliest reminder a plan allows) and the
 * day it opens (an extra debit is dated from today), to 150 days after its last grace day (lapse
 * letters, a late return's remedy days, the return window) and at least 150 days after it opens.
 */
export function cycleCalendarSpan(dueDate: CivilDate, graceDays: number, openedOn: CivilDate): { from: CivilDate; to: CivilDate } {
  const from = addDays(dueDate, -90) < openedOn ? addDays(dueDate, -90) : openedOn;
  const byGrace = addDays(dueDate, graceDays + 150);
  const byOpening = addDays(openedOn, 150);
  return { from, to: byGrace > byOpening ? byGrace : byOpening };
}

/** The rows of `calendar` from `from` to `to` with the calendar's version. */
export function calendarSpan(calendar: BusinessCalendar, version: string, from: CivilDate, to: CivilDate): CalendarSpan {
  const { days, publishedYears } = calendar.toJSON();
  const inSpan = days.filter((d) => d.date >= from && d.date <= to);
  return {
    version,
    from,
    to,
    holidays: inSpan.filter((d) => d.kind === 'holiday').map((d) => d.date),
    workdays: inSpan.filter((d) => d.kind === 'workday').map((d) => d.date),
    publishedYears,
  };
}

/** The calendar a cycle works with from its span; each row is named by its kind and the version. */
export function calendarOfSpan(span: CalendarSpan): BusinessCalendar {
  const name = (kind: string) => `${kind} (calendar ${span.version})`;
  return new BusinessCalendar(
    [...span.holidays.map((date) => ({ date, kind: 'holiday' as const, name: name('day off') })), ...span.workdays.map((date) => ({ date, kind: 'workday' as const, name: name('make-up workday') }))],
    span.publishedYears,
  );
}

/** A calendar as a cycle's opening answer carries it: whole (cycles opened before the lean result) or its span. */
export function isCalendarSpan(json: BusinessCalendarJSON | CalendarSpan): json is CalendarSpan {
  return typeof (json as CalendarSpan).version === 'string';
}
