import type { Client } from '@temporalio/client';
import type { Knex } from 'knex';
import { openOrdersBetween } from '../db/repositories/payment-links';
import type { PaymentProvider, PaymentProviderName } from '../integrations/payments/port';
import { applyPaidTransaction } from './payment-links-notifications';
import type { UpdateOptions } from './update-deadline';

export interface SweepResult {
  asked: number;
  applied: number;
  /** Still unpaid at the provider, or unknown to it. */
  unpaid: number;
  /** Paid, but the cycle would not take it, or another notification applied it meanwhile. */
  other: number;
  /** Providers that did not answer: their orders are asked again next time. */
  failed: number;
}

/** How far back the sweep looks: a link lives at most a grace period, an order a little longer. */
const LOOK_BACK_MS = 70 * 24 * 3_600_000;

/**
 * Recovers a lost notification (docs/architecture.md#online-payment): every order still open after
 * `olderThanMinutes` is asked of its provider (WeChat Pay's query by out_trade_no, alipay.trade.query),
 * and one the provider reports paid is applied exactly as its notification would have been.
 */
export async function checkOpenOrders(
  db: Knex,
  client: Client,
  providers: Partial<Record<PaymentProviderName, PaymentProvider>>,
  options: UpdateOptions & { olderThanMinutes: number; now?: Date },
): Promise<SweepResult> {
  const now = options.now ?? new Date();
  const orders = await openOrdersBetween(db, new Date(now.getTime() - LOOK_BACK_MS), new Date(now.getTime() - options.olderThanMinutes * 60_000));
  const result: SweepResult = { asked: 0, applied: 0, unpaid: 0, other: 0, failed: 0 };
  for (const order of orders) {
    const provider = providers[order.provider as PaymentProviderName];
    if (!provider) continue;
    result.asked += 1;
    try {
      const transaction = await provider.queryOrder(order.out_trade_no);
      if (!transaction?.paid) {
        result.unpaid += 1;
        continue;
      }
      const outcome = await applyPaidTransaction(db, client, provider.name, transaction, options);
      if (outcome === 'applied') result.applied += 1;
      else result.other += 1;
    } catch {
      result.failed += 1;
    }
  }
  return result;
}
