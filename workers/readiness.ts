import type { Worker } from '@temporalio/worker';
import type { Db } from '../db/connection';
import { databaseAnswers } from '../db/repositories/operations-figures';

export type Readiness = { ready: true } | { ready: false; reason: string };

/**
 * Ready to take work: the worker is RUNNING (not starting, draining or stopped) and the database
 * answers `select 1` within two seconds. The reason says which, for the orchestrator's events.
 */
export async function workerReadiness(worker: Pick<Worker, 'getState'>, db: Db): Promise<Readiness> {
  const state = worker.getState();
  if (state !== 'RUNNING') return { ready: false, reason: `worker ${state}` };
  const database = await databaseAnswers(db, 2_000);
  return database.ok ? { ready: true } : { ready: false, reason: `database: ${database.reason}` };
}

/** Before the worker exists (the data key not yet checked against the database): never ready, and why. */
export async function readinessBeforeWorker(db: Db): Promise<Readiness> {
  const database = await databaseAnswers(db, 2_000);
  return { ready: false, reason: database.ok ? 'the data key is being checked against the key ring' : `database: ${database.reason}` };
}
