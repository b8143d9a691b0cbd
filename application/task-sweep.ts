import { ScheduleOverlapPolicy, type Client, type ScheduleOptionsAction, type ScheduleSpec } from '@temporalio/client';
import { describeSchedule, installSchedule } from './schedules';
import { RENEWAL_TASK_QUEUE } from '../workflows/messages';
import { OVERDUE_SWEEP_SCHEDULE_ID } from '../workflows/overdue-task-sweep';

export { OVERDUE_SWEEP_SCHEDULE_ID } from '../workflows/overdue-task-sweep';

/** The hourly overdue-task sweep as operations read it. */
export interface OverdueSweepSchedule {
  scheduleId: string;
  /** Minutes past each hour it fires. */
  minute: number;
  paused: boolean;
  /** The next times it fires, ISO instants. */
  nextRuns: string[];
}

/**
 * Creates the Schedule that runs `overdueTaskSweep` every hour at `minute` past (docs/business-rules.md#tasks-that-act),
 * or brings the installed one to these settings: installing twice leaves one. A sweep still running
 * when the next hour comes is not doubled (overlap SKIP); hours missed while Temporal was down are
 * not made up one by one, the next sweep finds every overdue task anyway.
 */
export async function installOverdueSweepSchedule(client: Client, options: { minute?: number; taskQueue?: string } = {}): Promise<OverdueSweepSchedule & { created: boolean }> {
  const minute = options.minute ?? 5;
  if (!Number.isInteger(minute) || minute < 0 || minute > 59) throw new RangeError(`minute must be a whole number from 0 to 59, got ${JSON.stringify(options.minute)}`);
  const spec: ScheduleSpec = { calendars: [{ hour: '*', minute, comment: 'overdue task sweep, hourly' }], timezone: 'Asia/Shanghai' };
  const action: ScheduleOptionsAction = {
    type: 'startWorkflow',
    workflowType: 'overdueTaskSweep',
    workflowId: OVERDUE_SWEEP_SCHEDULE_ID,
    taskQueue: options.taskQueue ?? RENEWAL_TASK_QUEUE,
    args: [],
  };
  const policies = { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 hour' } as const;
  return installSchedule(client, OVERDUE_SWEEP_SCHEDULE_ID, { spec, action, policies }, showOverdueSweepSchedule);
}

/** The installed sweep Schedule, or undefined when none is installed. */
export async function showOverdueSweepSchedule(client: Client): Promise<OverdueSweepSchedule | undefined> {
  const description = await describeSchedule(client, OVERDUE_SWEEP_SCHEDULE_ID);
  if (!description) return undefined;
  return {
    scheduleId: OVERDUE_SWEEP_SCHEDULE_ID,
    minute: description.spec.calendars?.[0]?.minute?.[0]?.start ?? 0,
    paused: description.state.paused,
    nextRuns: description.info.nextActionTimes.map((t) => t.toISOString()),
  };
}
