import { WorkflowNotFoundError, WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError, type Client, type WorkflowHandle } from '@temporalio/client';
import type { Knex } from 'knex';
import { policyHeader, premiumDuesOf, lastRecordedStage, type PremiumDueRow } from '../db/repositories/policy-view';
import { appendAudit } from '../db/repositories/audit';
import { wrongNumberReported } from '../db/repositories/contacts';
import { closeTaskOutsideCycle, openAuditedTask, taskById, type TaskListRow } from '../db/repositories/tasks';
import { isCivilDate, shanghaiDate, shanghaiTimeInstant, type CivilDate } from '../domain/civil-date';
import { yuanToFen } from '../domain/money';
import { OperatorError } from './errors';
import { updateTimeoutMs, type UpdateOptions } from './update-deadline';
import { HOLD_KINDS, type HoldKind } from '../domain/holds';
import { isNonPaymentReason, type NonPaymentReasonCode } from '../domain/non-payment-reasons';
import { isPaymentReference, REPORTED_VIAS } from '../domain/payments';
import { outcomeEffect, outcomesOf, PAYMENT_CONFIRMATION_STEP, type OutcomeDetails, type OutcomeEffect } from '../domain/task-outcomes';
import { renewalWorkflowId } from '../domain/renewal-stage';
import {
  accountUpdatedUpdate,
  customerRefusedUpdate,
  holdPlacedUpdate,
  holdReleasedUpdate,
  paymentReceivedUpdate,
  promiseToPayUpdate,
  taskCompletedUpdate,
  type ReportedPayment,
  type RenewalCycleResult,
  type RenewalCycleStatus,
} from '../workflows/messages';

export { OperatorError } from './errors';

/** One thing an operator tells a cycle: exactly the updates of workflows/messages.ts that people send. */
export type OperatorEvent =
  | ({ kind: 'paymentReceived' } & ReportedPayment)
  | { kind: 'promiseToPay'; date: CivilDate }
  | { kind: 'customerRefused'; reasonCode: NonPaymentReasonCode }
  | { kind: 'holdPlaced'; hold: HoldKind }
  | { kind: 'holdReleased'; hold: HoldKind }
  | { kind: 'accountUpdated' };

/** A payment reported by a person (`renewals pay`, a confirmed counter payment). */
export type PaymentEvent = Extract<OperatorEvent, { kind: 'paymentReceived' }>;

const usage = (message: string) => new OperatorError(message, true);

/** Checks the values an operator typed, naming the argument at fault, before anything is sent. */
export function paymentEvent(via: string, reference: string, given: { amount?: string; paidAt?: string } = {}, now = Date.now()): PaymentEvent {
  const channel = REPORTED_VIAS.find((c) => c === via);
  if (!channel) throw usage(`--via must be one of ${REPORTED_VIAS.join(', ')}, got "${via}"`);
  if (!isPaymentReference(reference)) throw usage(`--reference must be the receipt or bank reference: 1–64 letters, digits, - or _, got "${reference}"`);
  const event: PaymentEvent = { kind: 'paymentReceived', via: channel, reference };
  if (given.amount !== undefined) {
    let fen: number;
    try {
      fen = yuanToFen(given.amount);
    } catch {
      throw usage(`--amount must be an amount in yuan with at most 2 decimals, e.g. 1234.50, got "${given.amount}"`);
    }
    if (fen <= 0) throw usage('--amount must be more than 0');
    event.amountFen = fen;
  }
  if (given.paidAt !== undefined) {
    const at = shanghaiTimeInstant(given.paidAt);
    if (at === undefined) throw usage(`--paid-at must be a Shanghai time YYYY-MM-DD HH:MM, got "${given.paidAt}"`);
    if (at > now) throw usage(`--paid-at ${given.paidAt} lies in the future`);
    event.paidAt = new Date(at).toISOString();
  }
  return event;
}

export function promiseEvent(date: string): OperatorEvent {
  if (!isCivilDate(date)) throw usage(`--date must be a date YYYY-MM-DD, got ${JSON.stringify(date)}`);
  return { kind: 'promiseToPay', date };
}

export function refusalEvent(reason: string): OperatorEvent {
  const code = /^\d{1,2}$/.test(reason) ? Number(reason) : Number.NaN;
  if (!isNonPaymentReason(code)) throw usage(`--reason must be a non-payment reason code 1–12, got "${reason}"`);
  return { kind: 'customerRefused', reasonCode: code };
}

