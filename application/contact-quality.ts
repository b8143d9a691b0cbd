import { ScheduleOverlapPolicy, type Client, type ScheduleOptionsAction, type ScheduleSpec } from '@temporalio/client';
import { describeSchedule, installSchedule } from './schedules';
import { QUALITY_SCHEDULE_ID, QUALITY_SCHEDULE_TIME_ZONE, type NightlyContactQualityInput } from '../workflows/contact-quality-messages';
import { RENEWAL_TASK_QUEUE } from '../workflows/messages';
import { OperatorError } from './errors';

/** The nightly contact-quality Schedule (docs/business-rules.md#contact-quality-nightly). */

export interface QualitySchedule {
  scheduleId: string;
  /** HH:MM, Asia/Shanghai. */
  at: string;
  timeZone: string;
  paused: boolean;
  /** The next times it fires, ISO instants. */
  nextRuns: string[];
}

/** `HH:MM` (00:00–23:59) as hour and minute; anything else is a one-line error naming --at. */
export function parseTimeOfDay(at: string): { hour: number; minute: number } {
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(at);
  if (!match) throw new OperatorError(`--at must be a time HH:MM from 00:00 to 23:59, got ${JSON.stringify(at)}`, true);
  return { hour: Number(match[1]), minute: Number(match[2]) };
}

/**
 * Creates the nightly Schedule, or brings the existing one to these settings: installing twice
 * leaves one schedule. A check still running when the next night comes is skipped (overlap SKIP).
 */
export async function installQualitySchedule(
  client: Client,
  options: { at: string; taskQueue?: string; sharedThreshold?: number },
): Promise<QualitySchedule & { created: boolean }> {
  const { hour, minute } = parseTimeOfDay(options.at);
  const args: NightlyContactQualityInput = options.sharedThreshold === undefined ? {} : { sharedThreshold: options.sharedThreshold };
  const spec: ScheduleSpec = { calendars: [{ hour, minute, comment: 'nightly contact-quality check' }], timezone: QUALITY_SCHEDULE_TIME_ZONE };
  const action: ScheduleOptionsAction = {
    type: 'startWorkflow',
    workflowType: 'nightlyContactQuality',
    workflowId: QUALITY_SCHEDULE_ID,
    taskQueue: options.taskQueue ?? RENEWAL_TASK_QUEUE,
    args: [args],
  };
  const policies = { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 hour' } as const;
  return installSchedule(client, QUALITY_SCHEDULE_ID, { spec, action, policies }, showQualitySchedule);
}

/** The installed nightly Schedule, or undefined when none is installed. */
export async function showQualitySchedule(client: Client): Promise<QualitySchedule | undefined> {
  const description = await describeSchedule(client, QUALITY_SCHEDULE_ID);
  if (!description) return undefined;
  const calendar = description.spec.calendars?.[0];
  const hh = String(calendar?.hour?.[0]?.start ?? 0).padStart(2, '0');
  const mm = String(calendar?.minute?.[0]?.start ?? 0).padStart(2, '0');
  return {
    scheduleId: QUALITY_SCHEDULE_ID,
    at: `${hh}:${mm}`,
    timeZone: description.spec.timezone ?? 'UTC',
    paused: description.state.paused,
    nextRuns: description.info.nextActionTimes.map((t) => t.toISOString()),
  };
}
