import type { Knex } from 'knex';
import type { Scope } from '../../domain/roles';
import { escalatedAssignee } from '../../domain/task-escalation';
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
    kind: 'call' | 'escalation' | 'fix_account' | 'fix_contact' | 'declaration' | 'underwriting' | 'payment_confirmation';
    step: string;
    policyNo: string;
    dueDate: string;
    assigneeAgentCode: string | null;
    assigneeRole: 'agent' | 'team_lead' | 'operations' | 'underwriter';
    dueAt: Date;
    workflowId: string;
    runId: string;
    activityId: string;
    /** domain/task-priority.ts; 0 when not computed. */
    priority?: number;
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
      priority: task.priority ?? 0,
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
  /** settled: closed by itself when its premium was paid or its cycle closed. */
  status: 'open' | 'done' | 'cancelled' | 'settled';
  outcome_code: string | null;
  workflow_id: string;
  created_at: Date;
  completed_at: Date | null;
  priority: number;
  /** When the task, overdue, went to the team lead; and the agent code it was taken from. */
  escalated_at: Date | null;
  escalated_from: string | null;
}

export interface TaskFilter {
  status?: 'open' | 'done' | 'settled' | 'all';
  assigneeAgentCode?: string;
  assigneeRole?: TaskListRow['assignee_role'];
  policyNo?: string;
  /** Only tasks of policies in these scopes (docs/architecture.md#people); absent or empty: all. */
  scopes?: readonly Scope[];
  limit?: number;
}

/**
 * Keeps the tasks whose policy is in one of the scopes (none: every task), gathering the scope's
 * policies one kind at a time, each through its index (migration 035), as reports/scope-sql.ts does.
 */
function inScope(query: Knex.QueryBuilder, scopes: readonly Scope[]): void {
  if (scopes.length === 0) return;
  const of = (kind: Scope['kind']) => scopes.filter((s) => s.kind === kind).map((s) => s.value);
  query.whereIn('policy_no', (policies) => {
    policies
      .select('policy_no')
      .from('policies')
      .whereIn('branch_code', of('branch'))
      .unionAll((own) => {
        own.select('policy_no').from('policies').whereIn('agent_code', of('own'));
      })
      .unionAll((team) => {
        team
          .select('policy_no')
          .from('policies')
          .whereIn('agent_code', (agents) => {
            agents.select('code').from('agents').whereIn('team_code', of('team'));
          });
      });
  });
}

/** Open tasks in the scopes counted by whole days since they were made (Shanghai dates; none before today). */
export async function openTaskAges(db: Knex, scopes: readonly Scope[], today: string): Promise<{ days: number; tasks: number }[]> {
  const query = db('tasks')
    .where('status', 'open')
    .select<{ days: number; tasks: string }[]>(db.raw(`GREATEST(0, CAST(? AS date) - (created_at AT TIME ZONE 'Asia/Shanghai')::date) AS days`, [today]), db.raw('count(*) AS tasks'))
    .groupBy('days');
  inScope(query, scopes);
  return (await query).map((r) => ({ days: Number(r.days), tasks: Number(r.tasks) }));
}

/** Tasks for a work list: open ones highest priority first, then soonest due; closed ones most recently completed first. */
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
    'priority',
    'escalated_at',
    'escalated_from',
  );
  const status = filter.status ?? 'open';
  if (status !== 'all') query.where('status', status);
  if (filter.assigneeAgentCode !== undefined) query.where('assignee_agent_code', filter.assigneeAgentCode);
  if (filter.assigneeRole !== undefined) query.where('assignee_role', filter.assigneeRole);
  if (filter.policyNo !== undefined) query.where('policy_no', filter.policyNo);
  inScope(query, filter.scopes ?? []);
  if (status === 'done' || status === 'settled') query.orderBy([{ column: 'completed_at', order: 'desc' }, { column: 'id', order: 'desc' }]);
  else query.orderBy([{ column: 'priority', order: 'desc' }, { column: 'due_at' }, { column: 'id' }]);
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

/**
 * Every task still open on this cycle closes itself as `settled` (its premium was paid, or the cycle
 * closed), each with its `task_settled` audit row. Run inside the transaction that records the fact
 * (docs/business-rules.md#tasks-that-act); a second run finds nothing open and writes nothing.
 */
