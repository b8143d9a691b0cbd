/**
 * The monthly run's contract with clients: input, the `progress` query, `pause` / `resume` signals
 * and the schedule's names. IDs and counts only, nothing personal.
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { Month } from '../domain/months';
import type { DueCursor, MonthlyRunCounts } from '../domain/monthly-run';

/**
 * The monthly run's Temporal priority: 1, the highest (cycles keep the default, 3). The run shares a
 * task queue with the cycles it starts; without it, its next page and its first workflow task after
 * each continue-as-new waited behind thousands of queued cycle openings (docs/architecture.md#monthly-run).
 * Its activities and each continue-as-new inherit it.
 */
export const MONTHLY_RUN_PRIORITY = { priorityKey: 1 } as const;

/** One run per month: starting it again finds the same workflow. */
export function monthlyRunWorkflowId(month: Month): string {
  return `monthly-run-${month}`;
}

export interface MonthlyRunInput {
  month: Month;
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
  month: Month;
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
  month: Month;
  workflowId: string;
  /** False when the month's run already existed: the schedule firing twice starts one run. */
  started: boolean;
}

export const MONTHLY_SCHEDULE_ID = 'renewals-monthly-run';
export const MONTHLY_SCHEDULE_TIME_ZONE = 'Asia/Shanghai';
