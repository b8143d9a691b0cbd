import { defineSearchAttributeKey, WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import {
  ActivityCancellationType,
  CancellationScope,
  condition,
  continueAsNew,
  isCancellation,
  patched,
  ParentClosePolicy,
  proxyActivities,
  setHandler,
  startChild,
  workflowInfo,
  WorkflowIdReusePolicy,
} from '@temporalio/workflow';
import type { RenewalActivities } from '../activities/renewal-activities';
import { shanghaiDate } from '../domain/civil-date';
import { addMonths, isMonth } from '../domain/months';
import { NO_COUNTS, type DueCursor, type MonthlyRunCounts } from '../domain/monthly-run';
import {
  MONTHLY_RUN_PRIORITY,
  monthlyRunWorkflowId,
  pauseSignal,
  progressQuery,
  resumeSignal,
  type MonthlyRunInput,
  type MonthlyRunResult,
  type ScheduledMonthlyRunInput,
  type ScheduledMonthlyRunResult,
} from './monthly-run-messages';

export const DEFAULT_PAGE_SIZE = 500;
export const DEFAULT_CONCURRENCY = 50;
export const DEFAULT_PAGES_PER_EXECUTION = 10;

const bookkeeping = proxyActivities<RenewalActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

/**
 * A page of starts heartbeats as its premiums are dealt with; a retry resumes at the last heartbeat.
 * On cancellation the run waits for the page to stop, so nothing starts after the run says cancelled.
 */
const { startCyclesPage } = proxyActivities<RenewalActivities>({
  startToCloseTimeout: '15 minutes',
  heartbeatTimeout: '20 seconds',
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

/**
 * One month's renewal run: pages through the month's premiums still due and starts a renewal cycle
 * for each (from an activity, so this history grows by a few events per page, not per cycle), and
 * continues as new every few pages carrying its cursor and counts. Cycles that exist already are
 * counted, not restarted, so running a month again starts only what is missing.
 */
export async function monthlyRun(input: MonthlyRunInput): Promise<MonthlyRunResult> {
  if (!isMonth(input.month)) throw new TypeError(`month must be YYYY-MM, got ${JSON.stringify(input.month)}`);
  const { month } = input;
  const pageSize = input.pageSize ?? DEFAULT_PAGE_SIZE;
  const concurrency = input.concurrency ?? DEFAULT_CONCURRENCY;
  const pagesPerExecution = input.pagesPerExecution ?? DEFAULT_PAGES_PER_EXECUTION;
  let counts: MonthlyRunCounts = input.counts ?? { ...NO_COUNTS };
  let cursor: DueCursor | undefined = input.cursor;
  let paused = input.paused ?? false;
  let done = false;

  setHandler(progressQuery, () => ({ month, ...counts, paused, done, ...(cursor ? { cursor } : {}) }));
  setHandler(pauseSignal, () => void (paused = true));
  setHandler(resumeSignal, () => void (paused = false));

  try {
    if (!input.counts) await bookkeeping.openMonthlyRun(month, workflowInfo().workflowId);
    for (let pagesHere = 0; ; pagesHere += 1) {
      if (paused) {
        await bookkeeping.recordMonthlyRunStatus(month, 'paused');
        await condition(() => !paused);
        await bookkeeping.recordMonthlyRunStatus(month, 'running');
      }
      if (pagesHere >= pagesPerExecution || workflowInfo().continueAsNewSuggested) {
        await continueAsNew<typeof monthlyRun>({
          ...input,
          counts: { ...counts, executions: counts.executions + 1 },
          paused,
          ...(cursor ? { cursor } : {}),
        });
      }
      const page = await startCyclesPage({
        month,
        ...(cursor ? { after: cursor } : {}),
        pageSize,
        concurrency,
        ...(input.cycleTaskQueue ? { cycleTaskQueue: input.cycleTaskQueue } : {}),
        countsBefore: counts,
      });
      counts = {
        ...counts,
        found: counts.found + page.found,
        started: counts.started + page.started,
        existing: counts.existing + page.existing,
        pages: counts.pages + 1,
      };
      cursor = page.cursor;
      if (page.lastPage) break;
    }
    await bookkeeping.recordMonthlyRunStatus(month, 'completed');
    done = true;
    return counts;
  } catch (error) {
    if (isCancellation(error)) {
      // Cycles already started keep running: cancelling the run only stops it starting more.
      await CancellationScope.nonCancellable(() => bookkeeping.recordMonthlyRunStatus(month, 'cancelled'));
    }
    throw error;
  }
}

/** Set by the server on workflows a Schedule starts: the time the action was due, not when it ran. */
const TemporalScheduledStartTime = defineSearchAttributeKey('TemporalScheduledStartTime', 'DATETIME');

/**
 * What the Schedule starts each month. A Schedule suffixes the IDs of the workflows it starts, so
 * this small workflow works out the month and starts `monthly-run-{YYYY-MM}` under its exact ID as
 * an abandoned child (it runs on its own). A month already started counts as done, so a schedule
 * fired twice, or a month started by hand first, still gives one run.
 */
export async function scheduledMonthlyRun(input: ScheduledMonthlyRunInput = {}): Promise<ScheduledMonthlyRunResult> {
  const leadMonths = input.leadMonths ?? 1;
  if (!Number.isInteger(leadMonths) || leadMonths < 0 || leadMonths > 12) {
    throw new TypeError(`leadMonths must be a whole number from 0 to 12, got ${JSON.stringify(input.leadMonths)}`);
  }
  const scheduledAt = workflowInfo().typedSearchAttributes.get(TemporalScheduledStartTime)?.getTime() ?? Date.now();
  const month = addMonths(shanghaiDate(scheduledAt).slice(0, 7), leadMonths);
  const workflowId = monthlyRunWorkflowId(month);
  const args: MonthlyRunInput = {
    month,
    ...(input.pageSize ? { pageSize: input.pageSize } : {}),
    ...(input.concurrency ? { concurrency: input.concurrency } : {}),
    ...(input.cycleTaskQueue ? { cycleTaskQueue: input.cycleTaskQueue } : {}),
  };
  try {
    await startChild(monthlyRun, {
      workflowId,
      args: [args],
      parentClosePolicy: ParentClosePolicy.ABANDON,
      // A cancelled or failed run of the month may be run again; a completed one is not.
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
      // Runs begun before the marker started their child at the default priority.
      ...(patched('monthly-run-priority') ? { priority: MONTHLY_RUN_PRIORITY } : {}),
    });
    return { month, workflowId, started: true };
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError) return { month, workflowId, started: false };
    throw error;
  }
}
