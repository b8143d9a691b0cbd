import { defineSearchAttributeKey } from '@temporalio/common';
import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { RenewalActivities } from '../activities/renewal-activities';
import { shanghaiDate } from '../domain/civil-date';
import type { LetterBatchRun } from '../domain/letters';
import type { DailyLetterBatchInput } from './letter-batch-messages';

const { batchWaitingLetters } = proxyActivities<RenewalActivities>({
  // One transaction per print house, copying every waiting PDF to the outbox: generous for a large day.
  startToCloseTimeout: '30 minutes',
  retry: { initialInterval: '30 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes', maximumAttempts: 5 },
});

/** Set by the server on workflows a Schedule starts: the time the action was due, not when it ran. */
const TemporalScheduledStartTime = defineSearchAttributeKey('TemporalScheduledStartTime', 'DATETIME');

/**
 * Started each day by the `renewals-daily-letter-batch` Schedule (renewals schedule letters): the
 * letters waiting up to the day the schedule fired (Asia/Shanghai) handed to their print houses, as
 * `renewals letters batch` does (docs/architecture.md#letters). The day is fixed here, so a retried
 * activity batches the same day.
 */
export async function dailyLetterBatch(input: DailyLetterBatchInput = {}): Promise<LetterBatchRun> {
  const scheduledAt = workflowInfo().typedSearchAttributes.get(TemporalScheduledStartTime)?.getTime() ?? Date.now();
  const date = input.date ?? shanghaiDate(scheduledAt);
  return batchWaitingLetters({ date, ...(input.printHouse ? { printHouse: input.printHouse } : {}) });
}