export function holdEvent(kind: 'holdPlaced' | 'holdReleased', hold: string): OperatorEvent {
  const known = HOLD_KINDS.find((k) => k === hold);
  if (!known) throw usage(`--kind must be one of ${HOLD_KINDS.join(', ')}, got "${hold}"`);
  return { kind, hold: known };
}

export function dueOption(due: string | undefined): CivilDate | undefined {
  if (due !== undefined && !isCivilDate(due)) throw usage(`--due must be a date YYYY-MM-DD, got ${JSON.stringify(due)}`);
  return due;
}

/** The premium whose cycle an operator means, with the workflow that runs it. */
export interface CycleTarget {
  policyNo: string;
  dueDate: CivilDate;
  workflowId: string;
  premium: PremiumDueRow;
}

/**
 * The policy's current cycle: the premium still due (the open one), else its latest premium;
 * `--due` picks one by its due date. The workflow ID is the one the cycle linked in PostgreSQL, or
 * the one it will have (IDs are derived from policy and due date).
 */
export async function findCycle(db: Knex, policyNo: string, due?: CivilDate): Promise<CycleTarget> {
  if (!(await policyHeader(db, policyNo))) throw new OperatorError(`no policy ${policyNo} in the database`);
  const dues = await premiumDuesOf(db, policyNo);
  if (dues.length === 0) throw new OperatorError(`policy ${policyNo} has no premium due on record, so no cycle`);
  let premium: PremiumDueRow | undefined;
  if (due !== undefined) {
    premium = dues.find((d) => d.due_date === due);
    if (!premium) throw new OperatorError(`policy ${policyNo} has no premium due on ${due} (due dates on record: ${dues.map((d) => d.due_date).join(', ')})`);
  } else {
    // Oldest premium still due first: that is the one collection is working on.
    premium = dues.filter((d) => d.status === 'due').at(-1) ?? dues[0]!;
  }
  return { policyNo, dueDate: premium.due_date, workflowId: premium.workflow_id ?? renewalWorkflowId(policyNo, premium.due_date), premium };
}

export interface SentEvent {
  policyNo: string;
  dueDate: CivilDate;
  workflowId: string;
  update: OperatorEvent['kind'];
  status: RenewalCycleStatus;
}

/**
 * Sends the event to the cycle as an update, signed by `actor` (the person's opaque reference, the
 * audit row's actor), and returns the status the cycle answered with.
 */
export async function sendOperatorEvent(db: Knex, client: Client, policyNo: string, event: OperatorEvent, actor: string, due?: CivilDate, options: UpdateOptions = {}): Promise<SentEvent> {
  const target = await findCycle(db, policyNo, due);
  const handle = client.workflow.getHandle(target.workflowId);
  try {
    const status = await client.withDeadline(Date.now() + updateTimeoutMs(options), () => executeEvent(handle, event, actor));
    return { policyNo, dueDate: target.dueDate, workflowId: target.workflowId, update: event.kind, status };
  } catch (error) {
    throw await explainFailure(db, client, target, event.kind, error, options);
  }
}


/** The payment as the update carries it: an amount and a paid-at only when the reporter gave them. */
function paymentOf(event: PaymentEvent): ReportedPayment {
  return {
    via: event.via,
    reference: event.reference,
    ...(event.amountFen !== undefined ? { amountFen: event.amountFen } : {}),
    ...(event.paidAt !== undefined ? { paidAt: event.paidAt } : {}),
  };
}

function executeEvent(handle: WorkflowHandle, event: OperatorEvent, by: string): Promise<RenewalCycleStatus> {
  switch (event.kind) {
    case 'paymentReceived':
      return handle.executeUpdate(paymentReceivedUpdate, { args: [{ ...paymentOf(event), by }] });
    case 'promiseToPay':
      return handle.executeUpdate(promiseToPayUpdate, { args: [{ date: event.date, by }] });
    case 'customerRefused':
      return handle.executeUpdate(customerRefusedUpdate, { args: [{ reasonCode: event.reasonCode, by }] });
    case 'holdPlaced':
      return handle.executeUpdate(holdPlacedUpdate, { args: [{ kind: event.hold, by }] });
    case 'holdReleased':
      return handle.executeUpdate(holdReleasedUpdate, { args: [{ kind: event.hold, by }] });
    case 'accountUpdated':
      return handle.executeUpdate(accountUpdatedUpdate, { args: [{ by }] });
  }
}

/**
 * Turns what Temporal said into what the operator needs to know: the validator's reason, a cycle
 * that is over (with the stage it ended in), a cycle never started, or a stage that takes no such
 * update. Anything else is passed on unchanged.
 */
