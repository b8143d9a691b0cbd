/** Where one premium's cycle stands; also the `RenewalStage` search attribute. */
export const RENEWAL_STAGES = ['PRE_DUE', 'DEBITING', 'IN_GRACE', 'PAID', 'LAPSED', 'REINSTATED', 'CLOSED'] as const;
export type RenewalStage = (typeof RENEWAL_STAGES)[number];

/** Workflow ID of the cycle for one policy and due date: starting it twice finds the same cycle. */
export function renewalWorkflowId(policyNo: string, dueDate: string): string {
  return `renewal-${policyNo}-${dueDate}`;
}
