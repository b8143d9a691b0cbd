import {
  ScheduleOverlapPolicy,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  type Client,
  type ScheduleOptionsAction,
  type ScheduleSpec,
  type WorkflowExecutionStatusName,
  type WorkflowHandle,
} from '@temporalio/client';
import type { Knex } from 'knex';
import { appendAudit } from '../db/repositories/audit';
import { findMonthlyRun } from '../db/repositories/monthly-runs';
import { RENEWAL_TASK_QUEUE } from '../workflows/messages';
import { isMonth, type Month } from '../domain/months';
import { provisionalRunWarning, RUN_GRACE_DAYS } from '../domain/calendar-notice';
import { loadBusinessCalendar } from './calendar';
import { describeSchedule, installSchedule } from './schedules';
import type { DueCursor } from '../domain/monthly-run';
import {
  MONTHLY_RUN_PRIORITY,
  monthlyRunWorkflowId,
  MONTHLY_SCHEDULE_ID,
  MONTHLY_SCHEDULE_TIME_ZONE,
  pauseSignal,
  progressQuery,
  resumeSignal,
  type MonthlyRunInput,
  type MonthlyRunResult,
  type ScheduledMonthlyRunInput,
} from '../workflows/monthly-run-messages';
import type { monthlyRun, scheduledMonthlyRun } from '../workflows';

/** A request about a monthly run that cannot be met: a bad month, no such run, a run already over. */
export class MonthlyRunError extends Error {
  constructor(
    message: string,
    readonly reason: 'bad_month' | 'not_found' | 'not_running' | 'bad_option',
  ) {
    super(message);
    this.name = 'MonthlyRunError';
  }
}

function requireMonth(month: string): Month {
  if (!isMonth(month)) throw new MonthlyRunError(`month must be YYYY-MM (e.g. 2026-07), got ${JSON.stringify(month)}`, 'bad_month');
  return month;
}

export interface MonthlyRunOptions {
  /** Where the run itself runs (default: the renewals queue). */
  taskQueue?: string;
  /** Where the cycles it starts run (default: the renewals queue). */
  cycleTaskQueue?: string;
  pageSize?: number;
  concurrency?: number;
  pagesPerExecution?: number;
  /**
   * Run a month again although its run completed (premiums added since get their cycles; existing
   * cycles are counted, not restarted). Without it a completed run is returned as it is.
   */
  rerun?: boolean;
}

export interface StartedMonthlyRun {
  workflowId: string;
  handle: WorkflowHandle<typeof monthlyRun>;
  /** False when the month's run was already running (or had completed and `rerun` was not asked). */
  started: boolean;
  /** Set when this call started it: the first execution (the run continues as new from there). */
  firstExecutionRunId?: string;
  /** The run's final counts, once it completes (a cancelled run rejects). */
  result(): Promise<MonthlyRunResult>;
}

/**
 * Starts the month's run, or returns the one there: never two runs of a month at once. A cancelled
 * or failed run is started afresh (cycles it started count as existing).
 */
export async function startMonthlyRun(client: Client, month: string, options: MonthlyRunOptions = {}): Promise<StartedMonthlyRun> {
  const workflowId = monthlyRunWorkflowId(requireMonth(month));
  for (const key of ['pageSize', 'concurrency', 'pagesPerExecution'] as const) {
    const value = options[key];
    if (value !== undefined && (!Number.isInteger(value) || value < 1)) {
      throw new MonthlyRunError(`${key} must be a whole number of at least 1, got ${JSON.stringify(value)}`, 'bad_option');
    }
  }
  const input: MonthlyRunInput = {
    month,
    ...(options.pageSize ? { pageSize: options.pageSize } : {}),
    ...(options.concurrency ? { concurrency: options.concurrency } : {}),
    ...(options.pagesPerExecution ? { pagesPerExecution: options.pagesPerExecution } : {}),
    ...(options.cycleTaskQueue ? { cycleTaskQueue: options.cycleTaskQueue } : {}),
  };
  try {
    const handle = await client.workflow.start<typeof monthlyRun>('monthlyRun', {
      workflowId,
      taskQueue: options.taskQueue ?? RENEWAL_TASK_QUEUE,
      priority: MONTHLY_RUN_PRIORITY,
      args: [input],
      workflowIdReusePolicy: options.rerun ? 'ALLOW_DUPLICATE' : 'ALLOW_DUPLICATE_FAILED_ONLY',
    });
    return { workflowId, handle, started: true, firstExecutionRunId: handle.firstExecutionRunId, result: () => handle.result() };
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError) {
      const handle = client.workflow.getHandle<typeof monthlyRun>(workflowId);
      return { workflowId, handle, started: false, result: () => handle.result() };
    }
    throw error;
  }
}

