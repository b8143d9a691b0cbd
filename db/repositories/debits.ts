import { owedAfter } from '../../domain/payment-amounts';
import type { Knex } from 'knex';
import type { DebitAttemptStatus } from '../../domain/debit-outcome';
import { newDebitKey } from '../debit-keys';

export interface DebitAttemptRow {
  id: number;
  premium_due_id: number;
  attempt_no: number;
  idempotency_key: string;
  amount_fen: number;
  collection_date: string;
  status: DebitAttemptStatus;
  bank_ref: string | null;
  raw_code: string | null;
  reason: string | null;
  customer_fault: boolean | null;
  resolved_at: Date | null;
  /** The account the debit was sent to, masked as banks echo it; null only for the oldest attempts. */
  debtor_account_masked: string | null;
}

/** A debit attempt to store before anything reaches the bank. */
export interface NewAttempt {
  premiumDueId: number;
  attemptNo: number;
  bankCode: string;
  /** The mandate's account, masked: what an answer about this debit must name. */
  debtorAccountMasked: string;
  amountFen: number;
  collectionDate: string;
  workflowId: string;
  runId: string;
  activityId: string;
  /**
   * Stored as submitted at this instant, when the caller sends it right after the row commits (the
   * account already read): the row says so without a second write. Prepared otherwise.
   */
  submittedAt?: Date;
}

/**
 * Stores the attempt (and so its random idempotency key) before anything reaches the bank. Called
 * again by a retried activity, it returns the row already there, with the key first stored, instead
 * of making a second one. `fresh`: this call stored the row, so its key was made just now and no
 * bank can have seen it (docs/architecture.md#hot-paths): one round trip, and the caller may send
 * without asking the bank first. Otherwise the row an earlier call stored (two round trips).
 */
export async function storeAttempt(db: Knex, attempt: NewAttempt): Promise<{ attempt: DebitAttemptRow; fresh: boolean }> {
  const [inserted] = await db('debit_attempts')
    .insert({
      premium_due_id: attempt.premiumDueId,
      attempt_no: attempt.attemptNo,
      idempotency_key: newDebitKey('RNW'),
      bank_code: attempt.bankCode,
      debtor_account_masked: attempt.debtorAccountMasked,
      amount_fen: attempt.amountFen,
      collection_date: attempt.collectionDate,
      status: attempt.submittedAt ? 'submitted' : 'prepared',
      submitted_at: attempt.submittedAt ?? null,
      workflow_id: attempt.workflowId,
      run_id: attempt.runId,
      activity_id: attempt.activityId,
    })
    .onConflict(['premium_due_id', 'attempt_no'])
    .ignore()
    .returning<DebitAttemptRow[]>('*');
  if (inserted) return { attempt: inserted, fresh: true };
  const stored = await db('debit_attempts')
    .where({ premium_due_id: attempt.premiumDueId, attempt_no: attempt.attemptNo })
    .first<DebitAttemptRow>();
  return { attempt: stored, fresh: false };
}

/** storeAttempt, as a prepared row: the row this attempt has, whoever stored it. */
export async function prepareAttempt(db: Knex, attempt: Omit<NewAttempt, 'submittedAt'>): Promise<DebitAttemptRow> {
  return (await storeAttempt(db, attempt)).attempt;
}

export async function markSubmitted(db: Knex, id: number, at: Date): Promise<void> {
  await db('debit_attempts').where({ id, status: 'prepared' }).update({ status: 'submitted', submitted_at: at });
}

/** The bank took the debit and will answer later (gateway accepted it, or it waits for the day's file). */
export async function markAccepted(db: Knex, id: number, bankRef: string | undefined): Promise<void> {
  await db('debit_attempts')
    .where({ id })
    .whereIn('status', ['prepared', 'submitted', 'unknown'])
    .update({ status: 'accepted', bank_ref: bankRef ?? null });
}

export async function attemptOf(db: Knex, premiumDueId: number, attemptNo: number): Promise<DebitAttemptRow | undefined> {
  return db('debit_attempts').where({ premium_due_id: premiumDueId, attempt_no: attemptNo }).first<DebitAttemptRow | undefined>();
}

