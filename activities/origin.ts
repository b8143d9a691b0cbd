import { ApplicationFailure, Context } from '@temporalio/activity';
import type { AuditEvent } from '../db/repositories/audit';

export interface CycleRef {
  policyNo: string;
  dueDate: string;
}

export interface Origin {
  workflowId: string;
  runId: string;
  activityId: string;
  /**
   * Business time: the server's clock when it scheduled this attempt. In production that is now;
   * on the time-skipping server it is the simulated date the cycle has reached.
   */
  at: Date;
}

/** The IDs that link every row an activity writes back to the workflow history. */
export function activityOrigin(): Origin {
  const info = Context.current().info;
  const execution = info.workflowExecution;
  if (!execution) throw ApplicationFailure.nonRetryable('renewal activities run only inside a workflow');
  return {
    workflowId: execution.workflowId,
    runId: execution.runId,
    activityId: info.activityId,
    at: new Date(info.currentAttemptScheduledTimestampMs),
  };
}

/**
 * The audit fields every cycle event shares. The actor is the person whose update caused the event
 * (`by`, an opaque reference: docs/architecture.md#people), else the cycle itself.
 */
export function auditOf(ref: CycleRef, o: Origin, by?: string): Omit<AuditEvent, 'kind'> {
  return {
    actor: by ?? 'renewal-cycle',
    policyNo: ref.policyNo,
    dueDate: ref.dueDate,
    workflowId: o.workflowId,
    runId: o.runId,
    activityId: o.activityId,
    occurredAt: o.at,
  };
}
