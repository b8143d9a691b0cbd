import type { Knex } from 'knex';
import { MonthlyRunError, monthlyRunProgress, showMonthlySchedule, type MonthlyRunOptions, type MonthlyRunState, type MonthlySchedule, type MonthlyRunView } from '../application/monthly-runs';
import { countDuePremiums } from '../db/repositories/monthly-runs';
import { shanghaiDate } from '../domain/civil-date';
import { addMonths, monthOf, type Month } from '../domain/months';
import { mayRun } from '../domain/permissions';
import type { ConsoleSession } from './sessions';
import type { ConsoleTemporal } from './work-queue';

/**
 * The monthly runs page (docs/architecture.md#console): each month's run as `renewals run status`
 * reads it (application/monthly-runs.ts `monthlyRunProgress`), the schedule as `renewals schedule
 * show` reads it, and the total of the month's due premiums the CLI's `run start --wait` bar counts to.
 */

/** The permission-table entries the runs pages answer to (domain/permissions.ts). */
export const RUN_STATUS = 'run status';
export const RUN_START = 'run start';
export const RUN_PAUSE = 'run pause';
export const RUN_RESUME = 'run resume';
export const SCHEDULE_SHOW = 'schedule show';

/** The options the console starts a run with: the workers' queue (TASK_QUEUE); tests also use small pages. */
export type ConsoleRunOptions = Pick<MonthlyRunOptions, 'taskQueue' | 'cycleTaskQueue' | 'pageSize' | 'concurrency'>;

export function mayViewRuns(session: Pick<ConsoleSession, 'roles'>): boolean {
  return mayRun(session.roles, RUN_STATUS);
}

/** A run's state, or `not_started` for a month with no run in Temporal or the database. */
export type RunState = MonthlyRunState | 'not_started';

/** One month's figures: codes and counts only, nothing personal (the JSON of `/runs/:month/progress`). */
export interface RunFigures {
  month: Month;
  state: RunState;
  /** Premiums of the month the run has paged through (`premiumsFound`). */
  found: number;
  /** Cycles this run started (`cyclesStarted`). */
  started: number;
  /** Cycles that already existed (`cyclesExisting`). */
  existing: number;
  pages: number;
  /** The month's premiums still due (countDuePremiums, the CLI's progress bar total). */
  total: number;
}

/** Whether a run may still move: the page polls only then. */
export function isLive(state: RunState): boolean {
  return state === 'running' || state === 'paused';
}

function figuresOf(month: Month, view: MonthlyRunView | undefined, total: number): RunFigures {
  if (!view) return { month, state: 'not_started', found: 0, started: 0, existing: 0, pages: 0, total };
  return { month, state: view.status, found: view.found, started: view.started, existing: view.existing, pages: view.pages, total };
}

/** The month's figures: `monthlyRunProgress`, with a month that has no run shown as not started. */
export async function runFigures(db: Knex, temporal: ConsoleTemporal, month: Month): Promise<RunFigures> {
  const [view, total] = await Promise.all([
    monthlyRunProgress(temporal.client, db, month).catch((error: unknown) => {
      if (error instanceof MonthlyRunError && error.reason === 'not_found') return undefined;
      throw error;
    }),
    countDuePremiums(db, month),
  ]);
  return figuresOf(month, view, total);
}

/**
 * The months the runs page lists: last month, this month and the next two (the schedule runs the
 * month after it fires). The CLI has no list of runs, only `run status --month`, so the page asks the
 * same function for each of these; any other month opens from the page's month field.
 */
export function listedMonths(nowMs: number): Month[] {
  const current = monthOf(shanghaiDate(nowMs));
  return [-1, 0, 1, 2].map((n) => addMonths(current, n));
}

export interface RunsOverview {
  runs: RunFigures[];
  /** undefined: none installed; null: Temporal could not describe it (the rest of the page still shows). */
  schedule: MonthlySchedule | undefined | null;
}

export async function runsOverview(db: Knex, temporal: ConsoleTemporal, nowMs: number, withSchedule: boolean, onScheduleError: (error: unknown) => void): Promise<RunsOverview> {
  const runs = await Promise.all(listedMonths(nowMs).map((month) => runFigures(db, temporal, month)));
  if (!withSchedule) return { runs, schedule: undefined };
  try {
    return { runs, schedule: await showMonthlySchedule(temporal.client) };
  } catch (error) {
    onScheduleError(error);
    return { runs, schedule: null };
  }
}
