import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection, Worker, type Logger, type WorkerOptions, type WorkflowBundle } from '@temporalio/worker';
import { createRenewalActivities, type RenewalActivityDeps, type StartCycle } from '../activities/renewal-activities';
import { startRenewalCycle } from '../application/renewal-cycles';
import type { PiiCipher } from '../db/pii-cipher';
import { RENEWAL_TASK_QUEUE } from '../workflows/messages';
import { failureConverterPath, renewalsDataConverter } from './data-converter';

/** What a worker is built from: the activities' ports, and optionally the client cycles are started with. */
export type RenewalWorkerDeps = Omit<RenewalActivityDeps, 'startCycle'> & { client?: Client };

/** Cycles started by activities (the monthly run's pages, a reinstated policy's next premium) through a client. */
export function cycleStarter(client: Client): StartCycle {
  return async ({ branch, channel, ...input }, taskQueue) => {
    const { handle, started } = await startRenewalCycle(client, input, taskQueue, { ...(branch ? { branch } : {}), ...(channel ? { channel } : {}) });
    return { workflowId: handle.workflowId, started };
  };
}

/** The workflow sources (under tsx and vitest) or their compiled form (from dist). */
export function workflowsPath(): string {
  for (const file of ['index.ts', 'index.js']) {
    const path = join(__dirname, '..', 'workflows', file);
    if (existsSync(path)) return path;
  }
  throw new Error(`no workflows/index.ts or index.js next to ${__dirname}`);
}

/**
 * The workflows bundled once for several workers (tests, the simulator), with the failure converter
 * built in: a prebuilt bundle carries its own, the worker's dataConverter does not reach the sandbox.
 */
export function bundleRenewalWorkflows(logger?: Logger): Promise<WorkflowBundle> {
  return bundleWorkflowCode({ workflowsPath: workflowsPath(), failureConverterPath: failureConverterPath(), ...(logger ? { logger } : {}) });
}

/**
 * The worker for renewal cycles and monthly runs: workflows and their activities on one task queue.
 * The cache is bounded explicitly (cycles sleep for weeks; an unbounded cache grows until the isolate
 * runs out). Activities start cycles through a Client: `deps.client` when given, else one over the
 * worker's own connection (in SDK 1.24 a NativeConnection serves a Client too). Failures are
 * encoded and sealed under `failureCipher` (workers/data-converter.ts): the configured keys, which the
 * clients that read those failures (the CLI) hold too; the development key when none is given.
 */
export async function createRenewalWorker(
  connection: NativeConnection,
  deps: RenewalWorkerDeps,
  options: { namespace?: string; taskQueue?: string; failureCipher?: PiiCipher } & Partial<WorkerOptions> = {},
): Promise<Worker> {
  const { namespace, taskQueue, failureCipher, ...rest } = options;
  const { client: given, ...ports } = deps;
  const client = given ?? new Client({ connection, namespace: namespace ?? 'default', dataConverter: renewalsDataConverter(failureCipher) });
  return Worker.create({
    connection,
    namespace: namespace ?? 'default',
    taskQueue: taskQueue ?? RENEWAL_TASK_QUEUE,
    activities: createRenewalActivities({ ...ports, startCycle: cycleStarter(client) }),
    maxCachedWorkflows: 2000,
    dataConverter: renewalsDataConverter(failureCipher),
    ...(rest.workflowBundle ? {} : { workflowsPath: workflowsPath() }),
    ...rest,
  });
}