export async function explainFailure(db: Knex, client: Client, target: CycleTarget, update: string, error: unknown, options: UpdateOptions = {}): Promise<Error> {
  const cycle = `the cycle of ${target.policyNo} due ${target.dueDate}`;
  if (error instanceof WorkflowUpdateFailedError) {
    const reason = error.cause?.message ?? error.message;
    // The reinstatement window registers no operator updates: say which stage the cycle is in.
    if (/no registered handler/i.test(reason) || /unknown update/i.test(reason)) {
      const stage = await currentStage(db, target);
      return new OperatorError(`${cycle} is ${stage ?? 'in a stage that'} and takes no ${update}`);
    }
    return new OperatorError(`${cycle} refused ${update}: ${reason}`);
  }
  if (error instanceof WorkflowUpdateRPCTimeoutOrCancelledError) {
    return new OperatorError(`${cycle} did not answer ${update} within ${updateTimeoutMs(options) / 1000} s (is a renewal worker running?); check with policy show before sending it again`);
  }
  if (error instanceof WorkflowNotFoundError) {
    const ended = await endedStage(db, client, target);
    if (ended) return new OperatorError(`${cycle} is already closed (it ended ${ended}): nothing to change`);
    return new OperatorError(`no cycle for ${target.policyNo} due ${target.dueDate}: it has not been started (workflow ${target.workflowId} not found)`);
  }
  return error instanceof Error ? error : new Error(String(error));
}

/** How a finished cycle ended, in words: `PAID`, `CLOSED after lapse`, `terminated (stage …)`; undefined if it never ran. */
export async function endedStage(db: Knex, client: Client, target: Pick<CycleTarget, 'policyNo' | 'dueDate' | 'workflowId'>): Promise<string | undefined> {
  const handle = client.workflow.getHandle(target.workflowId);
  let status: string;
  try {
    status = (await handle.describe()).status.name;
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return undefined;
    throw error;
  }
  if (status === 'COMPLETED') {
    const result = (await handle.result()) as RenewalCycleResult;
    return `in stage ${result.stage}${result.paidVia ? ` (paid via ${result.paidVia})` : ''}${result.lapsedAt ? ' after lapse' : ''}`;
  }
  const recorded = await lastRecordedStage(db, target.policyNo, target.dueDate);
  return `${status.toLowerCase()}${recorded ? ` in stage ${recorded.stage}` : ''}`;
}

async function currentStage(db: Knex, target: CycleTarget): Promise<string | undefined> {
  return (await lastRecordedStage(db, target.policyNo, target.dueDate))?.stage;
}

export interface CompletedTask {
  task: TaskListRow;
  outcome: string;
  /** cycle: the cycle took the outcome and closes the row; database: closed directly, the cycle being past it. */
  closedBy: 'cycle' | 'database';
  note: string;
  status?: RenewalCycleStatus;
  /** What the outcome did beyond closing the task (docs/business-rules.md#tasks-that-act). */
  effect?: TaskOutcomeEffect;
}

/** What an outcome did: the cycle took the promise or refusal, a number was invalidated, a payment to confirm opened. */
export type TaskOutcomeEffect =
  | { kind: 'promise' | 'refusal'; sentToCycle: boolean; note: string }
  | { kind: 'wrong_number'; contactPointId?: number; lostContact: string[]; note: string }
  | { kind: 'payment_to_confirm'; taskId: number; created: boolean; note: string };

/** How long `tasks complete` waits to see the cycle close the row before saying it will. */
const ROW_CLOSE_WAIT_MS = 5_000;

/**
 * Reports a task's outcome to its cycle, which validates it and closes the row (its activity). A
 * cycle that is over, or that does not track the task, cannot take it: the row is then closed
 * directly, with its audit row, and the result says so.
 */
export async function completeTaskOf(
  db: Knex,
  client: Client,
  taskId: number,
  outcome: string,
  actor: string,
  options: UpdateOptions = {},
  details: OutcomeDetails = {},
): Promise<CompletedTask> {
  const done = await closeTaskWithOutcome(db, client, taskId, outcome, actor, options, details);
  return done.effect ? { ...done, note: `${done.note}; ${done.effect.note}` } : done;
}