export type MonthlyRunState = 'running' | 'paused' | 'completed' | 'cancelled' | 'failed' | 'terminated' | 'timed_out';

export interface MonthlyRunView {
  month: Month;
  workflowId: string;
  status: MonthlyRunState;
  found: number;
  started: number;
  existing: number;
  pages: number;
  cursor?: DueCursor;
  /** Where the figures come from: the running workflow, or the database once it has closed. */
  source: 'workflow' | 'database';
}

async function describeRun(client: Client, month: Month): Promise<WorkflowExecutionStatusName | undefined> {
  try {
    return (await client.workflow.getHandle(monthlyRunWorkflowId(month)).describe()).status.name;
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return undefined;
    throw error;
  }
}

function notFound(month: Month): MonthlyRunError {
  return new MonthlyRunError(`no monthly run for ${month}: start it with \`renewals run start --month ${month}\``, 'not_found');
}

/**
 * Where the month's run stands: asked of the workflow while it runs, read from the database once it
 * has closed (or when Temporal no longer keeps it).
 */
export async function monthlyRunProgress(client: Client, db: Knex | undefined, month: string): Promise<MonthlyRunView> {
  requireMonth(month);
  const workflowId = monthlyRunWorkflowId(month);
  const status = await describeRun(client, month);
  if (status === 'RUNNING') {
    const p = await client.workflow.getHandle(workflowId).query(progressQuery);
    return {
      month,
      workflowId,
      status: p.paused ? 'paused' : 'running',
      found: p.found,
      started: p.started,
      existing: p.existing,
      pages: p.pages,
      ...(p.cursor ? { cursor: p.cursor } : {}),
      source: 'workflow',
    };
  }
  const row = db ? await findMonthlyRun(db, month) : undefined;
  if (!status && !row) throw notFound(month);
  const closed = status ? (status.toLowerCase() as MonthlyRunState) : row!.status;
  if (!row) {
    // No database at hand: a completed run's result holds its counts.
    const counts = closed === 'completed' ? await client.workflow.getHandle<typeof monthlyRun>(workflowId).result() : undefined;
    return { month, workflowId, status: closed, found: counts?.found ?? 0, started: counts?.started ?? 0, existing: counts?.existing ?? 0, pages: counts?.pages ?? 0, source: 'workflow' };
  }
  return {
    month,
    workflowId,
    status: closed,
    found: row.found,
    started: row.started,
    existing: row.existing,
    pages: row.pages,
    ...(row.cursor ? { cursor: row.cursor } : {}),
    source: 'database',
  };
}

async function signalRunning(client: Client, month: string, signal: typeof pauseSignal, verb: string): Promise<void> {
  requireMonth(month);
  const status = await describeRun(client, month);
  if (!status) throw notFound(month);
  if (status !== 'RUNNING') {
    throw new MonthlyRunError(`the monthly run for ${month} is ${status.toLowerCase()}: only a running run can be ${verb}`, 'not_running');
  }
  await client.workflow.getHandle(monthlyRunWorkflowId(month)).signal(signal);
}

/**
 * Who started, paused or resumed a month's run: an audit row signed by the person (CLI or console),
 * written once Temporal took the request. A start that found the run already there says so.
 */
export async function auditRunAction(
  db: Knex,
  action: 'started' | 'paused' | 'resumed',
  run: { month: string; workflowId: string; startedNow?: boolean },
  actor: string,
): Promise<void> {
  await appendAudit(db, {
    kind: action === 'started' ? 'monthly_run_started' : action === 'paused' ? 'monthly_run_paused' : 'monthly_run_resumed',
    actor,
    workflowId: run.workflowId,
    detail: { month: run.month, ...(run.startedNow !== undefined ? { startedNow: run.startedNow } : {}) },
  });
}

/** No new page starts until resumed; the page under way finishes. */
export async function pauseMonthlyRun(client: Client, month: string): Promise<void> {
  await signalRunning(client, month, pauseSignal, 'paused');
}

