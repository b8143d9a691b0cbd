import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, type Worker } from '@temporalio/worker';
import type { ConsoleRunOptions } from '../../console/monthly-runs';
import { buildConsole } from '../../console/server';
import { createLogger } from '../../observability/logger';
import { bundleRenewalWorkflows, createRenewalWorker } from '../../workers/renewal-worker';
import { TEST_LIMITER_KEY, type ConsoleRig } from './console';
import type { CycleRig } from './cycle-rig';

/**
 * The console with a Temporal client and the options it starts monthly runs with (the test's task
 * queue, small pages), log lines kept as in test/support/console.ts (docs/architecture.md#console).
 */
export async function consoleForRuns(db: CycleRig['database']['db'], client: Client, runOptions: ConsoleRunOptions): Promise<ConsoleRig> {
  const lines: string[] = [];
  const logger = createLogger('console', { destination: { write: (line: string) => void lines.push(line) } });
  const app = await buildConsole({
    db,
    logger,
    settings: { environment: 'demo', idleMinutes: 30, absoluteHours: 8, secureCookies: false, trustProxy: false },
    limiterKey: TEST_LIMITER_KEY,
    temporal: { client, updateTimeoutMs: 20_000, runOptions },
  });
  return { app, lines };
}

/**
 * A renewal worker on the rig's ports whose monthly-run pages (`startCyclesPage`) each take at least
 * `pageMs`: slow enough for a person to watch the run's figures move and pause it part-way.
 */
export async function slowPagesWorker(env: TestWorkflowEnvironment, rig: CycleRig, taskQueue: string, pageMs: number): Promise<Worker> {
  const { db } = rig.database;
  return createRenewalWorker(
    env.nativeConnection,
    { db, cipher: rig.cipher, bank: rig.bank, email: rig.email, text: rig.text },
    {
      taskQueue,
      workflowBundle: await bundleRenewalWorkflows(new DefaultLogger('WARN')),
      interceptors: {
        activity: [
          (context) => ({
            inbound: {
              execute: async (input, next) => {
                if (context.info.activityType === 'startCyclesPage') await sleep(pageMs);
                return next(input);
              },
            },
          }),
        ],
      },
    },
  );
}
