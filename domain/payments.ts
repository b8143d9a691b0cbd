/** How a premium was paid, and which ways of paying people report (rather than the system making them). */

/** Every way a premium comes to be paid (premium_dues.paid_via, a database enum). */
export const PAYMENT_VIAS = ['debit', 'counter', 'online', 'transfer', 'apl'] as const;
export type PaidVia = (typeof PAYMENT_VIAS)[number];

/**
 * The payments an operator reports, with a receipt or bank reference: at the counter, online, by
 * bank transfer. Debits and automatic premium loans are made by the cycle itself.
 */
export const REPORTED_VIAS = ['counter', 'online', 'transfer'] as const satisfies readonly PaidVia[];
export type ReportedVia = (typeof REPORTED_VIAS)[number];

export function isReportedVia(value: unknown): value is ReportedVia {
  return typeof value === 'string' && (REPORTED_VIAS as readonly string[]).includes(value);
}

/** Receipt numbers and bank references: letters, digits, '-' and '_' only (never free text). */
export const PAYMENT_REFERENCE = /^[A-Za-z0-9_-]{1,64}$/;

export function isPaymentReference(value: unknown): boolean {
  return typeof value === 'string' && PAYMENT_REFERENCE.test(value);
}

/** Why a reported payment's way or reference is not acceptable, or undefined: the cycle's and the reinstatement's. */
export function reportedPaymentError(payment: { via: string; reference: string }): string | undefined {
  if (!isReportedVia(payment.via)) return `via must be ${REPORTED_VIAS.join(', ').replace(/, (?=[^,]*$)/, ' or ')}, got ${payment.via}`;
  if (!isPaymentReference(payment.reference)) return 'reference must be the receipt or bank reference: 1–64 letters, digits, - or _';
  return undefined;
}
