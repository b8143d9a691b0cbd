import type { Client } from '@temporalio/client';
import type { Knex } from 'knex';
import { maskPersonalText } from '../domain/personal-text';
import { appendAudit } from '../db/repositories/audit';
import { lockOrder, recordNotification, settleOrder, type NotificationOutcome } from '../db/repositories/payment-links';
import { putInSuspense } from '../db/repositories/suspense-ledger';
import { PaymentVerifyError, referenceOf, type PaymentProvider, type PaymentProviderName, type ProviderAnswer, type ProviderTransaction } from '../integrations/payments/port';
import { OperatorError } from './errors';
import { sendOperatorEvent } from './operator-events';
import type { UpdateOptions } from './update-deadline';

/** Who a payment from a provider is signed by on the audit trail. */
export function providerActor(provider: PaymentProviderName): string {
  return `system:${provider}`;
}

/**
 * A provider's paid transaction, applied once: the order is locked, and only an open one is sent to
 * its cycle as a payment (`via: 'online'`, the provider's transaction number as the reference, the
 * amount and instant it reports). The cycle taking it settles the order `applied`; the cycle refusing
 * it (already paid, over) settles it `not_applied` with the reason. A second notification or query of
 * the same order finds it settled and changes nothing.
 */
export async function applyPaidTransaction(
  db: Knex,
  client: Client,
  provider: PaymentProviderName,
  transaction: ProviderTransaction,
  options: UpdateOptions = {},
): Promise<Exclude<NotificationOutcome, 'refused' | 'not_paid'>> {
  return db.transaction(async (trx) => {
    const order = await lockOrder(trx, provider, transaction.outTradeNo);
    if (!order) return 'unknown_order';
    if (order.status !== 'open') return 'duplicate';
    const reference = referenceOf(transaction.transactionId);
    const settle = (status: 'applied' | 'not_applied', note: string) =>
      settleOrder(trx, order.id, { status, transactionId: reference ?? '', paidAt: transaction.paidAt, note });
    if (!reference) {
      await settle('not_applied', 'the provider gave no usable transaction number');
      return 'not_applied';
    }
    try {
      await sendOperatorEvent(
        db,
        client,
        order.policy_no,
        { kind: 'paymentReceived', via: 'online', reference, amountFen: transaction.amountFen, ...(transaction.paidAt ? { paidAt: transaction.paidAt.toISOString() } : {}) },
        providerActor(provider),
        order.due_date,
        options,
      );
    } catch (error) {
      // No answer in time is not a refusal: the order stays open for the provider's retry or the sweep.
      if (!(error instanceof OperatorError) || /did not answer/.test(error.message)) throw error;
      await settle('not_applied', maskPersonalText(error.message));
      // The money is in: owed back from the suspense ledger, with a refund task (docs/business-rules.md#payment-amounts).
      const premium = await trx('premium_dues').where({ policy_no: order.policy_no, due_date: order.due_date }).first<{ id: number; status: string }>('id', 'status');
      await putInSuspense(
        trx,
        {
          policyNo: order.policy_no,
          premiumDueId: Number(premium.id),
          amountFen: transaction.amountFen,
          paidAt: transaction.paidAt ?? new Date(),
          via: 'online',
          reference,
          reason: premium.status === 'paid' ? 'already_paid' : 'refused_by_cycle',
          recordedBy: providerActor(provider),
        },
        { dueDate: order.due_date },
      );
      return 'not_applied';
    }
    await settle('applied', `paid ${transaction.amountFen} fen`);
    return 'applied';
  });
}

/**
 * One notification from a provider, answered as the provider expects. One not believed (signature,
 * ciphertext, another merchant's) is refused with 401 or 400, recorded on the audit trail and in
 * payment_notifications, and changes nothing. A believed one is applied (applyPaidTransaction); one
 * that could not be applied gets a 500, so the provider sends it again.
 */
export async function takeNotification(
  db: Knex,
  client: Client,
  provider: PaymentProvider,
  request: { headers: Record<string, string | string[] | undefined>; body: string },
  options: UpdateOptions & { now?: number } = {},
): Promise<{ answer: ProviderAnswer; outcome: NotificationOutcome }> {
  let transaction: ProviderTransaction;
  try {
    transaction = provider.readNotification(request.headers, request.body, options.now);
  } catch (error) {
    if (!(error instanceof PaymentVerifyError)) throw error;
    const status = error.authentication ? 401 : 400;
    const reason = maskPersonalText(error.message);
    await recordNotification(db, { provider: provider.name, outcome: 'refused', reason });
    await appendAudit(db, { kind: 'payment_notification_rejected', actor: providerActor(provider.name), detail: { reason: error.authentication ? 'authentication' : 'format', problem: reason } });
    return { answer: provider.refused(status, reason), outcome: 'refused' };
  }
  if (!transaction.paid) {
    await recordNotification(db, { provider: provider.name, outTradeNo: transaction.outTradeNo, outcome: 'not_paid', reason: transaction.state });
    return { answer: provider.received, outcome: 'not_paid' };
  }
  const outcome = await applyPaidTransaction(db, client, provider.name, transaction, options);
  await recordNotification(db, { provider: provider.name, outTradeNo: transaction.outTradeNo, outcome });
  return { answer: provider.received, outcome };
}
