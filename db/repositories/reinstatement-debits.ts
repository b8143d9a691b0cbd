import type { Knex } from 'knex';
import { newDebitKey } from '../debit-keys';

/**
 * The key of one reinstatement debit attempt, stored before anything reaches the bank. Called again
 * by a retried activity it returns the key first stored, so the retry asks the bank about that one.
 * `key` is the one to store when there is none yet (a new random key unless the caller knows better).
 */
export async function prepareReinstatementDebit(
  db: Knex,
  debit: { applicationWorkflowId: string; attemptNo: number; amountFen: number },
  key: string = newDebitKey('RI'),
): Promise<string> {
  await db('reinstatement_debits')
    .insert({ application_workflow_id: debit.applicationWorkflowId, attempt_no: debit.attemptNo, idempotency_key: key, amount_fen: debit.amountFen })
    .onConflict(['application_workflow_id', 'attempt_no'])
    .ignore();
  const stored = await storedKey(db, debit.applicationWorkflowId, debit.attemptNo);
  if (stored === undefined) throw new Error(`reinstatement debit ${debit.attemptNo} of ${debit.applicationWorkflowId} was not stored`);
  return stored;
}

/** The key stored for an attempt, if one was. */
export async function reinstatementDebitKey(db: Knex, applicationWorkflowId: string, attemptNo: number): Promise<string | undefined> {
  return storedKey(db, applicationWorkflowId, attemptNo);
}

async function storedKey(db: Knex, applicationWorkflowId: string, attemptNo: number): Promise<string | undefined> {
  const row = await db('reinstatement_debits').where({ application_workflow_id: applicationWorkflowId, attempt_no: attemptNo }).first<{ idempotency_key: string } | undefined>('idempotency_key');
  return row?.idempotency_key;
}
