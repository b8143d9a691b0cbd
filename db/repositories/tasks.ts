import type { Knex } from 'knex';
import { appendAudit, type AuditEvent } from './audit';

export interface TaskRouting {
  agentCode: string | null;
  agentStatus: 'active' | 'departed' | null;
  teamLeadCode: string | null;
}

/** The servicing agent, their status and their team lead (the agent's leader, else the team's). */
export async function taskRoutingFor(db: Knex, policyNo: string): Promise<TaskRouting> {
  const row = await db('policies as p')
    .leftJoin('agents as a', 'a.code', 'p.agent_code')
    .leftJoin('teams as t', 't.code', 'a.team_code')
    .where('p.policy_no', policyNo)
    .first<{ agent_code: string | null; status: 'active' | 'departed' | null; leader_code: string | null; team_leader: string | null } | undefined>(
      'p.agent_code',
      'a.status',
      'a.leader_code',
      't.leader_code as team_leader',
    );
  return {
    agentCode: row?.agent_code ?? null,
    agentStatus: row?.status ?? null,
    teamLeadCode: row?.leader_code ?? row?.team_leader ?? null,
  };
}

/** Closes the task a cycle step opened, with the outcome the assignee reported. */
export async function completeTask(db: Knex, workflowId: string, step: string, outcome: string, at: Date): Promise<number | undefined> {
  const [row] = await db('tasks')
    .where({ workflow_id: workflowId, step, status: 'open' })
    .update({ status: 'done', outcome_code: outcome, completed_at: at })
    .returning<{ id: number }[]>('id');
  return row?.id;
}

/** Every task a workflow left open is cancelled: nothing is left to do on it. */
export async function cancelOpenTasks(db: Knex, workflowId: string, at: Date): Promise<void> {
  await db('tasks').where({ workflow_id: workflowId, status: 'open' }).update({ status: 'cancelled', completed_at: at });
}

export async function openTask(
  db: Knex,
  task: {
    kind: 'call' | 'escalation' | 'fix_account' | 'fix_contact' | 'declaration' | 'underwriting';
    step: string;
    policyNo: string;
    dueDate: string;
    assigneeAgentCode: string | null;
    assigneeRole: 'agent' | 'team_lead' | 'operations' | 'underwriter';
    dueAt: Date;
    workflowId: string;
    runId: string;
    activityId: string;
  },
): Promise<{ id: number; created: boolean }> {
  const inserted = await db('tasks')
    .insert({
      kind: task.kind,
      step: task.step,
      policy_no: task.policyNo,
      due_date: task.dueDate,
      assignee_agent_code: task.assigneeAgentCode,
      assignee_role: task.assigneeRole,
      due_at: task.dueAt,
      workflow_id: task.workflowId,
      run_id: task.runId,
      activity_id: task.activityId,
    })
    .onConflict(['workflow_id', 'step', 'kind'])
    .ignore()
    .returning<{ id: number }[]>('id');
  if (inserted[0]) return { id: inserted[0].id, created: true };
  const existing = await db('tasks').where({ workflow_id: task.workflowId, step: task.step, kind: task.kind }).first<{ id: number }>('id');
  return { id: existing.id, created: false };
}

export type NewTask = Parameters<typeof openTask>[1];

/**
 * Opens a task and, the first time, its `task_opened` audit row, in one transaction: a task is never
 * there without its row in the trail, and opening it again (a retried activity) writes nothing.
 */
export async function openAuditedTask(
  db: Knex,
  task: NewTask,
  audit: Omit<AuditEvent, 'kind' | 'detail'>,
  detail: Record<string, unknown> = {},
): Promise<{ id: number; created: boolean }> {
  return db.transaction(async (trx) => {
    const opened = await openTask(trx, task);
    if (opened.created) {
      await appendAudit(trx, {
        ...audit,
        kind: 'task_opened',
        detail: { taskId: opened.id, step: task.step, task: task.kind, assigneeRole: task.assigneeRole, ...detail },
      });
    }
    return opened;
  });
}

/** A task as operations list it: no personal data (assignees are agent codes and roles). */
export interface TaskListRow {
  id: number;
  kind: string;
  step: string;
  /** Empty for a task of no policy (a provider's outage). */
  policy_no: string | null;
  due_date: string | null;
  assignee_agent_code: string | null;
  assignee_role: 'agent' | 'team_lead' | 'operations' | 'underwriter';
  due_at: Date;
  status: 'open' | 'done' | 'cancelled';
  outcome_code: string | null;
  workflow_id: string;
  created_at: Date;
  completed_at: Date | null;
}

export interface TaskFilter {
  status?: 'open' | 'done' | 'all';
  assigneeAgentCode?: string;
  assigneeRole?: TaskListRow['assignee_role'];
  policyNo?: string;
  limit?: number;
}

/** Tasks for a work list: open ones soonest due first; done ones most recently completed first. */
export async function listTasks(db: Knex, filter: TaskFilter = {}): Promise<TaskListRow[]> {
  const query = db('tasks').select<TaskListRow[]>(
    'id',
    'kind',
    'step',
    'policy_no',
    'due_date',
    'assignee_agent_code',
    'assignee_role',
    'due_at',
    'status',
    'outcome_code',
    'workflow_id',
    'created_at',
    'completed_at',
  );
  const status = filter.status ?? 'open';
  if (status !== 'all') query.where('status', status);
  if (filter.assigneeAgentCode !== undefined) query.where('assignee_agent_code', filter.assigneeAgentCode);
  if (filter.assigneeRole !== undefined) query.where('assignee_role', filter.assigneeRole);
  if (filter.policyNo !== undefined) query.where('policy_no', filter.policyNo);
  if (status === 'done') query.orderBy([{ column: 'completed_at', order: 'desc' }, { column: 'id', order: 'desc' }]);
  else query.orderBy([{ column: 'due_at' }, { column: 'id' }]);
  return query.limit(filter.limit ?? 1000);
}

export async function taskById(db: Knex, id: number): Promise<TaskListRow | undefined> {
  return db('tasks').where({ id }).first<TaskListRow | undefined>();
}

/**
 * Closes a task whose cycle can no longer take the outcome (it is over, or never tracked the task),
 * with its `task_completed` audit row, in one transaction. False when the task was not open.
 */
export async function closeTaskOutsideCycle(db: Knex, taskId: number, outcome: string, at: Date, actor: string): Promise<boolean> {
  return db.transaction(async (trx) => {
    const [row] = await trx('tasks')
      .where({ id: taskId, status: 'open' })
      .update({ status: 'done', outcome_code: outcome, completed_at: at })
      .returning<{ step: string; policy_no: string; due_date: string; workflow_id: string; run_id: string }[]>(['step', 'policy_no', 'due_date', 'workflow_id', 'run_id']);
    if (!row) return false;
    await appendAudit(trx, {
      kind: 'task_completed',
      actor,
      policyNo: row.policy_no,
      dueDate: row.due_date,
      workflowId: row.workflow_id,
      runId: row.run_id,
      detail: { taskId, step: row.step, outcome, closedOutsideCycle: true },
    });
    return true;
  });
}
