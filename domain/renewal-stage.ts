/** Where one premium's cycle stands; also the `RenewalStage` search attribute. */
export const RENEWAL_STAGES = ['PRE_DUE', 'DEBITING', 'IN_GRACE', 'PAID', 'LAPSED', 'REINSTATED', 'CLOSED'] as const;
export type RenewalStage = (typeof RENEWAL_STAGES)[number];

/** Workflow ID of the cycle for one policy and due date: starting it twice finds the same cycle. */
export function renewalWorkflowId(policyNo: string, dueDate: string): string {
  return `renewal-${policyNo}-${dueDate}`;
}

/**
 * The stage rows an activity of a lean cycle writes with its own fact (docs/architecture.md#stage-rows),
 * instead of a separate activity per stage change.
 */
export interface StageRows {
  /** The stage the cycle entered before this action and has not recorded: written by this activity. */
  entered?: RenewalStage;
  /** Write the stage this action's outcome brings (PAID with a payment, LAPSED with the suspension). */
  resulting?: boolean;
}
