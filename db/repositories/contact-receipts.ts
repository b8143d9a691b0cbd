import type { Knex } from 'knex';
import type { DeliveryReceipt } from '../../domain/delivery-receipt';
import { appendAudit } from './audit';

export interface ReceiptTally {
  recorded: number;
  /** The same receipt pushed again: providers retry their webhooks. */
  duplicates: number;
  /** No contact attempt carries this message: kept, reported, never guessed at. */
  unmatched: number;
}

interface MatchedAttempt {
  id: string;
  policy_no: string;
  due_date: string;
  workflow_id: string;
  channel: string;
  status: string;
  receipt_at: Date | null;
}

/**
 * Records delivery receipts once each and moves the contact attempt to delivered / failed. Receipts
 * may arrive twice or out of order: each is stored once (unique per message and status), and the
 * attempt's status follows the receipt the provider reported last, whatever the order of arrival.
 */
export async function recordReceipts(db: Knex, receipts: readonly DeliveryReceipt[]): Promise<ReceiptTally> {
  const tally: ReceiptTally = { recorded: 0, duplicates: 0, unmatched: 0 };
  for (const receipt of receipts) {
    await db.transaction(async (trx) => {
      await holdMessage(trx, receipt.providerMessageId);
      const attempt = await trx('contact_attempts')
        .where((q) => {
          q.where('provider_message_id', receipt.providerMessageId);
          if (receipt.contactId) q.orWhere('id', receipt.contactId);
        })
        .whereIn('status', ['pending', 'sent', 'delivered', 'failed'])
        .forUpdate()
        .first<MatchedAttempt | undefined>('id', 'policy_no', 'due_date', 'workflow_id', 'channel', 'status', 'receipt_at');
      const inserted = await trx('contact_receipts')
        .insert({
          provider: receipt.provider,
          provider_message_id: receipt.providerMessageId,
          contact_id: attempt?.id ?? null,
          delivered: receipt.delivered,
          code: receipt.code,
          reported_at: receipt.at,
        })
        .onConflict(['provider', 'provider_message_id', 'delivered', 'code'])
        .ignore()
        .returning('id');
      if (inserted.length === 0) {
        tally.duplicates += 1;
        return;
      }
      if (!attempt) {
        tally.unmatched += 1;
        return;
      }
      tally.recorded += 1;
      // A receipt can overtake the activity that is still recording the send (status pending):
      // it is linked now and applied when the send is recorded (applyEarlyReceipts).
      if (attempt.status !== 'pending' && (attempt.receipt_at === null || attempt.receipt_at < receipt.at)) {
        await trx('contact_attempts')
          .where({ id: attempt.id })
          .update({ status: receipt.delivered ? 'delivered' : 'failed', receipt_at: receipt.at, provider_code: receipt.code });
      }
      await appendAudit(trx, {
        kind: 'contact_receipt',
        actor: `receipts:${receipt.provider}`,
        policyNo: attempt.policy_no,
        dueDate: attempt.due_date,
        workflowId: attempt.workflow_id,
        occurredAt: receipt.at,
        detail: { contactId: attempt.id, channel: attempt.channel, providerMessageId: receipt.providerMessageId, delivered: receipt.delivered, code: receipt.code },
      });
    });
  }
  return tally;
}

/**
 * Serialises a receipt with the recording of its send. A receipt matched only by message ID can
 * arrive while the send's transaction is open: neither would see the other's uncommitted row, and the
 * receipt would stay unlinked. Both sides take this lock first, so the later one sees the earlier.
 */
export async function holdMessage(trx: Knex.Transaction, providerMessageId: string): Promise<void> {
  // Two-key form: its key space is apart from the one-key locks (audit chain, import), so a hash of a
  // message ID can never collide with them.
  await trx.raw('SELECT pg_advisory_xact_lock(?, hashtext(?))', [MESSAGE_LOCK_SPACE, providerMessageId]);
}

/** First key of the per-message advisory locks (any fixed int4; "CMSG" in ASCII). */
const MESSAGE_LOCK_SPACE = 0x434d5347;

/**
 * Called as a send is recorded (after holdMessage): receipts that arrived before it (linked to this contact, or
 * carrying its provider message ID) are linked and the latest one sets the status.
 */
export async function applyEarlyReceipts(db: Knex, contactId: string, providerMessageId: string): Promise<void> {
  await db('contact_receipts').whereNull('contact_id').where({ provider_message_id: providerMessageId }).update({ contact_id: contactId });
  const latest = await db('contact_receipts')
    .where({ contact_id: contactId })
    .orderBy('reported_at', 'desc')
    .first<{ delivered: boolean; code: string; reported_at: Date } | undefined>('delivered', 'code', 'reported_at');
  if (!latest) return;
  await db('contact_attempts')
    .where({ id: contactId, status: 'sent' })
    .update({ status: latest.delivered ? 'delivered' : 'failed', receipt_at: latest.reported_at, provider_code: latest.code });
}

/**
 * markContactSent and applyEarlyReceipts in one statement (docs/architecture.md#hot-paths): a pending
 * attempt becomes sent, the receipts that came before it (carrying its provider message ID) are
 * linked, and the latest receipt linked to it, if any, sets its status. Called after holdMessage, in
 * the transaction that writes the send's audit row. A row no longer pending is left as it is.
 */
export async function recordSendAndEarlyReceipts(
  trx: Knex.Transaction,
  send: { contactId: string; provider: string; providerMessageId: string; at: Date },
): Promise<void> {
  await trx.raw(
    `WITH linked AS (
       UPDATE contact_receipts SET contact_id = ? WHERE contact_id IS NULL AND provider_message_id = ?
       RETURNING delivered, code, reported_at
     ), latest AS (
       SELECT delivered, code, reported_at FROM (
         SELECT delivered, code, reported_at FROM linked
         UNION ALL
         SELECT delivered, code, reported_at FROM contact_receipts WHERE contact_id = ?
       ) r ORDER BY reported_at DESC LIMIT 1
     )
     UPDATE contact_attempts c
     SET status = (CASE WHEN l.delivered IS NULL THEN 'sent' WHEN l.delivered THEN 'delivered' ELSE 'failed' END)::contact_attempt_status,
         provider = ?, provider_message_id = ?, sent_at = ?,
         receipt_at = coalesce(l.reported_at, c.receipt_at), provider_code = coalesce(l.code, c.provider_code)
     FROM (SELECT 1) AS one LEFT JOIN latest l ON true
     WHERE c.id = ? AND c.status = 'pending'`,
    [send.contactId, send.providerMessageId, send.contactId, send.provider, send.providerMessageId, send.at, send.contactId],
  );
}