async function closeTaskWithOutcome(db: Knex, client: Client, taskId: number, outcome: string, actor: string, options: UpdateOptions, details: OutcomeDetails): Promise<CompletedTask> {
  const task = await taskById(db, taskId);
  if (!task) throw new OperatorError(`no task #${taskId}`);
  if (task.status === 'done') throw new OperatorError(`task #${taskId} is already done (outcome ${task.outcome_code ?? 'none'})`);
  if (task.status === 'cancelled') throw new OperatorError(`task #${taskId} was cancelled: nothing to complete`);
  if (task.status === 'settled') throw new OperatorError(`task #${taskId} settled itself with its cycle (${task.outcome_code ?? 'settled'}): nothing to complete`);
  if (task.kind === 'policy_admin_undelivered') {
    throw new OperatorError(`task #${taskId} (${task.step}) is a change the policy administration system did not take: it is done when \`renewals policy-admin retry\` re-drives the change`);
  }
  if (task.kind === 'provider_outage' || task.policy_no === null || task.due_date === null) {
    throw new OperatorError(`task #${taskId} (${task.step}) is a provider's outage: it is done when its circuit closes (a probe goes through, or \`renewals providers reset\`)`);
  }
  const allowed = outcomesOf(task.step);
  if (!allowed.includes(outcome)) throw usage(`--outcome of task #${taskId} (${task.step}) must be one of ${allowed.join(', ')}, got "${outcome}"`);
  const wanted = outcomeEffect(outcome, details, shanghaiDate(Date.now()));
  if ('error' in wanted) throw usage(`task #${taskId}: ${wanted.error}`);
  // What the outcome tells the cycle or the records goes first: refused, the task stays open.
  const effect = await applyOutcomeEffect(db, client, { ...task, policy_no: task.policy_no, due_date: task.due_date }, wanted, actor, options);
  const withEffect = effect ? { effect } : {};

  const closeDirectly = async (why: string): Promise<CompletedTask> => {
    if (!(await closeTaskOutsideCycle(db, taskId, outcome, new Date(), actor))) throw new OperatorError(`task #${taskId} was closed meanwhile`);
    return { task, outcome, closedBy: 'database', note: `${why}: task closed in the database only`, ...withEffect };
  };
  const handle = client.workflow.getHandle(task.workflow_id);
  let status: RenewalCycleStatus;
  try {
    status = await client.withDeadline(Date.now() + updateTimeoutMs(options), () => handle.executeUpdate(taskCompletedUpdate, { args: [{ step: task.step, outcome, by: actor }] }));
  } catch (error) {
    const target = { policyNo: task.policy_no, dueDate: task.due_date, workflowId: task.workflow_id };
    if (error instanceof WorkflowNotFoundError) {
      const ended = await endedStage(db, client, target);
      return closeDirectly(ended ? `the cycle is closed (it ended ${ended})` : `the cycle ${task.workflow_id} is not found`);
    }
    if (error instanceof WorkflowUpdateFailedError) {
      const reason = error.cause?.message ?? error.message;
      if (/^no open task /.test(reason)) return closeDirectly('the cycle does not track this task');
      if (/^cycle is \w+: nothing to change/.test(reason)) return closeDirectly(`the ${reason.split(':')[0]}`);
      if (/no registered handler/i.test(reason)) return closeDirectly('the cycle is in its reinstatement window');
      throw new OperatorError(`the cycle of ${task.policy_no} due ${task.due_date} refused the outcome of task #${taskId}: ${reason}`);
    }
    if (error instanceof WorkflowUpdateRPCTimeoutOrCancelledError) {
      throw new OperatorError(`the cycle of ${task.policy_no} due ${task.due_date} did not answer within ${updateTimeoutMs(options) / 1000} s (is a renewal worker running?); task #${taskId} is still open`);
    }
    throw error;
  }
  // The cycle closes the row from its next turn (an activity): wait a moment to report it done.
  const until = Date.now() + ROW_CLOSE_WAIT_MS;
  while (Date.now() < until) {
    const now = await taskById(db, taskId);
    if (now?.status === 'done') return { task: now, outcome, closedBy: 'cycle', note: 'the cycle took the outcome and closed the task', status, ...withEffect };
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return { task, outcome, closedBy: 'cycle', note: 'the cycle took the outcome; it closes the task on its next turn', status, ...withEffect };
}

type TaskOfPolicy = TaskListRow & { policy_no: string; due_date: string };

/**
 * Does what an outcome means beyond closing its task (docs/business-rules.md#tasks-that-act). A
 * promise or refusal goes to the cycle as the very update `renewals promise` / `renewals refuse`
 * send (its validator checks the date against the last grace day); a cycle that is over, or in its
 * reinstatement window, takes none and the note says so. A wrong number invalidates the number
 * called (the writer a provider's bad-address refusal uses) with its audit row; a payment made
 * elsewhere opens a payment_confirmation task for operations.
 */
async function applyOutcomeEffect(db: Knex, client: Client, task: TaskOfPolicy, effect: OutcomeEffect, actor: string, options: UpdateOptions): Promise<TaskOutcomeEffect | undefined> {
  switch (effect.kind) {
    case 'none':
      return undefined;
    case 'promise':
      return sendOutcomeEvent(client, task, { kind: 'promiseToPay', date: effect.date }, actor, options, `promise to pay by ${effect.date}`);
    case 'refusal':
      return sendOutcomeEvent(client, task, { kind: 'customerRefused', reasonCode: effect.reasonCode }, actor, options, `refusal with reason ${effect.reasonCode}`);
    case 'wrong_number': {
      const audit = { actor, policyNo: task.policy_no, dueDate: task.due_date, workflowId: task.workflow_id };
      const result = await db.transaction(async (trx) => {
        const reported = await wrongNumberReported(trx, task.policy_no, task.id);
        await appendAudit(trx, {
          ...audit,
          kind: 'contact_point_invalidated',
          detail: {
            taskId: task.id,
            because: 'wrong_number',
            type: 'mobile',
            ...(reported.point ? { contactPointId: reported.point.id, recipient: reported.point.masked } : { contactPointId: null }),
            lostContact: reported.lostContact,
          },
        });
        return reported;
      });
      const lost = result.lostContact.length > 0 ? `; lost contact: ${result.lostContact.join(', ')}` : '';
      return {
        kind: 'wrong_number',
        ...(result.point ? { contactPointId: result.point.id } : {}),
        lostContact: result.lostContact,
        note: (result.point ? `mobile ${result.point.masked} marked invalid` : 'no valid mobile on file to invalidate') + lost,
      };
    }
    case 'payment_to_confirm': {
      const run = await db('tasks').where({ id: task.id }).first<{ run_id: string }>('run_id');
      const opened = await openAuditedTask(
        db,
        {
          kind: 'payment_confirmation',
          step: PAYMENT_CONFIRMATION_STEP,
          policyNo: task.policy_no,
          dueDate: task.due_date,
          assigneeAgentCode: null,
          assigneeRole: 'operations',
          dueAt: new Date(Date.now() + PAYMENT_CONFIRMATION_HOURS * 3_600_000),
          workflowId: task.workflow_id,
          runId: run.run_id,
          activityId: `task-${task.id}`,
          priority: task.priority,
        },
        { actor, policyNo: task.policy_no, dueDate: task.due_date, workflowId: task.workflow_id },
        { fromTask: task.id, outcome: 'paid_elsewhere' },
      );
      return {
        kind: 'payment_to_confirm',
        taskId: opened.id,
        created: opened.created,
        note: opened.created ? `payment to confirm: task #${opened.id} for operations` : `a payment to confirm is already on record (task #${opened.id})`,
      };
    }
  }
}

/** How long operations have to confirm a payment made elsewhere (docs/business-rules.md#tasks-that-act). */
const PAYMENT_CONFIRMATION_HOURS = 24;

async function sendOutcomeEvent(client: Client, task: TaskOfPolicy, event: OperatorEvent, actor: string, options: UpdateOptions, what: string): Promise<TaskOutcomeEffect> {
  const kind = event.kind === 'promiseToPay' ? 'promise' : 'refusal';
  const notTaken = (why: string): TaskOutcomeEffect => ({ kind, sentToCycle: false, note: `${why}: the ${what} is not sent to it` });
  try {
    await client.withDeadline(Date.now() + updateTimeoutMs(options), () => executeEvent(client.workflow.getHandle(task.workflow_id), event, actor));
    return { kind, sentToCycle: true, note: `the cycle recorded the ${what}` };
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return notTaken('the cycle is over');
    if (error instanceof WorkflowUpdateFailedError) {
      const reason = error.cause?.message ?? error.message;
      if (/^cycle is \w+: nothing to change/.test(reason)) return notTaken(`the ${reason.split(':')[0]}`);
      if (/no registered handler/i.test(reason) || /unknown update/i.test(reason)) return notTaken('the cycle is in its reinstatement window');
      throw new OperatorError(`the cycle of ${task.policy_no} due ${task.due_date} refused the ${what} of task #${task.id}: ${reason}; the task is still open`);
    }
    if (error instanceof WorkflowUpdateRPCTimeoutOrCancelledError) {
      throw new OperatorError(`the cycle of ${task.policy_no} due ${task.due_date} did not answer the ${what} within ${updateTimeoutMs(options) / 1000} s (is a renewal worker running?); task #${task.id} is still open`);
    }
    throw error;
  }
}
