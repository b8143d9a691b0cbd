/**
 * Holds on collection: an open claim, a pending servicing change (保全), a dispute, a moratorium, and a
 * counter payment awaiting a second cashier (`payment_review`: the money is at the counter, so nothing is
 * debited, no reminder goes and the policy does not lapse until it is confirmed or rejected).
 * While one is in place the cycle makes no contact and no debit (contact-rules.ts, cycle-decider.ts).
 */
export const HOLD_KINDS = ['claim', 'servicing', 'dispute', 'moratorium', 'payment_review'] as const;
export type HoldKind = (typeof HOLD_KINDS)[number];

export function isHoldKind(value: unknown): value is HoldKind {
  return typeof value === 'string' && (HOLD_KINDS as readonly string[]).includes(value);
}
