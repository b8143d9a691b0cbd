import { WorkflowExecutionAlreadyStartedError, type Client, type WorkflowHandle } from '@temporalio/client';
import type { SearchAttributePair } from '@temporalio/common';
import { renewalWorkflowId } from '../domain/renewal-stage';
import { Branch, Channel, DueDate, PolicyNo, RENEWAL_TASK_QUEUE, RenewalStageKey, RunMonth, type RenewalCycleInput } from '../workflows/messages';
import type { renewalCycle } from '../workflows';

/** The policy's branch and channel, when the starter has them: set at start, not upserted by the cycle. */
export interface CycleLabels {
  branch?: string;
  channel?: string;
}

/**
 * The search attributes a cycle starts with (docs/architecture.md#what-a-cycles-history-holds): every
 * key it knows before opening, the stage PRE_DUE. The cycle upserts only what differs once open (a
 * premium settled before its cycle began, a branch the starter did not know), then each stage change.
 */
export function cycleSearchAttributes(input: RenewalCycleInput, labels: CycleLabels): SearchAttributePair[] {
  return [
    { key: PolicyNo, value: input.policyNo },
    { key: DueDate, value: input.dueDate },
    { key: RenewalStageKey, value: 'PRE_DUE' },
    ...(labels.branch ? [{ key: Branch, value: labels.branch }] : []),
    ...(labels.channel ? [{ key: Channel, value: labels.channel }] : []),
    ...(input.runMonth ? [{ key: RunMonth, value: input.runMonth }] : []),
  ];
}

export interface StartedCycle {
  handle: WorkflowHandle<typeof renewalCycle>;
  /** False when the cycle already existed (running or finished): starting twice is a no-op. */
  started: boolean;
}

/**
 * Starts the cycle of one policy and due date, or finds the one already there. A finished cycle is
 * never started again (REJECT_DUPLICATE): a paid premium must not get a second cycle.
 */
export async function startRenewalCycle(
  client: Client,
  input: RenewalCycleInput,
  taskQueue = RENEWAL_TASK_QUEUE,
  labels: CycleLabels = {},
): Promise<StartedCycle> {
  const workflowId = renewalWorkflowId(input.policyNo, input.dueDate);
  try {
    const handle = await client.workflow.start<typeof renewalCycle>('renewalCycle', {
      workflowId,
      taskQueue,
      args: [input],
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      typedSearchAttributes: cycleSearchAttributes(input, labels),
    });
    return { handle, started: true };
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError) {
      return { handle: client.workflow.getHandle<typeof renewalCycle>(workflowId), started: false };
    }
    throw error;
  }
}