export async function resumeMonthlyRun(client: Client, month: string): Promise<void> {
  await signalRunning(client, month, resumeSignal, 'resumed');
}

export interface MonthlyScheduleOptions {
  /** Day of the month it fires, 1–28 (every month has it). Default 1. */
  dayOfMonth?: number;
  /** Hour it fires, Asia/Shanghai, 0–23. Default 2. */
  hour?: number;
  /** Due month = the month it fires + leadMonths (default 1, so D−30 reminders still lie ahead). */
  leadMonths?: number;
  taskQueue?: string;
  cycleTaskQueue?: string;
  pageSize?: number;
  concurrency?: number;
}

export interface MonthlySchedule {
  scheduleId: string;
  dayOfMonth: number;
  hour: number;
  timeZone: string;
  leadMonths: number;
  paused: boolean;
  /** The next times it fires, ISO instants. */
  nextRuns: string[];
}

function checkRange(name: string, value: number, low: number, high: number): void {
  if (!Number.isInteger(value) || value < low || value > high) {
    throw new MonthlyRunError(`${name} must be a whole number from ${low} to ${high}, got ${JSON.stringify(value)}`, 'bad_option');
  }
}

/**
 * Creates the monthly Schedule, or brings the existing one to these settings: installing twice
 * leaves one schedule. A month already running when it fires is skipped (overlap SKIP).
 */
export async function installMonthlySchedule(client: Client, options: MonthlyScheduleOptions = {}): Promise<MonthlySchedule & { created: boolean }> {
  const dayOfMonth = options.dayOfMonth ?? 1;
  const hour = options.hour ?? 2;
  const leadMonths = options.leadMonths ?? 1;
  checkRange('day of month', dayOfMonth, 1, 28);
  checkRange('hour', hour, 0, 23);
  checkRange('lead months', leadMonths, 0, 12);
  const args: ScheduledMonthlyRunInput = {
    leadMonths,
    ...(options.pageSize ? { pageSize: options.pageSize } : {}),
    ...(options.concurrency ? { concurrency: options.concurrency } : {}),
    ...(options.cycleTaskQueue ? { cycleTaskQueue: options.cycleTaskQueue } : {}),
  };
  const spec: ScheduleSpec = {
    calendars: [{ dayOfMonth, hour, minute: 0, comment: 'monthly renewal run' }],
    timezone: MONTHLY_SCHEDULE_TIME_ZONE,
  };
  const action: ScheduleOptionsAction = {
    type: 'startWorkflow',
    workflowType: 'scheduledMonthlyRun',
    workflowId: MONTHLY_SCHEDULE_ID,
    taskQueue: options.taskQueue ?? RENEWAL_TASK_QUEUE,
    args: [args],
  };
  const policies = { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 day' } as const;
  return installSchedule(client, MONTHLY_SCHEDULE_ID, { spec, action, policies }, showMonthlySchedule);
}

/** The installed monthly Schedule as operations read it, or undefined when none is installed. */
export async function showMonthlySchedule(client: Client): Promise<MonthlySchedule | undefined> {
  const description = await describeSchedule(client, MONTHLY_SCHEDULE_ID);
  if (!description) return undefined;
  const calendar = description.spec.calendars?.[0];
  const args = description.action.type === 'startWorkflow' ? (description.action.args?.[0] as Parameters<typeof scheduledMonthlyRun>[0]) : undefined;
  return {
    scheduleId: MONTHLY_SCHEDULE_ID,
    dayOfMonth: calendar?.dayOfMonth?.[0]?.start ?? 0,
    hour: calendar?.hour?.[0]?.start ?? 0,
    timeZone: description.spec.timezone ?? 'UTC',
    leadMonths: args?.leadMonths ?? 1,
    paused: description.state.paused,
    nextRuns: description.info.nextActionTimes.map((t) => t.toISOString()),
  };
}

/**
 * The one-line warning `renewals run start` prints on stderr when the month or its grace period falls
 * in a provisional calendar year (docs/business-rules.md#business-calendar); undefined when all published.
 */
export async function monthlyRunCalendarWarning(db: Knex, month: string): Promise<string | undefined> {
  return provisionalRunWarning(await loadBusinessCalendar(db), requireMonth(month), RUN_GRACE_DAYS);
}
