import { ApplicationFailure, CancelledFailure, Context } from '@temporalio/activity';
import type { Knex } from 'knex';
import {
  duePremiumsPage,
  openMonthlyRun,
  recordMonthlyRunProgress,
  setMonthlyRunStatus,
  type MonthlyRunStatus,
} from '../db/repositories/monthly-runs';
import type { DueCursor, MonthlyRunCounts } from '../domain/monthly-run';
import type { Month } from '../domain/months';
import type { StartCycle } from './cycle-starter';

export interface MonthlyRunActivityDeps {
  db: Knex;
  /** Starts the cycles (the worker supplies it, over its own Temporal client). */
  startCycle?: StartCycle;
}

export interface CyclesPageRequest {
  month: Month;
  /** The last premium of the previous page (none on the first page). */
  after?: DueCursor;
  pageSize: number;
  concurrency: number;
  cycleTaskQueue?: string;
  /** The run's counts before this page: the page records the totals after it. */
  countsBefore: MonthlyRunCounts;
}

export interface CyclesPage {
  found: number;
  started: number;
  existing: number;
  /** The last premium dealt with (unchanged when the page was empty). */
  cursor?: DueCursor;
  /** Fewer premiums than asked for: nothing after this page. */
  lastPage: boolean;
}

/** Heartbeat details: how far the page got with every premium before the cursor dealt with. */
interface PageProgress {
  cursor?: DueCursor;
  found: number;
  started: number;
  existing: number;
}

export function createMonthlyRunActivities({ db, startCycle }: MonthlyRunActivityDeps) {
  return {
    async openMonthlyRun(month: Month, workflowId: string): Promise<void> {
      await openMonthlyRun(db, month, workflowId);
    },

    async recordMonthlyRunStatus(month: Month, status: MonthlyRunStatus): Promise<void> {
      await setMonthlyRunStatus(db, month, status);
    },

    /**
     * Starts the cycles of one page of the month's due premiums (a cycle that exists already is
     * counted, not started again), `concurrency` starts at a time. It heartbeats the point up to which
     * every premium is dealt with, so a retry resumes there; when the run is cancelled it starts
     * nothing more, records what it did and reports the cancellation.
     */
    async startCyclesPage(request: CyclesPageRequest): Promise<CyclesPage> {
      if (!startCycle) throw ApplicationFailure.nonRetryable('the monthly run activities were built without a way to start cycles', 'NoTemporalClient');
      const context = Context.current();
      const resumed = context.info.heartbeatDetails as PageProgress | undefined;
      const done: PageProgress = resumed ?? { found: 0, started: 0, existing: 0 };
      const from = done.cursor ?? request.after;
      const wanted = request.pageSize - done.found;
      const premiums = wanted > 0 ? await duePremiumsPage(db, request.month, from, wanted) : [];

      const outcomes: Array<'started' | 'existing' | undefined> = [];
      let next = 0;
      let settled = 0; // premiums[0 .. settled) are all dealt with: the heartbeat's cursor
      let failure: Error | undefined;
      const advance = (): void => {
        const before = settled;
        while (settled < premiums.length && outcomes[settled] !== undefined) {
          done[outcomes[settled]!] += 1;
          done.found += 1;
          const { dueDate, policyNo } = premiums[settled]!;
          done.cursor = { dueDate, policyNo };
          settled += 1;
        }
        if (settled > before) context.heartbeat(done);
      };
      const starter = async (): Promise<void> => {
        while (next < premiums.length && !context.cancellationSignal.aborted && failure === undefined) {
          const index = next++;
          const premium = premiums[index]!;
          try {
            const { started } = await startCycle({ ...premium, runMonth: request.month }, request.cycleTaskQueue);
            outcomes[index] = started ? 'started' : 'existing';
            advance();
          } catch (error) {
            failure ??= error instanceof Error ? error : new Error(String(error));
          }
        }
      };
      await Promise.all(Array.from({ length: Math.max(1, Math.min(request.concurrency, premiums.length)) }, starter));

      const totals: MonthlyRunCounts = {
        ...request.countsBefore,
        found: request.countsBefore.found + done.found,
        started: request.countsBefore.started + done.started,
        existing: request.countsBefore.existing + done.existing,
        pages: request.countsBefore.pages + (failure === undefined && !context.cancellationSignal.aborted ? 1 : 0),
      };
      // What was started stays started: record it even when the page stops early.
      await recordMonthlyRunProgress(db, request.month, totals, done.cursor);
      if (failure !== undefined) throw failure;
      if (context.cancellationSignal.aborted) throw new CancelledFailure('monthly run cancelled: no further cycles started');
      return {
        found: done.found,
        started: done.started,
        existing: done.existing,
        ...((done.cursor ?? request.after) ? { cursor: done.cursor ?? request.after } : {}),
        lastPage: premiums.length < wanted,
      };
    },
  };
}

export type MonthlyRunActivities = ReturnType<typeof createMonthlyRunActivities>;
