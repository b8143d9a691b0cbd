import type { Knex } from 'knex';
import { escalateOverdueTasks } from '../db/repositories/tasks';

/** Who the hourly sweep is in the audit trail. */
export const OVERDUE_SWEEP_ACTOR = 'overdue-task-sweep';

/** What one sweep did: no personal data (task numbers and counts). */
export interface OverdueSweepResult {
  overdue: number;
  escalated: number[];
}

/** The overdue-task sweep (docs/business-rules.md#tasks-that-act), run by the overdueTaskSweep workflow. */
export function createTaskSweepActivities({ db }: { db: Knex }) {
  return {
    /** Escalates every task past its deadline now; each once, however often the activity is retried. */
    async sweepOverdueTasks(): Promise<OverdueSweepResult> {
      const sweep = await escalateOverdueTasks(db, new Date(), OVERDUE_SWEEP_ACTOR);
      return { overdue: sweep.overdue, escalated: sweep.escalated.map((e) => e.taskId) };
    },
  };
}
