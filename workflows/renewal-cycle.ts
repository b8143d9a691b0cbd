import { proxyActivities, setHandler, sleep, upsertSearchAttributes } from '@temporalio/workflow';
import type { RenewalActivities } from '../activities/renewal-activities';
import { isCivilDate, shanghaiDate } from '../domain/civil-date';
import type { RenewalStage } from '../domain/renewal-stage';
import { sliceTimeline } from '../domain/timeline';
import {
  Branch,
  Channel,
  DueDate,
  PolicyNo,
  RenewalStageKey,
  RunMonth,
  statusQuery,
  type RenewalCycleInput,
  type RenewalCycleResult,
  type RenewalCycleStatus,
} from './messages';

const { openCycle, recordStage, sendPreDueReminder } = proxyActivities<RenewalActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', maximumInterval: '5 minutes' },
});

// A debit whose answer is unknown is retried by querying the bank, for up to a day.
const { collectDebit } = proxyActivities<RenewalActivities>({
  startToCloseTimeout: '2 minutes',
  scheduleToCloseTimeout: '1 day',
  retry: { initialInterval: '10 seconds', backoffCoefficient: 2, maximumInterval: '30 minutes' },
});

export const DEFAULT_REMINDER_DAYS_BEFORE = 30;

/**
 * One policy, one due date. First vertical slice: one pre-due reminder, one debit on the due
 * date, paid or left in grace. The full plan (retries, grace follow-ups, lapse) builds on this loop.
 */
export async function renewalCycle(input: RenewalCycleInput): Promise<RenewalCycleResult> {
  if (!isCivilDate(input.dueDate)) throw new TypeError(`dueDate must be YYYY-MM-DD, got ${JSON.stringify(input.dueDate)}`);
  const ref = { policyNo: input.policyNo, dueDate: input.dueDate };
  const timeline = sliceTimeline(input.dueDate, input.reminderDaysBefore ?? DEFAULT_REMINDER_DAYS_BEFORE);

  const status: RenewalCycleStatus = {
    stage: 'PRE_DUE',
    nextAction: 'pre_due_reminder',
    nextActionAt: new Date(timeline.reminderAt).toISOString(),
    debitAttempts: 0,
    remindersSent: 0,
  };
  setHandler(statusQuery, () => status);

  const cycle = await openCycle(ref, input.runMonth);
  upsertSearchAttributes([
    { key: PolicyNo, value: input.policyNo },
    { key: DueDate, value: input.dueDate },
    { key: RenewalStageKey, value: status.stage },
    { key: Branch, value: cycle.branchCode },
    { key: Channel, value: cycle.channel },
    ...(input.runMonth ? [{ key: RunMonth, value: input.runMonth }] : []),
  ]);
  await recordStage(ref, status.stage);

  async function enterStage(stage: RenewalStage): Promise<void> {
    status.stage = stage;
    upsertSearchAttributes([{ key: RenewalStageKey, value: stage }]);
    await recordStage(ref, stage);
  }

  await sleepUntil(timeline.reminderAt);
  const reminder = await sendPreDueReminder(ref, `reminder_d-${input.reminderDaysBefore ?? DEFAULT_REMINDER_DAYS_BEFORE}`);
  if (reminder.status === 'sent') status.remindersSent += 1;

  status.nextAction = 'debit';
  status.nextActionAt = new Date(timeline.debitAt).toISOString();
  await sleepUntil(timeline.debitAt);
  await enterStage('DEBITING');
  status.debitAttempts += 1;
  const outcome = await collectDebit(ref, status.debitAttempts, shanghaiDate(timeline.debitAt));

  if (outcome.status === 'succeeded') {
    status.nextAction = 'none';
    status.nextActionAt = undefined;
    await enterStage('PAID');
    return { stage: 'PAID', paidVia: 'debit', debitAttempts: status.debitAttempts };
  }
  status.nextAction = 'grace_follow_up';
  status.nextActionAt = undefined;
  await enterStage('IN_GRACE');
  return { stage: 'IN_GRACE', debitAttempts: status.debitAttempts, lastReason: outcome.reason };
}

/** Durable timer to an instant; returns at once when the instant has passed (e.g. a late start). */
async function sleepUntil(epochMs: number): Promise<void> {
  const wait = epochMs - Date.now();
  if (wait > 0) await sleep(wait);
}
