import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Knex } from 'knex';
import {
  contactsOfDue,
  debitAttemptsOfDue,
  lastRecordedStage,
  policyHeader,
  suspendedAt,
  tasksOfDue,
  type PolicyHeaderRow,
} from '../db/repositories/policy-view';
import { addYears, shanghaiDate, type CivilDate } from '../domain/civil-date';
import { formatYuan } from '../domain/money';
import { statusQuery, type RenewalCycleStatus } from '../workflows/messages';
import { findCycle, OperatorError, type CycleTarget } from './operator-events';

const SHANGHAI_OFFSET_MS = 8 * 3_600_000;

/** An instant as operators read it: Asia/Shanghai wall-clock time, to the second. */
export function shanghaiTime(at: Date | number | string): string {
  const ms = typeof at === 'number' ? at : new Date(at).getTime();
  return new Date(ms + SHANGHAI_OFFSET_MS).toISOString().slice(0, 19).replace('T', ' ');
}

/** Where the cycle stands: asked of the running workflow, or read from PostgreSQL once it is over. */
export interface CycleView {
  workflowId: string;
  /** RUNNING, COMPLETED, TERMINATED…, or NOT_STARTED; UNKNOWN when Temporal could not be asked. */
  execution: string;
  source: 'status query' | 'database';
  stage: string | null;
  nextAction: string;
  nextActionAt: string | null;
  debitAttempts: number;
  holds: string[];
  promiseUntil: string | null;
  lastContact: string | null;
  plan: string | null;
  note?: string;
}

export interface PolicyView {
  policy: {
    policyNo: string;
    holder: string;
    holderId: string;
    product: string;
    plan: string;
    channel: string;
    branch: string;
    agent: string;
    premium: string;
    frequency: string;
    status: string;
    mandate: string | null;
  };
  premium: {
    dueDate: CivilDate;
    installmentNo: number;
    amount: string;
    status: string;
    paidOn: string | null;
    paidVia: string | null;
    runMonth: string | null;
  };
  cycle: CycleView;
  debitAttempts: { no: number; date: CivilDate; amount: string; status: string; reason: string | null; bankRef: string | null; resolvedAt: string | null }[];
  contacts: { step: string; channel: string; status: string; suppressedRule: string | null; at: string }[];
  tasks: { id: number; kind: string; step: string; assignee: string; role: string; status: string; outcome: string | null; dueAt: string }[];
}

/** Runs work with a Temporal client (the CLI passes withTemporalClient); may throw if none can be had. */
export type WithTemporal = <T>(work: (client: Client) => Promise<T>) => Promise<T>;

/** Everything `renewals policy show` prints, masked: personal data never leaves the masked columns. */
export async function loadPolicyView(db: Knex, withTemporal: WithTemporal, policyNo: string, due?: CivilDate): Promise<PolicyView> {
  const header = await policyHeader(db, policyNo);
  if (!header) throw new OperatorError(`no policy ${policyNo} in the database`);
  const target = await findCycle(db, policyNo, due);
  const [debits, contacts, tasks] = await Promise.all([
    debitAttemptsOfDue(db, target.premium.id),
    contactsOfDue(db, policyNo, target.dueDate),
    tasksOfDue(db, policyNo, target.dueDate),
  ]);
  const { premium } = target;
  return {
    policy: describePolicy(header),
    premium: {
      dueDate: premium.due_date,
      installmentNo: premium.installment_no,
      amount: formatYuan(premium.amount_fen),
      status: premium.status,
      paidOn: premium.paid_at ? shanghaiTime(premium.paid_at) : null,
      paidVia: premium.paid_via,
      runMonth: premium.run_month,
    },
    cycle: await cycleView(db, withTemporal, target),
    debitAttempts: debits.map((d) => ({
      no: d.attempt_no,
      date: d.collection_date,
      amount: formatYuan(d.amount_fen),
      status: d.status,
      reason: d.reason ? `${d.reason}${d.raw_code ? ` (${d.raw_code})` : ''}` : null,
      bankRef: d.bank_ref,
      resolvedAt: d.resolved_at ? shanghaiTime(d.resolved_at) : null,
    })),
    contacts: contacts.map((c) => ({
      step: c.step,
      channel: c.channel,
      status: c.status,
      suppressedRule: c.suppressed_rule,
      at: shanghaiTime(c.sent_at ?? c.planned_at),
    })),
    tasks: tasks.map((t) => ({
      id: t.id,
      kind: t.kind,
      step: t.step,
      assignee: t.assignee_agent_code ?? `(${t.assignee_role})`,
      role: t.assignee_role,
      status: t.status,
      outcome: t.outcome_code,
      dueAt: shanghaiTime(t.due_at),
    })),
  };
}

