import { WorkflowExecutionAlreadyStartedError, type Client, type WorkflowHandle } from '@temporalio/client';
import { renewalWorkflowId } from '../domain/renewal-stage';
import { RENEWAL_TASK_QUEUE, type RenewalCycleInput } from '../workflows/messages';
import type { renewalCycle } from '../workflows';

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
): Promise<StartedCycle> {
  const workflowId = renewalWorkflowId(input.policyNo, input.dueDate);
  try {
    const handle = await client.workflow.start<typeof renewalCycle>('renewalCycle', {
      workflowId,
      taskQueue,
      args: [input],
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
    });
    return { handle, started: true };
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError) {
      return { handle: client.workflow.getHandle<typeof renewalCycle>(workflowId), started: false };
    }
    throw error;
  }
}
