import { proxyActivities } from '@temporalio/workflow';
import type { RenewalActivities } from '../activities/renewal-activities';
import type { OverdueSweepResult } from '../activities/task-sweep-activities';

const { sweepOverdueTasks } = proxyActivities<RenewalActivities>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '10 seconds', maximumInterval: '5 minutes', maximumAttempts: 5 },
});

/** The Schedule that runs overdueTaskSweep every hour (application/task-sweep.ts). */
export const OVERDUE_SWEEP_SCHEDULE_ID = 'renewals-overdue-task-sweep';

/**
 * One sweep of the tasks not worked within their deadline: each goes to the team lead, audited, once
 * (docs/business-rules.md#tasks-that-act). Started hourly by its Schedule; the next hour picks up
 * whatever a failed sweep left.
 */
export async function overdueTaskSweep(): Promise<OverdueSweepResult> {
  return sweepOverdueTasks();
}
