import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Knex } from 'knex';
import type { DebitResult } from '../domain/cycle-state';
import { reportFit, storedResult, type FinalOutcome } from '../domain/debit-outcome';
import type { Classified } from '../domain/debit-reasons';
import { renewalWorkflowId } from '../domain/renewal-stage';
import { recordOutcome, recordSuccessOvertakenByReturn } from '../db/repositories/debit-outcomes';
import { attemptByKey, type KeyedAttempt } from '../db/repositories/debits';
import { openAuditedTask } from '../db/repositories/tasks';
import { bankResultSignal } from '../workflows/messages';

/** One outcome the bank reported for one attempt: from a status report, a return file or a callback. */
export type ReportedOutcome =
  | { idempotencyKey: string; outcome: 'succeeded'; bankRef: string; at: Date }
  | { idempotencyKey: string; outcome: 'failed' | 'returned'; rawCode: string; bankRef?: string; at: Date };

export type AppliedAs =
  /** Written and the cycle told. */
  | 'applied'
  /** Written; the cycle has ended (after its return window): an operations task follows it up. */
  | 'applied_cycle_closed'
  /** Already known (a file ingested twice, a callback repeated): nothing changed. */
  | 'duplicate'
  /** The key is not one of ours. */
  | 'unknown_key'
  /** Not a transition the bank can make from the attempt's state (e.g. a return of a failed debit). */
  | 'ignored';

export interface AppliedOutcome {
  idempotencyKey: string;
  policyNo?: string;
  dueDate?: string;
  outcome: ReportedOutcome['outcome'];
  appliedAs: AppliedAs;
}

/**
 * Applies the bank's answers, already authenticated and matched to our attempts by the caller, to
 * the database (the record of truth) and wakes each cycle with its bankResult signal. The cycle does
 * not take the signal's result: it reads the attempt back from the database. The write comes first
 * and is idempotent, so a repeated file or a crash half-way is safe to run again.
 */
export async function applyBankOutcomes(
  db: Knex,
  client: Client,
  outcomes: readonly ReportedOutcome[],
  classify: (rawCode: string) => Classified,
  source: string,
): Promise<AppliedOutcome[]> {
  const applied: AppliedOutcome[] = [];
  for (const reported of outcomes) {
    const attempt = await attemptByKey(db, reported.idempotencyKey);
    const base = { idempotencyKey: reported.idempotencyKey, outcome: reported.outcome };
    if (!attempt) {
      applied.push({ ...base, appliedAs: 'unknown_key' });
      continue;
    }
    const who = { ...base, policyNo: attempt.policy_no, dueDate: attempt.due_date };
    const fit = reportFit(attempt.status, reported.outcome);
    // Already in the state reported (a file read twice, a callback repeated): nothing to write; the
    // cycle is told again in case the first signal was lost.
    if (fit === 'duplicate') {
      await tellCycleAgain(client, attempt);
      applied.push({ ...who, appliedAs: 'duplicate' });
      continue;
    }
    // A success or refusal answers only a debit in flight; a return follows (or overtakes) a success.
    if (fit === 'ignored') {
      applied.push({ ...who, appliedAs: 'ignored' });
      continue;
    }
    const workflowId = workflowIdOf(attempt);
    if (fit === 'book_success_first') {
      // The return overtook the success (a notification ingested before the status report, or
      // callbacks handled out of order): the money was taken and came back. Book both, in order.
      await recordSuccessOvertakenByReturn(db, attempt, reported.bankRef ?? attempt.idempotency_key, reported.at);
      await tellCycle(client, workflowId, attempt.attempt_no, { status: 'succeeded', at: reported.at.getTime() });
    }
    const by = { actor: source, policyNo: attempt.policy_no, dueDate: attempt.due_date, workflowId, detail: { source } };
    const result = await recordOutcome(db, attempt, finalOutcomeOf(reported, classify), by);
    if (!result) {
      applied.push({ ...who, appliedAs: 'ignored' }); // settled by another path a moment ago
      continue;
    }
    const appliedAs = await tellCycle(client, workflowId, attempt.attempt_no, result);
    if (appliedAs === 'applied_cycle_closed') await openFollowUp(db, attempt, reported.outcome, reported.at);
    applied.push({ ...who, appliedAs });
  }
  return applied;
}

function workflowIdOf(attempt: KeyedAttempt): string {
  return attempt.workflow_id ?? renewalWorkflowId(attempt.policy_no, attempt.due_date);
}

/** A reported outcome as it is recorded: refusals and returns classified by the bank's rules. */
function finalOutcomeOf(reported: ReportedOutcome, classify: (rawCode: string) => Classified): FinalOutcome {
  if (reported.outcome === 'succeeded') return { status: 'succeeded', bankRef: reported.bankRef, at: reported.at };
  if (reported.outcome === 'failed') return { status: 'failed', classified: classify(reported.rawCode), bankRef: reported.bankRef, at: reported.at };
  return { status: 'returned', classified: classify(reported.rawCode), at: reported.at };
}

/**
 * A repeated outcome is signalled again from what the database holds: if the first signal was lost
 * (a crash between the write and the signal), the repeat delivers it; the cycle ignores a result
 * it already has.
 */
async function tellCycleAgain(client: Client, attempt: KeyedAttempt): Promise<void> {
  // A duplicate repeats a final status, so the stored result is always there.
  const result = storedResult(attempt, Date.now());
  if (result) await tellCycle(client, workflowIdOf(attempt), attempt.attempt_no, result);
}

/** The cycle has ended, so no workflow will act on this: operations get a task to follow it up. */
async function openFollowUp(db: Knex, attempt: KeyedAttempt, outcome: ReportedOutcome['outcome'], at: Date): Promise<void> {
  const workflowId = workflowIdOf(attempt);
  await openAuditedTask(
    db,
    {
      kind: 'escalation',
      step: `bank_${outcome}_after_close_${attempt.attempt_no}`,
      policyNo: attempt.policy_no,
      dueDate: attempt.due_date,
      assigneeAgentCode: null,
      assigneeRole: 'operations',
      dueAt: new Date(at.getTime() + 2 * 86_400_000),
      workflowId,
      runId: 'bank-results',
      activityId: attempt.idempotency_key,
    },
    { actor: 'bank-results', policyNo: attempt.policy_no, dueDate: attempt.due_date, workflowId, occurredAt: at },
    { because: 'cycle closed' },
  );
}

async function tellCycle(client: Client, workflowId: string, attemptNo: number, result: DebitResult): Promise<AppliedAs> {
  try {
    await client.workflow.getHandle(workflowId).signal(bankResultSignal, { attemptNo, result });
    return 'applied';
  } catch (error) {
    // Signalling a finished workflow reports "not found": the record is written, the cycle is over.
    if (error instanceof WorkflowNotFoundError) return 'applied_cycle_closed';
    throw error;
  }
}
