import { ScheduleOverlapPolicy, type Client, type ScheduleOptionsAction, type ScheduleSpec } from '@temporalio/client';
import { describeSchedule, installSchedule } from './schedules';
import { isPrintHouseCode } from '../domain/letters';
import { LETTER_BATCH_SCHEDULE_ID, LETTER_BATCH_TIME_ZONE, type DailyLetterBatchInput } from '../workflows/letter-batch-messages';
import { RENEWAL_TASK_QUEUE } from '../workflows/messages';
import { parseTimeOfDay } from './contact-quality';
import { OperatorError } from './errors';

/** The daily letter-batch Schedule (docs/architecture.md#letters) as operations read it. */
export interface LetterBatchSchedule {
  scheduleId: string;
  /** HH:MM, Asia/Shanghai. */
  at: string;
  timeZone: string;
  /** The one print house it batches; "every print house with letters waiting" when none. */
  printHouse: string;
  paused: boolean;
  /** The next times it fires, ISO instants. */
  nextRuns: string[];
}

const EVERY_HOUSE = 'every print house with letters waiting';

/** --at and --print-house checked (before Temporal is reached): the time of day, or a one-line error naming the option. */
export function checkLetterBatchSchedule(options: { at: string; printHouse?: string }): { hour: number; minute: number } {
  const time = parseTimeOfDay(options.at);
  if (options.printHouse !== undefined && !isPrintHouseCode(options.printHouse)) {
    throw new OperatorError(`--print-house must be 1 to 16 letters, digits, - or _, got ${JSON.stringify(options.printHouse)}`, true);
  }
  return time;
}

/**
 * Creates the daily Schedule that starts `dailyLetterBatch`, or brings the existing one to these
 * settings: installing twice leaves one schedule. A run still going when the next day comes is
 * skipped (overlap SKIP); a firing missed while Temporal was down is made up within 12 hours, so the
 * evening's letters still reach the print house's night pickup.
 */
export async function installLetterBatchSchedule(
  client: Client,
  options: { at: string; printHouse?: string; taskQueue?: string },
): Promise<LetterBatchSchedule & { created: boolean }> {
  const { hour, minute } = checkLetterBatchSchedule(options);
  const args: DailyLetterBatchInput = options.printHouse ? { printHouse: options.printHouse } : {};
  const spec: ScheduleSpec = { calendars: [{ hour, minute, comment: 'daily letter batch' }], timezone: LETTER_BATCH_TIME_ZONE };
  const action: ScheduleOptionsAction = {
    type: 'startWorkflow',
    workflowType: 'dailyLetterBatch',
    workflowId: LETTER_BATCH_SCHEDULE_ID,
    taskQueue: options.taskQueue ?? RENEWAL_TASK_QUEUE,
    args: [args],
  };
  const policies = { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '12 hours' } as const;
  return installSchedule(client, LETTER_BATCH_SCHEDULE_ID, { spec, action, policies }, showLetterBatchSchedule);
}

/** The installed daily letter-batch Schedule, or undefined when none is installed. */
export async function showLetterBatchSchedule(client: Client): Promise<LetterBatchSchedule | undefined> {
  const description = await describeSchedule(client, LETTER_BATCH_SCHEDULE_ID);
  if (!description) return undefined;
  const calendar = description.spec.calendars?.[0];
  const hh = String(calendar?.hour?.[0]?.start ?? 0).padStart(2, '0');
  const mm = String(calendar?.minute?.[0]?.start ?? 0).padStart(2, '0');
  const args = description.action.type === 'startWorkflow' ? (description.action.args?.[0] as DailyLetterBatchInput | undefined) : undefined;
  return {
    scheduleId: LETTER_BATCH_SCHEDULE_ID,
    at: `${hh}:${mm}`,
    timeZone: description.spec.timezone ?? 'UTC',
    printHouse: args?.printHouse ?? EVERY_HOUSE,
    paused: description.state.paused,
    nextRuns: description.info.nextActionTimes.map((t) => t.toISOString()),
  };
}
