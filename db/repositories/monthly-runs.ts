import type { Knex } from 'knex';
import type { CivilDate } from '../../domain/civil-date';
import { monthBounds, type Month } from '../../domain/months';
import type { DueCursor, MonthlyRunCounts } from '../../domain/monthly-run';

/** Policies whose premiums the monthly run starts cycles for (lapsed and terminated ones have none). */
const RUNNABLE_POLICY_STATUSES = ['in_force', 'grace'];

function duePremiumsOfMonth(db: Knex, month: Month): Knex.QueryBuilder {
  const { first, next } = monthBounds(month);
  return db('premium_dues as d')
    .join('policies as p', 'p.policy_no', 'd.policy_no')
    .where('d.status', 'due')
    .where('d.due_date', '>=', first)
    .where('d.due_date', '<', next)
    .whereIn('p.status', RUNNABLE_POLICY_STATUSES);
}

/**
 * The next page of the month's premiums still due, in (due_date, policy_no) order after the cursor:
 * keyset pagination, so a page costs the same at the end of the month as at its start.
 */
export async function duePremiumsPage(db: Knex, month: Month, after: DueCursor | undefined, limit: number): Promise<DuePremium[]> {
  const query = duePremiumsOfMonth(db, month);
  if (after) query.whereRaw('(d.due_date, d.policy_no) > (?::date, ?)', [after.dueDate, after.policyNo]);
  const rows = await query
    .orderBy([{ column: 'd.due_date' }, { column: 'd.policy_no' }])
    .limit(limit)
    .select<{ due_date: CivilDate; policy_no: string; branch_code: string; channel: string }[]>('d.due_date', 'd.policy_no', 'p.branch_code', 'p.channel');
  return rows.map((r) => ({ dueDate: r.due_date, policyNo: r.policy_no, branch: r.branch_code, channel: r.channel }));
}

/** A premium of the page, with its policy's branch and channel: its cycle starts with them set. */
export interface DuePremium extends DueCursor {
  branch: string;
  channel: string;
}

/** How many premiums the month's run will page through (the CLI's progress bar total). */
export async function countDuePremiums(db: Knex, month: Month): Promise<number> {
  const row = await duePremiumsOfMonth(db, month).count<{ count: string }[]>('* as count').first();
  return Number(row?.count ?? 0);
}

export type MonthlyRunStatus = 'running' | 'paused' | 'completed' | 'cancelled';

export interface MonthlyRunRow {
  month: Month;
  workflowId: string;
  status: MonthlyRunStatus;
  found: number;
  started: number;
  existing: number;
  pages: number;
  cursor?: DueCursor;
  startedAt: Date;
  finishedAt: Date | null;
}

/**
 * A run begins (or begins again: a re-run counts afresh what it finds, a retried activity writes
 * the same row again).
 */
export async function openMonthlyRun(db: Knex, month: Month, workflowId: string): Promise<void> {
  const fresh = {
    workflow_id: workflowId,
    status: 'running',
    premiums_found: 0,
    cycles_started: 0,
    cycles_existing: 0,
    pages: 0,
    cursor_due_date: null,
    cursor_policy_no: null,
    started_at: db.fn.now(),
    finished_at: null,
    updated_at: db.fn.now(),
  };
  await db('monthly_runs')
    .insert({ month, ...fresh })
    .onConflict('month')
    .merge(fresh);
}

/**
 * Counts and cursor after a page. Counts only grow within a run, so a late or repeated write (a
 * retried activity, the workflow's own write after a cancelled page recorded its part) never
 * takes them back.
 */
export async function recordMonthlyRunProgress(db: Knex, month: Month, counts: MonthlyRunCounts, cursor: DueCursor | undefined): Promise<void> {
  await db('monthly_runs')
    .where({ month })
    .update({
      premiums_found: db.raw('greatest(premiums_found, ?)', [counts.found]),
      cycles_started: db.raw('greatest(cycles_started, ?)', [counts.started]),
      cycles_existing: db.raw('greatest(cycles_existing, ?)', [counts.existing]),
      pages: db.raw('greatest(pages, ?)', [counts.pages]),
      ...(cursor ? { cursor_due_date: cursor.dueDate, cursor_policy_no: cursor.policyNo } : {}),
      updated_at: db.fn.now(),
    });
}

/** Paused / running again / completed / cancelled; a finished run gets its finishing time. */
export async function setMonthlyRunStatus(db: Knex, month: Month, status: MonthlyRunStatus): Promise<void> {
  const finished = status === 'completed' || status === 'cancelled';
  await db('monthly_runs')
    .where({ month })
    .update({ status, updated_at: db.fn.now(), ...(finished ? { finished_at: db.fn.now() } : {}) });
}

export async function findMonthlyRun(db: Knex, month: Month): Promise<MonthlyRunRow | undefined> {
  const row = await db('monthly_runs').where({ month }).first<
    | {
        month: string;
        workflow_id: string;
        status: MonthlyRunStatus;
        premiums_found: number;
        cycles_started: number;
        cycles_existing: number;
        pages: number;
        cursor_due_date: string | null;
        cursor_policy_no: string | null;
        started_at: Date;
        finished_at: Date | null;
      }
    | undefined
  >();
  if (!row) return undefined;
  return {
    month: row.month,
    workflowId: row.workflow_id,
    status: row.status,
    found: row.premiums_found,
    started: row.cycles_started,
    existing: row.cycles_existing,
    pages: row.pages,
    ...(row.cursor_due_date && row.cursor_policy_no ? { cursor: { dueDate: row.cursor_due_date, policyNo: row.cursor_policy_no } } : {}),
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  };
}
