import type { Knex } from 'knex';
import type { AuditKind } from '../../domain/audit-kinds';
import { IN_FLIGHT_STATUSES, resultOf, type FinalOutcome } from '../../domain/debit-outcome';
import type { DebitResult } from '../../domain/cycle-state';
import type { Classified } from '../../domain/debit-reasons';
import { appendAudit, type AuditEvent } from './audit';
import { receivedFen } from './suspense-ledger';
import type { DebitAttemptRow } from './debits';

/**
 * Who records an outcome: the audit fields of its row, and detail of their own added to the
 * outcome's (a cycle adds the masked account of a payment, a bank report its source). The row is
 * dated by the outcome.
 */
export type RecordedBy = Omit<AuditEvent, 'kind' | 'occurredAt'>;

/**
 * The only writer of an attempt's final outcome: the fact (attempt, payment, premium) and its audit
 * row, in one transaction, so neither is ever there without the other. Undefined when another path
 * settled the attempt first (its answer stands, nothing is written); otherwise what the cycle is told.
 */
export async function recordOutcome(
  db: Knex,
  attempt: DebitAttemptRow,
  outcome: FinalOutcome,
  by: RecordedBy,
  /** Written in the same transaction when this records the premium paid (a lean cycle's PAID stage row). */
  alsoWhenPaid?: (trx: Knex.Transaction) => Promise<void>,
): Promise<DebitResult | undefined> {
  const ids = { attemptNo: attempt.attempt_no, idempotencyKey: attempt.idempotency_key };
  return db.transaction(async (trx) => {
    let kind: AuditKind;
    let detail: Record<string, unknown>;
    if (outcome.status === 'succeeded') {
      if (!(await writeSuccess(trx, attempt, outcome.bankRef, outcome.at))) return undefined;
      kind = 'premium_paid';
      detail = { via: 'debit', ...ids };
    } else if (outcome.status === 'failed') {
      if (!(await writeFailure(trx, attempt, outcome.bankRef, outcome.classified, outcome.at))) return undefined;
      kind = 'debit_failed';
      detail = { ...ids, rawCode: outcome.classified.rawCode, reason: outcome.classified.reason };
    } else {
      if (!(await writeReturn(trx, attempt, outcome.classified, outcome.at))) return undefined;
      kind = 'debit_returned';
      detail = { ...ids, rawCode: outcome.classified.rawCode, reason: outcome.classified.reason };
    }
    await appendAudit(trx, { ...by, kind, occurredAt: outcome.at, detail: { ...detail, ...by.detail } });
    if (outcome.status === 'succeeded' && alsoWhenPaid) await alsoWhenPaid(trx);
    return resultOf(outcome);
  });
}

/**
 * The success a return overtook, booked just before that return. It has no premium_paid row of its
 * own: the trail shows the debit_returned row that follows. False when the attempt was settled
 * meanwhile.
 */
export async function recordSuccessOvertakenByReturn(db: Knex, attempt: DebitAttemptRow, bankRef: string, at: Date): Promise<boolean> {
  return db.transaction((trx) => writeSuccess(trx, attempt, bankRef, at));
}

/**
 * The attempt succeeded: it, the payment and the premium's paid status are written together. False
 * when another path already settled the attempt (its answer stands, nothing is written).
 */
async function writeSuccess(trx: Knex.Transaction, attempt: DebitAttemptRow, bankRef: string, at: Date): Promise<boolean> {
  // One statement, one round trip (docs/architecture.md#hot-paths): the attempt settles only from
  // in flight, and only then are the payment and the premium written. Another path that settled it
  // first leaves `settled` empty, and nothing is written.
  const inFlight = IN_FLIGHT_STATUSES.map(() => '?').join(', ');
  const { rows } = await trx.raw<{ rows: { settled: number }[] }>(
    `WITH settled AS (
       UPDATE debit_attempts
       SET status = 'succeeded', bank_ref = ?, resolved_at = ?, raw_code = NULL, reason = NULL, customer_fault = NULL
       WHERE id = ? AND status IN (${inFlight})
       RETURNING premium_due_id, amount_fen, idempotency_key
     ), paid AS (
       INSERT INTO payments (premium_due_id, amount_fen, via, reference, received_at, reconciled)
       SELECT premium_due_id, amount_fen, 'debit', idempotency_key, ?, true FROM settled
       ON CONFLICT (premium_due_id, via, reference) DO NOTHING
     ), premium AS (
       UPDATE premium_dues SET status = 'paid', paid_at = ?, paid_via = 'debit', updated_at = CURRENT_TIMESTAMP
       WHERE id IN (SELECT premium_due_id FROM settled) AND status = 'due'
     )
     SELECT count(*)::int AS settled FROM settled`,
    [bankRef, at, attempt.id, ...IN_FLIGHT_STATUSES, at, at],
  );
  return (rows[0]?.settled ?? 0) > 0;
}

/** Records a refusal; false when another path already settled the attempt (its answer stands). */
async function writeFailure(trx: Knex.Transaction, attempt: DebitAttemptRow, bankRef: string | undefined, classified: Classified, at: Date): Promise<boolean> {
  const updated = await trx('debit_attempts').where({ id: attempt.id }).whereIn('status', IN_FLIGHT_STATUSES).update({
    status: 'failed',
    bank_ref: bankRef ?? null,
    raw_code: classified.rawCode,
    reason: classified.reason,
    customer_fault: classified.customerFault,
    resolved_at: at,
  });
  return updated > 0;
}

/**
 * A return or reversal of a successful debit: the attempt is marked returned, its payment reversed
 * (kept on record), and the premium is due again unless another payment still covers it. Only a
 * succeeded attempt can be returned; anything else is left alone and reported by `false`.
 */
async function writeReturn(trx: Knex.Transaction, attempt: DebitAttemptRow, classified: Classified, at: Date): Promise<boolean> {
  const updated = await trx('debit_attempts').where({ id: attempt.id, status: 'succeeded' }).update({
    status: 'returned',
    returned_at: at,
    return_code: classified.rawCode,
    reason: classified.reason,
    customer_fault: classified.customerFault,
  });
  if (updated === 0) return false;
  await trx('payments')
    .where({ premium_due_id: attempt.premium_due_id, via: 'debit', reference: attempt.idempotency_key })
    .whereNull('reversed_at')
    .update({ reversed_at: at, reversal_reason: classified.reason });
  // Due again unless what was paid otherwise still covers it (a part payment does not).
  await trx('premium_dues')
    .where({ id: attempt.premium_due_id, status: 'paid' })
    .where('amount_fen', '>', await receivedFen(trx, attempt.premium_due_id))
    .update({ status: 'due', paid_at: null, paid_via: null, updated_at: trx.fn.now() });
  return true;
}
