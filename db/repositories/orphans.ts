import type { Knex } from 'knex';
import type { CivilDate } from '../../domain/civil-date';
import type { ServicingRole } from '../../domain/orphans';
import { appendAudit } from './audit';

/** Orphan policies (docs/business-rules.md#orphan-policies): departures, reassignment, who serves a policy now. */

export interface AgentRow {
  code: string;
  status: 'active' | 'departed';
  team_code: string;
  branch_code: string;
  leader_code: string | null;
}

export async function agentByCode(db: Knex, code: string): Promise<AgentRow | undefined> {
  return db('agents').where({ code }).first<AgentRow | undefined>('code', 'status', 'team_code', 'branch_code', 'leader_code');
}

/** A team's active agents, by code. */
export async function activeAgentsOfTeam(db: Knex, teamCode: string): Promise<string[]> {
  return db('agents').where({ team_code: teamCode, status: 'active' }).orderBy('code').pluck<string[]>('code');
}

/** Statuses of a policy that still has a customer to serve. */
const SERVICED = ['in_force', 'grace', 'lapsed'];

/** The policies an agent serves that still have a customer to serve, by policy number. */
export async function policiesServedBy(db: Knex, agentCode: string): Promise<string[]> {
  return db('policies').where({ agent_code: agentCode }).whereIn('status', SERVICED).orderBy('policy_no').pluck<string[]>('policy_no');
}

/**
 * The agent departed on that day: their status and the departure row with its audit row, in one
 * transaction. Recording the same departure again writes nothing (recorded: false).
 */
export async function recordDeparture(db: Knex, departure: { agentCode: string; departedOn: CivilDate; operator: string; at?: Date }): Promise<{ recorded: boolean }> {
  return db.transaction(async (trx) => {
    const inserted = await trx('agent_departures')
      .insert({ agent_code: departure.agentCode, departed_on: departure.departedOn, recorded_by: departure.operator })
      .onConflict(['agent_code', 'departed_on'])
      .ignore()
      .returning<{ agent_code: string }[]>('agent_code');
    if (inserted.length === 0) return { recorded: false };
    await trx('agents').where({ code: departure.agentCode }).update({ status: 'departed', updated_at: trx.fn.now() });
    await appendAudit(trx, {
      kind: 'agent_departed',
      actor: departure.operator,
      ...(departure.at ? { occurredAt: departure.at } : {}),
      detail: { agentCode: departure.agentCode, departedOn: departure.departedOn },
    });
    return { recorded: true };
  });
}

export interface Servicing {
  role: ServicingRole;
  code: string;
  /** As stored on the agents row (masked at import): never the name in clear. */
  nameMasked: string;
}

/**
 * Who serves a policy now: its agent while active; else the team lead (the agent's leader, else the
 * team's) while active; undefined when neither is known.
 */
export async function servicingOf(db: Knex, policyNo: string): Promise<Servicing | undefined> {
  const row = await db('policies as p')
    .leftJoin('agents as a', 'a.code', 'p.agent_code')
    .leftJoin('teams as t', 't.code', 'a.team_code')
    .where('p.policy_no', policyNo)
    .first<{ agent_code: string | null; status: string | null; name_masked: string | null; lead: string | null } | undefined>(
      'p.agent_code',
      'a.status',
      'a.name_masked',
      db.raw('coalesce(a.leader_code, t.leader_code) as lead'),
    );
  if (!row) return undefined;
  if (row.agent_code && row.status === 'active' && row.name_masked) return { role: 'agent', code: row.agent_code, nameMasked: row.name_masked };
  if (!row.lead) return undefined;
  const lead = await db('agents').where({ code: row.lead, status: 'active' }).first<{ code: string; name_masked: string } | undefined>('code', 'name_masked');
  return lead ? { role: 'team_lead', code: lead.code, nameMasked: lead.name_masked } : undefined;
}

export interface Reassignment {
  policyNo: string;
  from: string | null;
  to: string;
  /** Open tasks of the policy that were the old agent's, now the new one's. */
  tasksMoved: number;
}

/**
 * Servicing moves: each policy's agent, and the open tasks the old agent held on it, with one audit
 * row per policy, all in one transaction. A policy already served by its new agent is left alone.
 */
export async function reassignPolicies(db: Knex, moves: ReadonlyMap<string, string>, operator: string): Promise<Reassignment[]> {
  return db.transaction(async (trx) => {
    const done: Reassignment[] = [];
    for (const [policyNo, to] of moves) {
      const policy = await trx('policies').where({ policy_no: policyNo }).forUpdate().first<{ agent_code: string | null } | undefined>('agent_code');
      if (!policy || policy.agent_code === to) continue;
      await trx('policies').where({ policy_no: policyNo }).update({ agent_code: to, updated_at: trx.fn.now() });
      const tasksMoved = policy.agent_code
        ? await trx('tasks').where({ policy_no: policyNo, status: 'open', assignee_agent_code: policy.agent_code, assignee_role: 'agent' }).update({ assignee_agent_code: to })
        : 0;
      await appendAudit(trx, { kind: 'policy_reassigned', actor: operator, policyNo, detail: { from: policy.agent_code, to, tasksMoved } });
      done.push({ policyNo, from: policy.agent_code, to, tasksMoved });
    }
    return done;
  });
}

/** The cycles still collecting a premium of these policies: their workflow IDs. */
export async function runningCyclesOf(db: Knex, policyNos: readonly string[]): Promise<{ policyNo: string; dueDate: string; workflowId: string }[]> {
  if (policyNos.length === 0) return [];
  const rows = await db('premium_dues')
    .whereIn('policy_no', policyNos)
    .where({ status: 'due' })
    .whereNotNull('workflow_id')
    .orderBy(['policy_no', 'due_date'])
    .select<{ policy_no: string; due_date: string; workflow_id: string }[]>('policy_no', db.raw(`to_char(due_date, 'YYYY-MM-DD') as due_date`), 'workflow_id');
  return rows.map((r) => ({ policyNo: r.policy_no, dueDate: r.due_date, workflowId: r.workflow_id }));
}
