import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Knex } from 'knex';
import { loadCalendarSources } from '../db/repositories/calendar';
import {
  activeAgentsOfTeam,
  agentByCode,
  policiesServedBy,
  reassignPolicies,
  recordDeparture,
  runningCyclesOf,
  type Reassignment,
} from '../db/repositories/orphans';
import { cnMainlandCalendar, cycleCalendarYears } from '../domain/business-calendar';
import { isCivilDate, shanghaiDate, type CivilDate } from '../domain/civil-date';
import { isAgentCode, orphanNoticePlan, orphanNoticeWorkflowId, spreadOverAgents } from '../domain/orphans';
import { RENEWAL_TASK_QUEUE, servicingReassignedSignal } from '../workflows/messages';
import type { OrphanNoticeInput } from '../workflows/orphan-notice';
import type { orphanNotice } from '../workflows';
import { OperatorError } from './errors';

/** Orphan policies (docs/business-rules.md#orphan-policies): a departure and its notices, and reassignment. */

const usage = (message: string) => new OperatorError(message, true);

export function checkOperator(operator: string | undefined): string {
  const id = operator?.trim();
  if (!id || !/^\S{1,64}$/.test(id)) throw usage('--operator must be an ID of 1 to 64 characters without spaces');
  return id;
}

function checkAgentCode(option: string, code: string): string {
  if (!isAgentCode(code)) throw usage(`${option} must be an agent code (letters, digits, - and _), got ${JSON.stringify(code)}`);
  return code;
}

export interface DepartureResult {
  agentCode: string;
  departedOn: CivilDate;
  /** False when this departure was on file already (nothing written again). */
  recorded: boolean;
  /** When the notices go, ISO instant, and the day they must have gone by. */
  noticeAt: string;
  lastDay: CivilDate;
  late: boolean;
  policies: number;
  noticesStarted: number;
  /** Notices of this departure already started (a repeated depart). */
  noticesExisting: number;
}

/**
 * The agent departed: recorded with its audit row, then one orphanNotice workflow per policy they
 * served, named by policy and departure (REJECT_DUPLICATE), so a repeated depart starts nothing new.
 */
export async function recordAgentDeparture(
  db: Knex,
  client: Client,
  request: { agentCode: string; departedOn?: string; operator: string; now?: number; taskQueue?: string },
): Promise<DepartureResult> {
  const agentCode = checkAgentCode('AGENT', request.agentCode);
  const operator = checkOperator(request.operator);
  const now = request.now ?? Date.now();
  const departedOn = request.departedOn ?? shanghaiDate(now);
  if (!isCivilDate(departedOn)) throw usage(`--on must be a date YYYY-MM-DD, got ${JSON.stringify(departedOn)}`);
  if (!(await agentByCode(db, agentCode))) throw usage(`no agent ${agentCode} on file`);

  const { recorded } = await recordDeparture(db, { agentCode, departedOn, operator });
  const { rows, noticeYears } = await loadCalendarSources(db);
  const calendar = cnMainlandCalendar(rows, { noticeYears, computeYears: cycleCalendarYears(departedOn) });
  const plan = orphanNoticePlan(departedOn, calendar, now);
  const policies = await policiesServedBy(db, agentCode);
  let started = 0;
  for (const policyNo of policies) {
    const input: OrphanNoticeInput = { policyNo, agentCode, departedOn, sendAt: plan.sendAt, lastDay: plan.lastDay };
    try {
      await client.workflow.start<typeof orphanNotice>('orphanNotice', {
        workflowId: orphanNoticeWorkflowId(policyNo, agentCode, departedOn),
        taskQueue: request.taskQueue ?? RENEWAL_TASK_QUEUE,
        args: [input],
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
      });
      started++;
    } catch (error) {
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
    }
  }
  return {
    agentCode,
    departedOn,
    recorded,
    noticeAt: new Date(plan.sendAt).toISOString(),
    lastDay: plan.lastDay,
    late: plan.late,
    policies: policies.length,
    noticesStarted: started,
    noticesExisting: policies.length - started,
  };
}

export interface ReassignResult {
  from: string;
  moved: Reassignment[];
  /** Running cycles told (servicingReassigned signal), and those found closed meanwhile. */
  cyclesInformed: string[];
  cyclesClosed: string[];
}

/**
 * Servicing of every policy of `from` moves to one agent (`to`) or is spread over a team's active
 * agents (domain/orphans.ts spreadOverAgents), audited per policy in one transaction; then each
 * running cycle of those policies is told, so its trail and status say who serves it now.
 */
export async function reassignServicing(
  db: Knex,
  client: Client,
  request: { from: string; to?: string; team?: string; operator: string },
): Promise<ReassignResult> {
  const from = checkAgentCode('--from', request.from);
  const operator = checkOperator(request.operator);
  if ((request.to === undefined) === (request.team === undefined)) throw usage('give exactly one of --to AGENT or --team TEAM');
  if (!(await agentByCode(db, from))) throw usage(`--from: no agent ${from} on file`);

  const policies = await policiesServedBy(db, from);
  let moves: Map<string, string>;
  if (request.to !== undefined) {
    const to = checkAgentCode('--to', request.to);
    if (to === from) throw usage('--to must be another agent than --from');
    const agent = await agentByCode(db, to);
    if (!agent) throw usage(`--to: no agent ${to} on file`);
    if (agent.status !== 'active') throw usage(`--to: agent ${to} has departed; choose an active agent`);
    moves = new Map(policies.map((p) => [p, to]));
  } else {
    const team = request.team!;
    if (!/^[A-Za-z0-9_-]{1,32}$/.test(team)) throw usage(`--team must be a team code, got ${JSON.stringify(team)}`);
    const agents = (await activeAgentsOfTeam(db, team)).filter((a) => a !== from);
    if (agents.length === 0) throw usage(`--team: team ${team} has no active agent to take the policies`);
    moves = policies.length === 0 ? new Map<string, string>() : spreadOverAgents(policies, agents);
  }

  const moved = await reassignPolicies(db, moves, operator);
  const byPolicy = new Map(moved.map((m) => [m.policyNo, m]));
  const cyclesInformed: string[] = [];
  const cyclesClosed: string[] = [];
  for (const cycle of await runningCyclesOf(db, [...byPolicy.keys()])) {
    const move = byPolicy.get(cycle.policyNo)!;
    try {
      await client.workflow.getHandle(cycle.workflowId).signal(servicingReassignedSignal, { agentCode: move.to, from: move.from });
      cyclesInformed.push(cycle.workflowId);
    } catch (error) {
      if (!(error instanceof WorkflowNotFoundError)) throw error;
      cyclesClosed.push(cycle.workflowId);
    }
  }
  return { from, moved, cyclesInformed, cyclesClosed };
}
