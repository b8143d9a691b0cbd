import type { Client } from '@temporalio/client';
import type { Knex } from 'knex';
import { completeTaskOf, findCycle, type CompletedTask } from '../application/operator-events';
import { cycleView, shanghaiTime, type CycleView } from '../application/policy-view';
import { contactPointFor } from '../db/repositories/contacts';
import { loadCycleContext, premiumsGrace } from '../db/repositories/cycles';
import { debitAttemptsOfDue, policyHeader } from '../db/repositories/policy-view';
import { listTasks, taskById, type TaskListRow } from '../db/repositories/tasks';
import { policyPlace } from '../db/repositories/users';
import { callScriptFor, COMMON_OBJECTIONS, type CallContext, type CallScript, type Objection } from '../domain/call-scripts';
import { daysBetween, isCivilDate, type CivilDate } from '../domain/civil-date';
import { REASON_RULES, type DebitReason } from '../domain/debit-reasons';
import { lastGraceDay } from '../domain/cycle-schedule';
import { NON_PAYMENT_REASON_CODES } from '../domain/non-payment-reasons';
import { mayRun, policyInScope } from '../domain/permissions';
import type { Scope } from '../domain/roles';
import { outcomesOf, type OutcomeDetails } from '../domain/task-outcomes';
import type { ConsoleRunOptions } from './monthly-runs';
import type { ConsoleSession } from './sessions';

/**
 * The work queue and the task page (docs/architecture.md#console): the person's open tasks as
 * `renewals tasks list` finds them (db/repositories/tasks.ts listTasks, filtered to the scope), and one
 * task with its cycle, call script and masked contact. Outcomes go through `completeTaskOf`, the path
 * of `renewals tasks complete`, signed with the person's ref.
 */

/** The permission-table entries the pages answer to (domain/permissions.ts). */
export const LIST_TASKS = 'tasks list';
export const COMPLETE_TASK = 'tasks complete';

/** How many tasks the queue shows: a day's work and more; the rest follow as these close. */
export const QUEUE_LIMIT = 200;

/** The Temporal client the console asks cycles through; absent, pages still show, outcomes are refused. */
export interface ConsoleTemporal {
  client: Client;
  /** How long an outcome waits for its cycle (RENEWALS_UPDATE_TIMEOUT_MS). */
  updateTimeoutMs?: number;
  /** How the runs page starts a month (console/monthly-runs.ts): the workers' TASK_QUEUE, as the CLI. */
  runOptions?: ConsoleRunOptions;
}

export function mayListTasks(session: Pick<ConsoleSession, 'roles'>): boolean {
  return mayRun(session.roles, LIST_TASKS);
}

export function mayCompleteTasks(session: Pick<ConsoleSession, 'roles'>): boolean {
  return mayRun(session.roles, COMPLETE_TASK);
}

/** One row of the queue: codes and numbers only, no personal data. */
export interface QueueRow {
  id: number;
  step: string;
  policyNo: string | null;
  /** The task's own deadline, Asia/Shanghai. */
  dueAt: string;
  /** Whole days to the last grace day; null once lapsed (a reinstatement-window call) or with no premium. */
  daysLeft: number | null;
  priority: number;
  assigneeAgentCode: string | null;
  assigneeRole: TaskListRow['assignee_role'];
}

/** Days from `today` to the premium's last grace day (domain/cycle-schedule.ts); null once lapsed. */
function daysLeftOf(premium: { status: string; graceDays: number } | undefined, dueDate: string | null, today: CivilDate): number | null {
  if (!premium || dueDate === null || premium.status === 'lapsed') return null;
  return daysBetween(today, lastGraceDay({ dueDate, graceDays: premium.graceDays }));
}

/**
 * The person's open tasks: highest priority first (domain/task-priority.ts, stored on the task: the
 * premium's value and the days to lapse weighed together), then fewest days left to lapse.
 */
export async function workQueue(db: Knex, scopes: readonly Scope[], today: CivilDate): Promise<QueueRow[]> {
  const tasks = await listTasks(db, { status: 'open', scopes, limit: QUEUE_LIMIT });
  const premiums = await premiumsGrace(
    db,
    tasks.filter((t) => t.policy_no !== null && t.due_date !== null).map((t) => ({ policyNo: t.policy_no!, dueDate: t.due_date! })),
  );
  const rows = tasks.map(
    (t): QueueRow => ({
      id: Number(t.id),
      step: t.step,
      policyNo: t.policy_no,
      dueAt: shanghaiTime(t.due_at),
      daysLeft: daysLeftOf(premiums.get(`${t.policy_no}|${t.due_date}`), t.due_date, today),
      priority: t.priority,
      assigneeAgentCode: t.assignee_agent_code,
      assigneeRole: t.assignee_role,
    }),
  );
  const left = (row: QueueRow) => row.daysLeft ?? Number.MAX_SAFE_INTEGER;
  // Array.prototype.sort is stable: equal rows keep listTasks's order (soonest task deadline).
  return rows.sort((a, b) => b.priority - a.priority || left(a) - left(b));
}

/**
 * The task if the person may see it: undefined for an unknown task and for one whose policy is outside
 * the scope alike, so a URL does not tell whether a task exists (scope rule `task`).
 */
export async function taskInScope(db: Knex, scopes: readonly Scope[], id: number): Promise<TaskListRow | undefined> {
  const task = await taskById(db, id);
  if (!task || scopes.length === 0) return task;
  if (task.policy_no === null) return undefined;
  const place = await policyPlace(db, task.policy_no);
  return place && policyInScope(scopes, place) ? task : undefined;
}

