/** What a monthly run counts and where it is: shared by the run, its activities and its records. */
import type { CivilDate } from './civil-date';

/** Keyset position: the last premium whose cycle the run has dealt with. */
export interface DueCursor {
  dueDate: CivilDate;
  policyNo: string;
}

export interface MonthlyRunCounts {
  /** Premiums of the month still due (policy in force or in grace) that the run has paged through. */
  found: number;
  /** Cycles this run started. */
  started: number;
  /** Cycles that already existed (an earlier run, or started by hand). */
  existing: number;
  pages: number;
  /** Executions of the run so far (1 + continue-as-new count). */
  executions: number;
}

export const NO_COUNTS: MonthlyRunCounts = { found: 0, started: 0, existing: 0, pages: 0, executions: 1 };
