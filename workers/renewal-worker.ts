import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createRenewalActivities, type RenewalActivityDeps } from '../activities/renewal-activities';
import { RENEWAL_TASK_QUEUE } from '../workflows/messages';

export const WORKFLOWS_PATH = require.resolve('../workflows');

/**
 * The worker for renewal cycles: workflows and their activities on one task queue. The cache is
 * bounded explicitly (cycles sleep for weeks; an unbounded cache grows until the isolate runs out).
 */
export async function createRenewalWorker(
  connection: NativeConnection,
  deps: RenewalActivityDeps,
  options: { namespace?: string; taskQueue?: string } & Partial<WorkerOptions> = {},
): Promise<Worker> {
  const { namespace, taskQueue, ...rest } = options;
  return Worker.create({
    connection,
    namespace: namespace ?? 'default',
    taskQueue: taskQueue ?? RENEWAL_TASK_QUEUE,
    workflowsPath: WORKFLOWS_PATH,
    activities: createRenewalActivities(deps),
    maxCachedWorkflows: 2000,
    ...rest,
  });
}