export interface ScriptWithObjections {
  script: CallScript;
  /** Each objection with how to answer it and the reason code it maps to. */
  objections: { objection: Objection; handling: CallScript['objectionHandling']; reason?: CallScript['nonPaymentReason'] }[];
}

/** The masked contact of the policyholder: the stored masked values only (domain/masking.ts wrote them). */
export interface MaskedContact {
  holder: string | null;
  mobile: string | null;
  mobileStatus: string | null;
}

export interface TaskPage {
  task: TaskListRow;
  daysLeft: number | null;
  cycle: CycleView | null;
  script: ScriptWithObjections | null;
  contact: MaskedContact;
  /** The outcomes the task's step takes (domain/task-outcomes.ts); none once it is closed. */
  outcomes: readonly string[];
}

const OBJECTIONS: readonly Objection[] = [...NON_PAYMENT_REASON_CODES, ...COMMON_OBJECTIONS];

/** The call script of a call step, with every objection's answer; null for a step that is no call. */
function scriptOf(step: string, context: CallContext): ScriptWithObjections | null {
  let script: CallScript;
  try {
    script = callScriptFor(step, undefined, context);
  } catch (error) {
    if (error instanceof RangeError) return null;
    throw error;
  }
  return {
    script,
    objections: OBJECTIONS.map((objection) => {
      const fitted = callScriptFor(step, objection, context);
      return { objection, handling: fitted.objectionHandling, ...(fitted.nonPaymentReason !== undefined ? { reason: fitted.nonPaymentReason } : {}) };
    }),
  };
}

export async function loadTaskPage(db: Knex, temporal: ConsoleTemporal | undefined, task: TaskListRow, today: CivilDate): Promise<TaskPage> {
  const outcomes = task.status === 'open' ? outcomesOf(task.step) : [];
  if (task.policy_no === null || task.due_date === null) {
    return { task, daysLeft: null, cycle: null, script: null, contact: { holder: null, mobile: null, mobileStatus: null }, outcomes };
  }
  const policyNo = task.policy_no;
  const [header, cycle, mobile] = await Promise.all([policyHeader(db, policyNo), loadCycleContext(db, policyNo, task.due_date), contactPointFor(db, policyNo, 'mobile')]);
  const withTemporal = async <T>(work: (client: Client) => Promise<T>): Promise<T> => {
    if (!temporal) throw new Error('no Temporal client');
    return work(temporal.client);
  };
  const status = cycle ? await cycleView(db, withTemporal, await findCycle(db, policyNo, task.due_date)) : null;
  // The script fits the case: an orphan policy, the automatic premium loan, why the last debit failed.
  const context: CallContext = { orphan: !header?.agent_code || header.agent_status === 'departed' };
  if (cycle) {
    context.aplElected = cycle.snapshot.aplElected;
    const failed = (await debitAttemptsOfDue(db, cycle.premiumDueId)).filter((a) => a.reason !== null).at(-1)?.reason;
    if (failed && Object.hasOwn(REASON_RULES, failed)) context.debitReason = failed as DebitReason;
  }
  return {
    task,
    daysLeft: daysLeftOf(cycle && { status: cycle.status, graceDays: cycle.snapshot.graceDays }, task.due_date, today),
    cycle: status,
    script: scriptOf(task.step, context),
    contact: { holder: header?.holder_name_masked ?? null, mobile: mobile?.valueMasked ?? null, mobileStatus: mobile?.status ?? null },
    outcomes,
  };
}

/** Why the console did not send an outcome: a word of console/i18n.ts, said before the cycle is asked. */
export type OutcomeProblem = 'outcomeUnknown' | 'promiseDateMissing' | 'promiseDatePast' | 'reasonMissing' | 'temporalMissing';

/**
 * The outcome and its detail as the form sent them, checked against the task's step and `today`
 * (Asia/Shanghai) in the person's words; the cycle checks the date against its last grace day.
 */
export function outcomeOfForm(task: TaskListRow, form: { outcome?: unknown; date?: unknown; reason?: unknown }, today: CivilDate): { outcome: string; details: OutcomeDetails } | { problem: OutcomeProblem } {
  const outcome = typeof form.outcome === 'string' ? form.outcome : '';
  if (!outcomesOf(task.step).includes(outcome)) return { problem: 'outcomeUnknown' };
  if (outcome === 'promised') {
    if (typeof form.date !== 'string' || !isCivilDate(form.date)) return { problem: 'promiseDateMissing' };
    if (form.date < today) return { problem: 'promiseDatePast' };
    return { outcome, details: { date: form.date } };
  }
  if (outcome === 'refused') {
    if (typeof form.reason !== 'string' || !/^\d{1,2}$/.test(form.reason) || !(NON_PAYMENT_REASON_CODES as number[]).includes(Number(form.reason))) return { problem: 'reasonMissing' };
    return { outcome, details: { reason: form.reason } };
  }
  return { outcome, details: {} };
}

/** Reports the outcome as `renewals tasks complete` does: the running cycle validates it (OperatorError if not). */
export async function recordOutcome(db: Knex, temporal: ConsoleTemporal, taskId: number, outcome: string, details: OutcomeDetails, actor: string): Promise<CompletedTask> {
  return completeTaskOf(db, temporal.client, taskId, outcome, actor, temporal.updateTimeoutMs !== undefined ? { updateTimeoutMs: temporal.updateTimeoutMs } : {}, details);
}
