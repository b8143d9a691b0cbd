import { basename } from 'node:path';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Knex } from 'knex';
import { cnMainlandCalendar, type BusinessCalendar } from '../domain/business-calendar';
import { CN_MAINLAND_CALENDAR_DAYS } from '../domain/calendars/cn-mainland';
import { calendarYearStatus, NOTICE_COLUMNS, noticeFromRows, yearsReached, type CalendarNotice, type CalendarYearStatus, type NoticeRow } from '../domain/calendar-notice';
import { dayOfWeek, shanghaiDate } from '../domain/civil-date';
import { addMonths, monthOf, type Month } from '../domain/months';
import { appendAudit } from '../db/repositories/audit';
import { loadCalendarSources, loadNotice, openCycleSpans, openCycleYears, replaceCalendarYear } from '../db/repositories/calendar';
import { calendarChangedSignal } from '../workflows/messages';
import { CsvFile, ImportFileError } from '../integrations/import/csv-rows';
import { OperatorError } from './errors';

/**
 * The business calendar for operators (docs/business-rules.md#business-calendar): a year as the cycles
 * see it, loading a State Council notice, and the provisional years in use.
 */

/** Where a row of the calendar comes from. */
export type CalendarRowSource = 'rule' | 'built-in notice' | 'notice' | 'operator';

export interface CalendarYearRow {
  date: string;
  weekday: string;
  kind: 'holiday' | 'workday';
  name: string;
  source: CalendarRowSource;
}