export async function markUnknown(db: Knex, id: number, rawCode: string | undefined): Promise<void> {
  await db('debit_attempts')
    .where({ id })
    .whereIn('status', ['prepared', 'submitted', 'accepted'])
    .update({ status: 'unknown', raw_code: rawCode ?? null, reason: 'UNKNOWN', customer_fault: false });
}

/**
 * Takes back an accepted attempt that no bank file has carried yet; false when one has (or the
 * attempt was settled meanwhile). Takes the row first, so an export claiming it at the same moment
 * either got it (and this answers false) or finds it withdrawn and rolls back.
 */
export async function withdrawUnsentAttempt(db: Knex, id: number, at: Date): Promise<boolean> {
  const updated = await db('debit_attempts').where({ id, status: 'accepted' }).whereNull('bank_file_id').update({ status: 'withdrawn', resolved_at: at });
  return updated > 0;
}

/** The active mandate's account: encrypted for the bank, masked for display. */
export interface MandateAccount {
  /** Names the mandate when its account cannot be decrypted (never the account). */
  id: number;
  bankCode: string;
  accountEnc: string;
  accountNameEnc: string;
  accountMasked: string;
}

/** What a debit of a cycle reads first: its premium and the policy's active mandate (none when revoked). */
export interface DebitContext {
  premiumDueId: number;
  amountFen: number;
  mandate?: MandateAccount;
}

/** The premium due on `dueDate` and the active mandate, in one round trip; undefined when no such premium is on file. */
export async function loadDebitContext(db: Knex, policyNo: string, dueDate: string): Promise<DebitContext | undefined> {
  const row = await db('premium_dues as d')
    .leftJoin('mandates as m', function () {
      this.on('m.policy_no', '=', 'd.policy_no').andOnVal('m.status', '=', 'active');
    })
    .where({ 'd.policy_no': policyNo, 'd.due_date': dueDate })
    .first<
      | { premium_due_id: number; amount_fen: number; received_fen: string | null; id: number | null; bank_code: string; account_enc: string; account_name_enc: string; account_masked: string }
      | undefined
    >(
      'd.id as premium_due_id',
      'd.amount_fen',
      // What part payments paid already, in the same round trip (docs/architecture.md#hot-paths).
      db.raw('(SELECT sum(p.amount_fen) FROM payments p WHERE p.premium_due_id = d.id AND p.reversed_at IS NULL) AS received_fen'),
      'm.id',
      'm.bank_code',
      'm.account_enc',
      'm.account_name_enc',
      'm.account_masked',
    );
  if (!row) return undefined;
  return {
    premiumDueId: row.premium_due_id,
    // A debit asks only for what part payments left owed (docs/business-rules.md#payment-amounts).
    amountFen: owedAfter(Number(row.amount_fen), Number(row.received_fen ?? 0)),
    ...(row.id === null
      ? {}
      : { mandate: { id: row.id, bankCode: row.bank_code, accountEnc: row.account_enc, accountNameEnc: row.account_name_enc, accountMasked: row.account_masked } }),
  };
}

export async function loadMandateAccount(db: Knex, policyNo: string): Promise<MandateAccount | undefined> {
  const row = await db('mandates')
    .where({ policy_no: policyNo, status: 'active' })
    .first<{ id: number; bank_code: string; account_enc: string; account_name_enc: string; account_masked: string } | undefined>();
  return row && { id: row.id, bankCode: row.bank_code, accountEnc: row.account_enc, accountNameEnc: row.account_name_enc, accountMasked: row.account_masked };
}

/** An attempt found by the key the bank echoes back (EndToEndId, REQ_SN), with its cycle's identity. */
export interface KeyedAttempt extends DebitAttemptRow {
  policy_no: string;
  due_date: string;
  workflow_id: string;
}

export async function attemptByKey(db: Knex, idempotencyKey: string): Promise<KeyedAttempt | undefined> {
  return db('debit_attempts as a')
    .join('premium_dues as p', 'p.id', 'a.premium_due_id')
    .where('a.idempotency_key', idempotencyKey)
    .first<KeyedAttempt | undefined>('a.*', 'p.policy_no', 'p.due_date', 'p.workflow_id');
}
