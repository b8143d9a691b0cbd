import { preferredNoticeChannel, type NoticeChannel } from './channels';
import type { PolicySnapshot } from './cycle-schedule';

/**
 * The payment-received message (docs/business-rules.md#payment-received-notice): once a premium is
 * settled, whatever the way it was paid, the customer is told on their own channel. Not marketing:
 * no frequency cap holds it back, a promise or a hold does not suppress it, quiet hours do.
 */
export const PAYMENT_RECEIVED_STEP = 'payment_received';
export const PAYMENT_RECEIVED_TEMPLATE = 'payment_received';

/** A payment-received notice that could not go for this long after the payment is recorded expired, not sent late. */
export const PAYMENT_RECEIVED_EXPIRES_MS = 3 * 86_400_000;

/** The customer's channel: WeChat or email as they chose, else SMS. */
export function paymentReceivedChannel(policy: Pick<PolicySnapshot, 'preferredChannel'>): NoticeChannel {
  return preferredNoticeChannel(policy.preferredChannel);
}
