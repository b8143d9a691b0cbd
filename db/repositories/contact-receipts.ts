import type { Knex } from 'knex';
import type { DeliveryReceipt } from '../../integrations/messaging/port';
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
      const attempt = await trx('contact_attempts')
        .where((q) => {
          q.where('provider_message_id', receipt.providerMessageId);
          if (receipt.contactId) q.orWhere('id', receipt.contactId);
        })
        .whereIn('status', ['sent', 'delivered', 'failed'])
        .forUpdate()
        .first<MatchedAttempt | undefined>('id', 'policy_no', 'due_date', 'workflow_id', 'channel', 'receipt_at');
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
      if (attempt.receipt_at === null || attempt.receipt_at < receipt.at) {
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
