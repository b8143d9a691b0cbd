/**
 * What the hosted payment page and the notification receiver need from an online payment provider
 * (docs/architecture.md#online-payment). Nothing here carries personal data: an order names the
 * premium only by its out_trade_no, and the description is generic.
 */

export const PAYMENT_PROVIDERS = ['wechatpay', 'alipay'] as const;
export type PaymentProviderName = (typeof PAYMENT_PROVIDERS)[number];

export function isPaymentProvider(value: unknown): value is PaymentProviderName {
  return typeof value === 'string' && (PAYMENT_PROVIDERS as readonly string[]).includes(value);
}

/** One attempt to pay a premium online: its out_trade_no is never reused. */
export interface OnlineOrder {
  outTradeNo: string;
  amountFen: number;
  /** Shown by the provider's cashier: what is paid for, never who pays. */
  description: string;
  /** The order closes at the provider then (the link's expiry, at most). */
  expiresAt: Date;
  /** The payer's IP, which WeChat H5 requires. */
  clientIp: string;
}

/** An order as the provider reports it, in a believed notification or a query's answer. */
export interface ProviderTransaction {
  outTradeNo: string;
  /** The provider's own transaction number (WeChat transaction_id, Alipay trade_no); '' while unpaid. */
  transactionId: string;
  paid: boolean;
  /** The provider's state word, e.g. SUCCESS, NOTPAY, TRADE_SUCCESS, WAIT_BUYER_PAY. */
  state: string;
  amountFen: number;
  paidAt?: Date;
}

/** How a notification is answered: what the provider takes as "received" or as "send it again". */
export interface ProviderAnswer {
  status: number;
  contentType: string;
  body: string;
}

export interface PaymentProvider {
  readonly name: PaymentProviderName;
  /** Creates the order at the provider; the URL to send the payer's browser to. */
  createOrder(order: OnlineOrder): Promise<{ payUrl: string }>;
  /** The order as the provider has it; undefined when the provider does not know it. */
  queryOrder(outTradeNo: string): Promise<ProviderTransaction | undefined>;
  /** Verifies a notification as the provider documents it; throws PaymentVerifyError otherwise. */
  readNotification(headers: Record<string, string | string[] | undefined>, body: string, now?: number): ProviderTransaction;
  /** The answer to a notification taken (or already taken). */
  readonly received: ProviderAnswer;
  /** The answer to a notification refused, by HTTP status. */
  refused(status: number, reason: string): ProviderAnswer;
}

/** A provider's answer that says no, or that cannot be read: its code, never its personal content. */
export class PaymentProviderError extends Error {
  override readonly name = 'PaymentProviderError';
}

/** Something claiming to come from a provider that is not believed: the reason, with nothing of its content. */
export class PaymentVerifyError extends Error {
  override readonly name = 'PaymentVerifyError';
  /** true: signature or ciphertext failed (401); false: malformed or about another merchant (400). */
  constructor(message: string, readonly authentication: boolean) {
    super(message);
  }
}

/** A provider's transaction number as a payment reference: [A-Za-z0-9_-], at most 64. */
export function referenceOf(transactionId: string): string | undefined {
  const cleaned = transactionId.replace(/[^A-Za-z0-9_-]/g, '').slice(0, 64);
  return cleaned.length > 0 ? cleaned : undefined;
}

/** 'yyyy-MM-dd HH:mm:ss' in Beijing time, as Alipay writes instants. */
export function beijingTimestamp(at: Date): string {
  return new Date(at.getTime() + 8 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ');
}

export function parseBeijingTimestamp(text: string): Date | undefined {
  if (!/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(text)) return undefined;
  const ms = Date.parse(`${text.replace(' ', 'T')}+08:00`);
  return Number.isNaN(ms) ? undefined : new Date(ms);
}
