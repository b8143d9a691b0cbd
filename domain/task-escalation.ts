/**
 * An open task not worked by its deadline goes up (docs/business-rules.md#tasks-that-act): an agent's
 * task to their team lead (operations when no team lead is known); a task already with a team lead,
 * operations or an underwriter stays with them, flagged escalated so it stands out on their list.
 */
export type TaskAssigneeRole = 'agent' | 'team_lead' | 'operations' | 'underwriter';

export interface TaskAssignee {
  role: TaskAssigneeRole;
  agentCode: string | null;
}

export function escalatedAssignee(current: TaskAssignee, teamLeadCode: string | null): TaskAssignee {
  if (current.role !== 'agent') return current;
  // A team lead who is the assignee themselves (an agent leading a team) goes to operations.
  if (teamLeadCode !== null && teamLeadCode !== current.agentCode) return { role: 'team_lead', agentCode: teamLeadCode };
  return { role: 'operations', agentCode: null };
}

/** Whether a task open with this deadline is overdue at `now` (its deadline passed). */
export function isOverdue(dueAt: number, now: number): boolean {
  return dueAt < now;
}
