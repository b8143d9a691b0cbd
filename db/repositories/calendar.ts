import type { Knex } from 'knex';
import type { CalendarDay } from '../../domain/business-calendar';
import type { CalendarNotice } from '../../domain/calendar-notice';

/** A row of the `business_calendar` table: a loaded notice's day or an operator's. */
export interface StoredCalendarDay extends CalendarDay {
  source: 'notice' | 'operator';
}

/** What the mainland calendar takes from the database: the stored rows and the years whose notice is loaded. */
export interface CalendarSourcesRows {
  rows: StoredCalendarDay[];
  noticeYears: number[];
}

export async function loadCalendarSources(db: Knex): Promise<CalendarSourcesRows> {
  // Both in one round trip: every contact step renders its notice from them (docs/architecture.md#hot-paths).
  const result = await db.raw<{ rows: { days: StoredCalendarDay[]; years: number[] }[] }>(
    `SELECT
       (SELECT coalesce(json_agg(json_build_object('date', day, 'kind', kind, 'name', name, 'source', source) ORDER BY day), '[]') FROM business_calendar) AS days,
       (SELECT coalesce(json_agg(year ORDER BY year), '[]') FROM calendar_notices) AS years`,
  );
  const { days, years } = result.rows[0]!;
  return { rows: days, noticeYears: years };
}

export interface NoticeRecord {
  year: number;
  source: string;
  holidays: number;
  workdays: number;
  sha256: string;
  importedBy: string;
  importedAt: Date;
}

export async function loadNotice(db: Knex, year: number): Promise<NoticeRecord | undefined> {
  const row = await db('calendar_notices')
    .where({ year })
    .first<{ year: number; source: string; holidays: number; workdays: number; sha256: string; imported_by: string; imported_at: Date } | undefined>();
  return row && { year: row.year, source: row.source, holidays: row.holidays, workdays: row.workdays, sha256: row.sha256, importedBy: row.imported_by, importedAt: row.imported_at };
}

/**
 * Replaces a year whole in the caller's transaction: every stored row of the year goes (the notice
 * lists all its days off and make-up workdays), the notice's rows come in, and the year is recorded as
 * published. Returns how many stored rows of the year were replaced.
 */
export async function replaceCalendarYear(trx: Knex.Transaction, notice: CalendarNotice, record: { source: string; sha256: string; importedBy: string }): Promise<number> {
  const replaced = await trx('business_calendar').whereBetween('day', [`${notice.year}-01-01`, `${notice.year}-12-31`]).delete();
  if (notice.days.length > 0) {
    await trx('business_calendar').insert(notice.days.map((d) => ({ day: d.date, kind: d.kind, name: d.name, source: 'notice' })));
  }
  const holidays = notice.days.filter((d) => d.kind === 'holiday').length;
  await trx('calendar_notices')
    .insert({ year: notice.year, source: record.source, holidays, workdays: notice.days.length - holidays, sha256: record.sha256, imported_by: record.importedBy, imported_at: trx.fn.now() })
    .onConflict('year')
    .merge();
  return replaced;
}

/** An open cycle's premium: what `calendar check` and the notice signal look at (no personal data). */
export interface OpenCycleSpan {
  policyNo: string;
  dueDate: string;
  graceDays: number;
  workflowId: string;
}

/**
 * Premiums still due whose cycle has opened, with their grace; limited to those whose due date to
 * end of grace touches `year` when given. Keyset-free: one row per open cycle, a few numbers each.
 */
export async function openCycleSpans(db: Knex, year?: number): Promise<OpenCycleSpan[]> {
  const query = db('premium_dues as d')
    .join('policies as p', 'p.policy_no', 'd.policy_no')
    .join('products as r', 'r.code', 'p.product_code')
    .where('d.status', 'due')
    .whereNotNull('d.workflow_id');
  if (year !== undefined) {
    query.where('d.due_date', '<=', `${year}-12-31`).whereRaw(`d.due_date + r.grace_days >= ?::date`, [`${year}-01-01`]);
  }
  const rows = await query
    .orderBy([{ column: 'd.due_date' }, { column: 'd.policy_no' }])
    .select<{ policy_no: string; due_date: string; grace_days: number; workflow_id: string }[]>('d.policy_no', 'd.due_date', 'r.grace_days', 'd.workflow_id');
  return rows.map((r) => ({ policyNo: r.policy_no, dueDate: r.due_date, graceDays: r.grace_days, workflowId: r.workflow_id }));
}

/** The open cycles' years: from each due date to the end of its grace, with how many cycles reach each. */
export async function openCycleYears(db: Knex): Promise<{ year: number; cycles: number }[]> {
  const rows = await db.raw<{ rows: { year: number; cycles: number }[] }>(`
    SELECT y AS year, count(*)::int AS cycles
    FROM premium_dues d
    JOIN policies p ON p.policy_no = d.policy_no
    JOIN products r ON r.code = p.product_code
    CROSS JOIN LATERAL generate_series(extract(year FROM d.due_date)::int, extract(year FROM d.due_date + r.grace_days)::int) AS y
    WHERE d.status = 'due' AND d.workflow_id IS NOT NULL
    GROUP BY y ORDER BY y`);
  return rows.rows;
}
