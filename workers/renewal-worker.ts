import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createRenewalActivities, type RenewalActivityDeps } from '../activities/renewal-activities';
import { RENEWAL_TASK_QUEUE } from '../workflows/messages';

/** The workflow sources (under tsx and vitest) or their compiled form (from dist). */
export function workflowsPath(): string {
  for (const file of ['index.ts', 'index.js']) {
    const path = join(__dirname, '..', 'workflows', file);
    if (existsSync(path)) return path;
  }
  throw new Error(`no workflows/index.ts or index.js next to ${__dirname}`);
}

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
    activities: createRenewalActivities(deps),
    maxCachedWorkflows: 2000,
    ...(rest.workflowBundle ? {} : { workflowsPath: workflowsPath() }),
    ...rest,
  });
}