function describePolicy(p: PolicyHeaderRow): PolicyView['policy'] {
  let agent: string;
  if (!p.agent_code) agent = 'orphan (no servicing agent)';
  else if (p.agent_status === 'departed') agent = `${p.agent_code} ${p.agent_name_masked ?? ''} (departed: orphan)`.replace('  ', ' ');
  else agent = `${p.agent_code}${p.agent_name_masked ? ` ${p.agent_name_masked}` : ''}`;
  return {
    policyNo: p.policy_no,
    holder: p.holder_name_masked,
    holderId: `${p.holder_id_type} ${p.holder_id_no_masked}`,
    product: `${p.product_code} ${p.product_name}`,
    plan: `${p.plan_code}, ${p.grace_days} grace days`,
    channel: p.channel,
    branch: p.branch_name ? `${p.branch_code} ${p.branch_name}` : p.branch_code,
    agent,
    premium: formatYuan(p.premium_fen),
    frequency: p.payment_frequency,
    status: p.status,
    mandate: p.mandate_bank_code ? `${p.mandate_bank_code} ${p.mandate_account_masked ?? ''}`.trim() : null,
  };
}

/** A status query gets this long: a cycle whose worker is down must not hang the command. */
const QUERY_DEADLINE_MS = 5_000;

/** The cycle's status query (the running workflow), else its last recorded stage; the console's task page reuses it. */
export async function cycleView(db: Knex, withTemporal: WithTemporal, target: CycleTarget): Promise<CycleView> {
  let live: { execution: string; status?: RenewalCycleStatus; note?: string };
  try {
    live = await withTemporal(async (client) => {
      const handle = client.workflow.getHandle(target.workflowId);
      let execution: string;
      try {
        execution = (await handle.describe()).status.name;
      } catch (error) {
        if (error instanceof WorkflowNotFoundError) return { execution: 'NOT_STARTED' };
        throw error;
      }
      if (execution !== 'RUNNING') return { execution };
      try {
        return { execution, status: await client.withDeadline(Date.now() + QUERY_DEADLINE_MS, () => handle.query(statusQuery)) };
      } catch (error) {
        return { execution, note: `status query unanswered (is a worker running?): ${(error as Error).message}` };
      }
    });
  } catch (error) {
    live = { execution: 'UNKNOWN', note: `Temporal not asked: ${(error as Error).message}` };
  }
  if (live.status) {
    const s = live.status;
    return {
      workflowId: target.workflowId,
      execution: live.execution,
      source: 'status query',
      stage: s.stage,
      nextAction: s.nextAction,
      nextActionAt: s.nextActionAt ? shanghaiTime(s.nextActionAt) : null,
      debitAttempts: s.debitAttempts,
      holds: s.holds,
      promiseUntil: s.promiseUntil ?? null,
      lastContact: s.lastContact ? describeLastContact(s.lastContact) : null,
      plan: s.plan ?? null,
    };
  }
  return { ...(await cycleFromDatabase(db, target, live.execution)), ...(live.note ? { note: live.note } : {}) };
}

function describeLastContact(c: NonNullable<RenewalCycleStatus['lastContact']>): string {
  const parts = [c.sent.length ? `sent ${c.sent.join(', ')}` : '', c.suppressed.length ? `suppressed ${c.suppressed.join(', ')}` : ''].filter(Boolean);
  return `${c.step}: ${parts.join('; ') || 'nothing sent'}`;
}

/** A cycle that is over (or cannot be asked): its last recorded stage and what, if anything, comes next. */
async function cycleFromDatabase(db: Knex, target: CycleTarget, execution: string): Promise<CycleView> {
  const recorded = await lastRecordedStage(db, target.policyNo, target.dueDate);
  const attempts = await debitAttemptsOfDue(db, target.premium.id);
  let nextAction: string;
  let nextActionAt: string | null = null;
  if (execution === 'NOT_STARTED') nextAction = 'cycle not started yet (the monthly run starts it)';
  else if (target.premium.status === 'paid') nextAction = 'none: premium paid';
  else if (target.premium.status === 'lapsed') {
    // The window as the cycle opened it (the product's years); the law's two years for a suspension
    // recorded before the window stage kept one.
    const window = await db('suspensions').where({ premium_due_id: target.premium.id }).first<{ window_closes_on: string; outcome: string } | undefined>('window_closes_on', 'outcome');
    const suspended = await suspendedAt(db, target.policyNo, target.dueDate);
    nextAction = window && window.outcome !== 'open' ? `none: suspension ended (${window.outcome.replace(/_/g, ' ')})` : 'none: policy suspended; reinstatement on application';
    if (window) nextActionAt = `window closes ${window.window_closes_on}`;
    else if (suspended) nextActionAt = `window closes ${addYears(shanghaiDate(suspended.getTime()), 2)}`;
  } else if (execution === 'RUNNING' || execution === 'UNKNOWN') nextAction = 'unknown (the running cycle could not be asked)';
  else nextAction = `none: cycle ${execution.toLowerCase()}`;
  return {
    workflowId: target.workflowId,
    execution,
    source: 'database',
    stage: recorded?.stage ?? null,
    nextAction,
    nextActionAt,
    debitAttempts: attempts.length,
    holds: [],
    promiseUntil: null,
    lastContact: null,
    plan: null,
  };
}