export async function settleOpenTasks(
  db: Knex,
  workflowId: string,
  at: Date,
  audit: Omit<AuditEvent, 'kind' | 'detail'>,
  because: string,
  keepKinds: readonly string[] = [],
): Promise<number[]> {
  const query = db('tasks').where({ workflow_id: workflowId, status: 'open' });
  if (keepKinds.length > 0) query.whereNotIn('kind', [...keepKinds]);
  const rows = await query
    .update({ status: 'settled', outcome_code: because, completed_at: at })
    .returning<{ id: number; step: string; kind: string; policy_no: string | null; due_date: string | null }[]>(['id', 'step', 'kind', 'policy_no', 'due_date']);
  for (const row of rows.sort((a, b) => Number(a.id) - Number(b.id))) {
    await appendAudit(db, {
      ...audit,
      kind: 'task_settled',
      ...(row.policy_no ? { policyNo: row.policy_no } : {}),
      ...(row.due_date ? { dueDate: row.due_date } : {}),
      workflowId,
      detail: { taskId: Number(row.id), step: row.step, task: row.kind, because },
    });
  }
  return rows.map((r) => Number(r.id)).sort((a, b) => a - b);
}

/** An open task past its deadline, not yet escalated, as the sweep sees it. */
export interface OverdueTask {
  id: number;
  step: string;
  kind: string;
  policy_no: string | null;
  due_date: string | null;
  assignee_agent_code: string | null;
  assignee_role: TaskListRow['assignee_role'];
  due_at: Date;
  workflow_id: string;
}

/**
 * Open tasks whose deadline passed before `now` and that were not escalated yet, oldest first. A
 * provider's outage and an undelivered policy administration change are operations' technical tasks,
 * which a servicing agent's team lead cannot act on: never escalated.
 */
export async function overdueTasks(db: Knex, now: Date, limit = 500): Promise<OverdueTask[]> {
  return db('tasks')
    .where('status', 'open')
    .whereNull('escalated_at')
    .where('due_at', '<', now)
    .whereNotIn('kind', ['provider_outage', 'policy_admin_undelivered'])
    .orderBy([{ column: 'due_at' }, { column: 'id' }])
    .limit(limit)
    .select<OverdueTask[]>('id', 'step', 'kind', 'policy_no', 'due_date', 'assignee_agent_code', 'assignee_role', 'due_at', 'workflow_id');
}

/**
 * Escalates one overdue task to `to` (the team lead's code, or operations when none is known), with
 * its `task_escalated` audit row, in one transaction. False when the task is no longer open and
 * overdue-unescalated (closed or escalated meanwhile): escalating twice writes nothing.
 */
export async function escalateTask(
  db: Knex,
  taskId: number,
  to: { role: TaskListRow['assignee_role']; agentCode: string | null },
  at: Date,
  actor: string,
): Promise<boolean> {
  return db.transaction(async (trx) => {
    const before = await trx('tasks').where({ id: taskId, status: 'open' }).whereNull('escalated_at').forUpdate().first<OverdueTask | undefined>();
    if (!before) return false;
    await trx('tasks')
      .where({ id: taskId })
      .update({ escalated_at: at, escalated_from: before.assignee_agent_code, assignee_role: to.role, assignee_agent_code: to.agentCode });
    await appendAudit(trx, {
      kind: 'task_escalated',
      actor,
      ...(before.policy_no ? { policyNo: before.policy_no } : {}),
      ...(before.due_date ? { dueDate: before.due_date } : {}),
      workflowId: before.workflow_id,
      occurredAt: at,
      detail: {
        taskId,
        step: before.step,
        task: before.kind,
        dueAt: new Date(before.due_at).toISOString(),
        from: { role: before.assignee_role, agent: before.assignee_agent_code },
        to: { role: to.role, agent: to.agentCode },
      },
    });
    return true;
  });
}

export interface EscalationSweep {
  /** Tasks found overdue and not yet escalated. */
  overdue: number;
  escalated: { taskId: number; step: string; policyNo: string | null; toRole: TaskListRow['assignee_role']; toAgent: string | null }[];
}

/**
 * One sweep of the overdue tasks (docs/business-rules.md#tasks-that-act): each open task past its
 * deadline goes to the servicing agent's team lead (domain/task-escalation.ts), audited, once. Run
 * by the hourly schedule and by `renewals tasks escalate`; two sweeps at once escalate each task once.
 */
export async function escalateOverdueTasks(db: Knex, now: Date, actor: string): Promise<EscalationSweep> {
  const overdue = await overdueTasks(db, now);
  const escalated: EscalationSweep['escalated'] = [];
  for (const task of overdue) {
    const teamLead = task.policy_no ? (await taskRoutingFor(db, task.policy_no)).teamLeadCode : null;
    const to = escalatedAssignee({ role: task.assignee_role, agentCode: task.assignee_agent_code }, teamLead);
    if (await escalateTask(db, Number(task.id), to, now, actor)) {
      escalated.push({ taskId: Number(task.id), step: task.step, policyNo: task.policy_no, toRole: to.role, toAgent: to.agentCode });
    }
  }
  return { overdue: overdue.length, escalated };
}
