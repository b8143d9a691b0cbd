/**
 * The monthly run's contract with clients: input, counts, the `progress` query, `pause` / `resume`
 * signals, and the month arithmetic both sides share. IDs and counts only, nothing personal.
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { CivilDate } from '../domain/civil-date';

/** A month to run, 'YYYY-MM' (the due month of the premiums it starts cycles for). */
export type RunMonth = string;

const RUN_MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

export function isRunMonth(value: unknown): value is RunMonth {
  return typeof value === 'string' && RUN_MONTH.test(value);
}

/** The month `months` after (or before, when negative) the given one. */
export function addMonths(month: RunMonth, months: number): RunMonth {
  const match = RUN_MONTH.exec(month);
  if (!match) throw new TypeError(`month must be YYYY-MM, got ${JSON.stringify(month)}`);
  const index = Number(match[1]) * 12 + Number(match[2]) - 1 + months;
  const year = Math.floor(index / 12);
  return `${String(year).padStart(4, '0')}-${String((index % 12) + 1).padStart(2, '0')}`;
}

/** First day of the month and first day of the next: the due dates the run covers are [first, next). */
export function monthBounds(month: RunMonth): { first: CivilDate; next: CivilDate } {
  return { first: `${month}-01`, next: `${addMonths(month, 1)}-01` };
}

/** One run per month: starting it again finds the same workflow. */
export function monthlyRunWorkflowId(month: RunMonth): string {
  return `monthly-run-${month}`;
}

/** Keyset position: the last premium whose cycle the run has dealt with. */
export interface DueCursor {
  dueDate: CivilDate;
  policyNo: string;
}

export interface MonthlyRunCounts {
  /** Premiums of the month still due (policy in force or in grace) that the run has paged through. */
  found: number;
  /** Cycles this run started. */
  started: number;
  /** Cycles that already existed (an earlier run, or started by hand). */
  existing: number;
  pages: number;
  /** Executions of the run so far (1 + continue-as-new count). */
  executions: number;
}

export const NO_COUNTS: MonthlyRunCounts = { found: 0, started: 0, existing: 0, pages: 0, executions: 1 };

export interface MonthlyRunInput {
  month: RunMonth;
  /** Premiums per page (per activity). */
  pageSize?: number;
  /** Cycle starts in flight at once within a page. */
  concurrency?: number;
  /** Pages per execution before the run continues as new (its history stays small). */
  pagesPerExecution?: number;
  cycleTaskQueue?: string;
  /** Carried across continue-as-new. */
  cursor?: DueCursor;
  counts?: MonthlyRunCounts;
  paused?: boolean;
}

export type MonthlyRunResult = MonthlyRunCounts;

export interface MonthlyRunProgress extends MonthlyRunCounts {
  month: RunMonth;
  paused: boolean;
  done: boolean;
  cursor?: DueCursor;
}

export const progressQuery = defineQuery<MonthlyRunProgress>('progress');
/** No new page starts while paused; the page under way finishes. */
export const pauseSignal = defineSignal<[]>('pause');
export const resumeSignal = defineSignal<[]>('resume');

/** What the Schedule passes to the workflow it starts each month. */
export interface ScheduledMonthlyRunInput {
  /** Months between the scheduled time and the due month run (default 1: next month's premiums). */
  leadMonths?: number;
  pageSize?: number;
  concurrency?: number;
  cycleTaskQueue?: string;
}

export interface ScheduledMonthlyRunResult {
  month: RunMonth;
  workflowId: string;
  /** False when the month's run already existed: the schedule firing twice starts one run. */
  started: boolean;
}

export const MONTHLY_SCHEDULE_ID = 'renewals-monthly-run';
export const MONTHLY_SCHEDULE_TIME_ZONE = 'Asia/Shanghai';
