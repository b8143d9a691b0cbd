/**
 * Payments with amounts (docs/business-rules.md#payment-amounts): how much of a payment a premium
 * takes, what is left to pay, what goes to the suspense ledger, and when a payment counts. Pure.
 */
import { isCivilDate } from './civil-date';
import type { Fen } from './money';

/**
 * Why money received pays no premium and waits in the suspense ledger for a refund (or a person):
 * more than was owed, a premium already paid, money after a suspension that does not undo it, or a
 * payment the cycle refused for another reason (its reason is on the audit trail).
 */
export const SUSPENSE_ENTRY_REASONS = ['over_payment', 'already_paid', 'after_lapse', 'refused_by_cycle'] as const;
export type SuspenseEntryReason = (typeof SUSPENSE_ENTRY_REASONS)[number];

/** The largest amount a single reported payment may carry: ten million yuan, far above any premium. */
export const MAX_PAYMENT_FEN = 1_000_000_000;

/** A paid-at this far ahead of the clock that reads it is refused: clocks differ a little, never more. */
export const PAID_AT_CLOCK_SKEW_MS = 5 * 60_000;

export interface PaymentSplit {
  /** What the premium takes: at most what was still owed. */
  appliedFen: Fen;
  /** What is still owed after it. */
  restFen: Fen;
  /** What was paid beyond the rest: to the suspense ledger, with a refund task. */
  excessFen: Fen;
}

/** A payment of `amountFen` against `owedFen` still owed on the premium. */
export function splitPayment(owedFen: Fen, amountFen: Fen): PaymentSplit {
  if (!Number.isSafeInteger(owedFen) || owedFen < 0) throw new RangeError(`owed must be whole fen ≥ 0, got ${owedFen}`);
  if (!Number.isSafeInteger(amountFen) || amountFen <= 0) throw new RangeError(`amount must be whole fen > 0, got ${amountFen}`);
  const appliedFen = Math.min(owedFen, amountFen);
  return { appliedFen, restFen: owedFen - appliedFen, excessFen: amountFen - appliedFen };
}

/** What is still owed on a premium of `premiumFen` after `receivedFen` (payments not reversed). */
export function owedAfter(premiumFen: Fen, receivedFen: Fen): Fen {
  return Math.max(0, premiumFen - receivedFen);
}

/** The instant an ISO 8601 paid-at names, or undefined when it names none. */
export function paidAtInstant(paidAt: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}T([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/.test(paidAt) || !isCivilDate(paidAt.slice(0, 10))) return undefined;
  const at = Date.parse(paidAt);
  return Number.isNaN(at) ? undefined : at;
}

/**
 * Why a reported payment's amount or paid-at is not acceptable at `now`, or undefined. Both may be
 * absent (the whole premium still owed, paid when reported).
 */
export function paymentAmountError(payment: { amountFen?: unknown; paidAt?: unknown }, now: number): string | undefined {
  const { amountFen, paidAt } = payment;
  if (amountFen !== undefined && (typeof amountFen !== 'number' || !Number.isSafeInteger(amountFen) || amountFen <= 0 || amountFen > MAX_PAYMENT_FEN)) {
    return `amountFen must be whole fen from 1 to ${MAX_PAYMENT_FEN}, got ${JSON.stringify(amountFen)}`;
  }
  if (paidAt !== undefined) {
    const at = typeof paidAt === 'string' ? paidAtInstant(paidAt) : undefined;
    if (typeof paidAt !== 'string' || at === undefined) return `paidAt must be an ISO 8601 instant with its offset (e.g. 2026-03-01T23:59:00+08:00), got ${JSON.stringify(paidAt)}`;
    if (at > now + PAID_AT_CLOCK_SKEW_MS) return `paidAt ${paidAt} lies in the future`;
  }
  return undefined;
}

/**
 * A payment reported after the suspension counts when it was made before the suspension instant
 * (Art. 36: paid within grace, the policy never lapsed) and settles what was owed. Anything else
 * after suspension is no premium payment: the reinstatement pays arrears, and the money waits in
 * suspense.
 */
export function undoesSuspension(payment: { paidAt: number; amountFen: Fen }, suspendedAt: number, owedFen: Fen): boolean {
  return payment.paidAt < suspendedAt && payment.amountFen >= owedFen;
}
