/** A premium whose cycle is to be started: IDs only. */
export interface CycleToStart {
  policyNo: string;
  dueDate: string;
  /** YYYY-MM of the monthly run that starts it, when one does. */
  runMonth?: string;
  /** The policy's branch and channel, when the starter read them: search attributes set at start. */
  branch?: string;
  channel?: string;
}

/**
 * Starts a premium's renewal cycle, or finds the one already there (started: false). Injected by the
 * worker (application/renewal-cycles.ts over its Temporal client): activities know the workflows
 * only by what they hand to this function. Without a task queue the cycle goes to the renewal queue.
 */
export type StartCycle = (cycle: CycleToStart, taskQueue?: string) => Promise<{ workflowId: string; started: boolean }>;