export interface CalendarYearView {
  year: number;
  status: CalendarYearStatus;
  /** Where the year's schedule comes from: the notice loaded (and when, by whom), the built-in notice, or the rule. */
  source: string;
  holidays: number;
  workdays: number;
  days: CalendarYearRow[];
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;

/** The mainland calendar as the database completes it: what a cycle opening now would get. */
export async function loadBusinessCalendar(db: Knex): Promise<BusinessCalendar> {
  const { rows, noticeYears } = await loadCalendarSources(db);
  return cnMainlandCalendar(rows, { noticeYears });
}

export function parseYear(text: string): number {
  const year = Number(text);
  if (!/^\d{4}$/.test(text) || year < 1950 || year > 2100) throw new OperatorError(`year must be 1950–2100, got "${text}"`, true);
  return year;
}

export async function calendarYear(db: Knex, year: number): Promise<CalendarYearView> {
  const { rows, noticeYears } = await loadCalendarSources(db);
  const calendar = cnMainlandCalendar(rows, { noticeYears });
  const stored = new Map(rows.map((r) => [r.date, r.source]));
  const builtIn = new Set(noticeYears.includes(year) ? [] : CN_MAINLAND_CALENDAR_DAYS.map((d) => d.date));
  const days: CalendarYearRow[] = calendar
    .toJSON()
    .days.filter((d) => d.date.startsWith(`${year}-`))
    .map((d) => ({
      date: d.date,
      weekday: WEEKDAYS[dayOfWeek(d.date)]!,
      kind: d.kind,
      name: d.name,
      source: stored.get(d.date) ?? (builtIn.has(d.date) ? 'built-in notice' : 'rule'),
    }));
  const status = calendarYearStatus(calendar, year);
  const notice = await loadNotice(db, year);
  const source = notice
    ? `notice ${notice.source}, imported ${notice.importedAt.toISOString()} by ${notice.importedBy}`
    : status === 'published'
      ? 'built-in State Council notice'
      : status === 'provisional'
        ? 'rule: 全国年节及纪念日放假办法 (2024); make-up workdays wait for the State Council notice'
        : 'plain week: before 2025 or after 2100 no rule is applied';
  const holidays = days.filter((d) => d.kind === 'holiday').length;
  return { year, status, source, holidays, workdays: days.length - holidays, days };
}

export interface ImportedNotice {
  year: number;
  /** Open cycles whose due date to end of grace touches the year, told by the calendarChanged signal. */
  cyclesSignalled: number;
  /** Of those, cycles Temporal no longer runs (ended since): nothing to tell. */
  cyclesNotRunning: number;
  holidays: number;
  workdays: number;
  /** Stored rows of the year the notice replaced (an earlier notice's, an operator's). */
  replaced: number;
  sha256: string;
  source: string;
}

/** Reads and checks a notice file; every error names its row and field, and nothing is loaded when any. */
export async function readNoticeFile(file: string): Promise<{ notice: CalendarNotice; sha256: string }> {
  const csv = new CsvFile(file, NOTICE_COLUMNS);
  const rows: NoticeRow[] = [];
  try {
    for await (const row of csv.rows()) {
      if (!row.problem && Object.values(row.values).every((v) => v.trim() === '')) continue; // a blank line
      rows.push(row);
    }
  } catch (error) {
    if (error instanceof ImportFileError) throw new OperatorError(`${basename(file)}: ${error.message}`);
    throw error;
  }
  const result = noticeFromRows(rows);
  if (!result.notice) {
    const shown = result.errors.slice(0, 20);
    const more = result.errors.length > shown.length ? `; and ${result.errors.length - shown.length} more` : '';
    throw new OperatorError(`${basename(file)}: nothing loaded: ${shown.join('; ')}${more}`);
  }
  return { notice: result.notice, sha256: csv.sha256 };
}

/**
 * Loads a year's notice: the year's stored rows are replaced whole, the notice is recorded and the
 * audit row written, all in one transaction.
 */
export async function importCalendarNotice(
  db: Knex,
  file: string,
  options: { operator: string; source?: string; temporal: <T>(work: (client: Client) => Promise<T>) => Promise<T> },
): Promise<ImportedNotice> {
  const { notice, sha256 } = await readNoticeFile(file);
  const source = (options.source ?? basename(file)).slice(0, 200);
  const holidays = notice.days.filter((d) => d.kind === 'holiday').length;
  const replaced = await db.transaction(async (trx) => {
    const count = await replaceCalendarYear(trx, notice, { source, sha256, importedBy: options.operator });
    await appendAudit(trx, {
      kind: 'calendar_notice_imported',
      actor: options.operator,
      detail: { operator: options.operator, year: notice.year, source, holidays, workdays: notice.days.length - holidays, replaced: count, sha256 },
    });
    return count;
  });
  let told: { cyclesSignalled: number; cyclesNotRunning: number };
  try {
    told = await tellRunningCycles(db, notice, options.temporal);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new OperatorError(`the ${notice.year} notice is loaded, but open cycles were not told (${why}): import the file again to tell them`);
  }
  return { year: notice.year, ...told, holidays, workdays: notice.days.length - holidays, replaced, sha256, source };
}

/** Signals sent at once: enough to keep the server busy without a burst of thousands. */
const SIGNALS_IN_FLIGHT = 16;

/**
 * Sends the notice to every open cycle whose due date to end of grace touches its year (the cycle
 * applies it to the days after its today, docs/business-rules.md#business-calendar). Temporal is
 * reached only when there is such a cycle. Sending again is harmless: a cycle applies the same notice
 * to the same effect.
 */
export async function tellRunningCycles(
  db: Knex,
  notice: CalendarNotice,
  temporal: <T>(work: (client: Client) => Promise<T>) => Promise<T>,
): Promise<{ cyclesSignalled: number; cyclesNotRunning: number }> {
  const cycles = await openCycleSpans(db, notice.year);
  if (cycles.length === 0) return { cyclesSignalled: 0, cyclesNotRunning: 0 };
  return temporal(async (client) => {
    let signalled = 0;
    let notRunning = 0;
    for (let i = 0; i < cycles.length; i += SIGNALS_IN_FLIGHT) {
      await Promise.all(
        cycles.slice(i, i + SIGNALS_IN_FLIGHT).map(async ({ workflowId }) => {
          try {
            await client.workflow.getHandle(workflowId).signal(calendarChangedSignal, notice);
            signalled += 1;
          } catch (error) {
            if (!(error instanceof WorkflowNotFoundError)) throw error;
            notRunning += 1;
          }
        }),
      );
    }
    return { cyclesSignalled: signalled, cyclesNotRunning: notRunning };
  });
}

export interface ProvisionalYear {
  year: number;
  /** Open cycles whose due date to end of grace reaches the year. */
  cycles: number;
  /** Run months (this month and next) whose premiums' grace reaches the year. */
  runMonths: Month[];
}

/** Run months `calendar check` looks ahead to: this month and the next, as the monthly schedule starts them. */
export function upcomingRunMonths(now: number): Month[] {
  const month = monthOf(shanghaiDate(now));
  return [month, addMonths(month, 1)];
}

/** The provisional years in use: by open cycles, and by this and next month's runs with their grace. */
export async function provisionalYearsInUse(db: Knex, now: number, graceDays = 60): Promise<ProvisionalYear[]> {
  const calendar = await loadBusinessCalendar(db);
  const byYear = new Map<number, ProvisionalYear>();
  const entry = (year: number) => {
    let found = byYear.get(year);
    if (!found) byYear.set(year, (found = { year, cycles: 0, runMonths: [] }));
    return found;
  };
  for (const { year, cycles } of await openCycleYears(db)) entry(year).cycles += cycles;
  for (const month of upcomingRunMonths(now)) for (const year of yearsReached(month, graceDays)) entry(year).runMonths.push(month);
  return [...byYear.values()].filter((y) => calendarYearStatus(calendar, y.year) === 'provisional').sort((a, b) => a.year - b.year);
}
