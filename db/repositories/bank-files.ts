import type { Knex } from 'knex';

/** A debit waiting for the day's pain.008: its key, amount and the mandate's account (encrypted). */
export interface ExportableDebit {
  attemptId: number;
  idempotencyKey: string;
  amountFen: number;
  collectionDate: string;
  policyNo: string;
  bankCode: string;
  accountEnc: string;
  accountNameEnc: string;
  mandateId: number;
  mandateSignedAt: Date;
}

/** Accepted attempts not yet in any file, collected on or before the date (a late one goes in the next file). */
export async function debitsAwaitingFile(db: Knex, collectionDate: string): Promise<ExportableDebit[]> {
  return db('debit_attempts as a')
    .join('premium_dues as p', 'p.id', 'a.premium_due_id')
    .join('mandates as m', function () {
      this.on('m.policy_no', '=', 'p.policy_no').andOnVal('m.status', '=', 'active');
    })
    .where('a.status', 'accepted')
    // Paid meanwhile (counter, online), lapsed or closed: the debit is not sent.
    .where('p.status', 'due')
    .whereNull('a.bank_file_id')
    .where('a.collection_date', '<=', collectionDate)
    .orderBy('a.id')
    .select<ExportableDebit[]>(
      'a.id as attemptId',
      'a.idempotency_key as idempotencyKey',
      'a.amount_fen as amountFen',
      'a.collection_date as collectionDate',
      'p.policy_no as policyNo',
      'm.bank_code as bankCode',
      'm.account_enc as accountEnc',
      'm.account_name_enc as accountNameEnc',
      'm.id as mandateId',
      'm.authorised_at as mandateSignedAt',
    );
}

export interface BankFile {
  direction: 'out' | 'in';
  messageType: string;
  messageId: string;
  originalMessageId?: string;
  collectionDate?: string;
  nbOfTxs: number;
  ctrlSumFen: number;
  sha256: string;
  fileName?: string;
}

/**
 * Records a pain.008 and claims its attempts for it, together: an attempt another export took in
 * the meantime makes the whole thing roll back rather than be collected twice.
 */
export async function recordOutgoingFile(db: Knex, file: BankFile, attemptIds: readonly number[]): Promise<number> {
  return db.transaction(async (trx) => {
    const [row] = await trx('bank_files').insert(fileRow(file)).returning<{ id: number }[]>('id');
    const claimed = await trx('debit_attempts').whereIn('id', attemptIds).whereNull('bank_file_id').where('status', 'accepted').update({ bank_file_id: row!.id });
    if (claimed !== attemptIds.length) throw new Error(`${attemptIds.length - claimed} of the debits were exported by someone else or withdrawn by a hold meanwhile: nothing written, run the export again`);
    return row!.id;
  });
}

/**
 * A file from the bank, recorded once. Its message id seen before is `duplicate` when the bytes are
 * the same (a file ingested twice) and `other_content` when they differ: a bank never reuses a
 * message id, so that is not its file, or not as it sent it.
 */
export async function recordIncomingFile(db: Knex, file: BankFile): Promise<{ id: number; seen: 'new' | 'duplicate' | 'other_content' }> {
  const inserted = await db('bank_files').insert(fileRow(file)).onConflict(['direction', 'message_id']).ignore().returning<{ id: number }[]>('id');
  if (inserted[0]) return { id: inserted[0].id, seen: 'new' };
  const existing = await db('bank_files').where({ direction: 'in', message_id: file.messageId }).first<{ id: number; sha256: string }>('id', 'sha256');
  return { id: existing.id, seen: existing.sha256 === file.sha256 ? 'duplicate' : 'other_content' };
}

/** A pain.008 we sent, with the transactions it carried: what a status report is checked against. */
export async function sentFile(
  db: Knex,
  messageId: string,
): Promise<{ messageId: string; nbOfTxs: number; ctrlSumFen: number; transactions: { endToEndId: string; amountFen: number }[] } | undefined> {
  const file = await db('bank_files').where({ direction: 'out', message_id: messageId }).first<{ id: number; nb_of_txs: number; ctrl_sum_fen: number } | undefined>();
  if (!file) return undefined;
  const transactions = await db('debit_attempts')
    .where({ bank_file_id: file.id })
    .orderBy('id')
    .select<{ endToEndId: string; amountFen: number }[]>('idempotency_key as endToEndId', 'amount_fen as amountFen');
  return { messageId, nbOfTxs: file.nb_of_txs, ctrlSumFen: file.ctrl_sum_fen, transactions };
}

/** A debit carried by a pain.008 we sent: what a notification's entry about it is held against. */
export interface DebitInSentFile {
  idempotencyKey: string;
  amountFen: number;
  debtorAccountMasked: string | null;
}

/** Those of the keys that name debits carried by a file we sent, by key. */
export async function debitsInSentFiles(db: Knex, keys: readonly string[]): Promise<Map<string, DebitInSentFile>> {
  const rows = await db('debit_attempts as a')
    .join('bank_files as f', 'f.id', 'a.bank_file_id')
    .where('f.direction', 'out')
    .whereIn('a.idempotency_key', [...new Set(keys)])
    .select<DebitInSentFile[]>('a.idempotency_key as idempotencyKey', 'a.amount_fen as amountFen', 'a.debtor_account_masked as debtorAccountMasked');
  return new Map(rows.map((row) => [row.idempotencyKey, row]));
}

export interface DebitAttemptListing {
  attempt_no: number;
  due_date: string;
  collection_date: string;
  amount_fen: number;
  status: string;
  idempotency_key: string;
  bank_ref: string | null;
  raw_code: string | null;
  reason: string | null;
  customer_fault: boolean | null;
  submitted_at: Date | null;
  resolved_at: Date | null;
  returned_at: Date | null;
  file_message_id: string | null;
}

/** Every debit attempt of a policy, newest due date first: what operations read. No personal data. */
export async function debitAttemptsOfPolicy(db: Knex, policyNo: string): Promise<DebitAttemptListing[]> {
  return db('debit_attempts as a')
    .join('premium_dues as p', 'p.id', 'a.premium_due_id')
    .leftJoin('bank_files as f', 'f.id', 'a.bank_file_id')
    .where('p.policy_no', policyNo)
    .orderBy([{ column: 'p.due_date', order: 'desc' }, { column: 'a.attempt_no' }])
    .select<DebitAttemptListing[]>(
      'a.attempt_no',
      'p.due_date',
      'a.collection_date',
      'a.amount_fen',
      'a.status',
      'a.idempotency_key',
      'a.bank_ref',
      'a.raw_code',
      'a.reason',
      'a.customer_fault',
      'a.submitted_at',
      'a.resolved_at',
      'a.returned_at',
      'f.message_id as file_message_id',
    );
}

export async function policyExists(db: Knex, policyNo: string): Promise<boolean> {
  return (await db('policies').where({ policy_no: policyNo }).first('policy_no')) !== undefined;
}

function fileRow(file: BankFile) {
  return {
    direction: file.direction,
    message_type: file.messageType,
    message_id: file.messageId,
    original_message_id: file.originalMessageId ?? null,
    collection_date: file.collectionDate ?? null,
    nb_of_txs: file.nbOfTxs,
    ctrl_sum_fen: file.ctrlSumFen,
    sha256: file.sha256,
    file_name: file.fileName ?? null,
  };
}
