import { shanghaiTimeInstant } from './civil-date';
import { yuanToFen } from './money';
import { isReportedVia, PAYMENT_REFERENCE, REPORTED_VIAS, type ReportedVia } from './payments';

/**
 * A receipts file (docs/business-rules.md#receipts-import): one payment per row from a bank statement or
 * a counter's receipt list, read, then matched to the premium it pays. Pure: the application reads the
 * file and the premiums and does what the match says.
 */
export const RECEIPT_COLUMNS = ['policy_no', 'amount', 'paid_at', 'reference'] as const;
export const RECEIPT_OPTIONAL_COLUMNS = ['via'] as const;

export interface Receipt {
  policyNo: string;
  amountFen: number;
  /** When the money was paid (the statement's or the receipt's time), epoch ms. */
  paidAt: number;
  reference: string;
  via: ReportedVia;
}

/**
 * Why a receipt is put aside for a person to look at rather than paid to a premium. `amount_differs`
 * is only on receipts imported before payments had amounts (now a part or too much is paid, and the
 * cycle puts any excess in the suspense ledger).
 */
export const SUSPENSE_REASONS = ['unknown_policy', 'no_premium_due', 'amount_differs', 'cycle_refused'] as const;
export type SuspenseReason = (typeof SUSPENSE_REASONS)[number];

export type ReceiptMatch = { kind: 'pay'; premiumDueId: number } | { kind: 'suspense'; reason: SuspenseReason };

const POLICY_NO = /^[A-Za-z0-9-]{1,32}$/;

/** A row's values as a receipt, or the first field at fault with what it must be. */
export function readReceipt(values: Record<string, string>, now: number, defaultVia: ReportedVia): { receipt: Receipt } | { field: string; problem: string } {
  const policyNo = (values.policy_no ?? '').trim();
  if (!POLICY_NO.test(policyNo)) return { field: 'policy_no', problem: 'policy_no must be a policy number (letters, digits and -)' };
  let amountFen: number;
  try {
    amountFen = yuanToFen(values.amount ?? '');
  } catch {
    return { field: 'amount', problem: 'amount must be an amount in yuan with at most 2 decimals, e.g. 1234.50' };
  }
  if (amountFen <= 0) return { field: 'amount', problem: 'amount must be more than 0' };
  const paidAt = shanghaiTimeInstant(values.paid_at ?? '');
  if (paidAt === undefined) return { field: 'paid_at', problem: 'paid_at must be a Shanghai time YYYY-MM-DD HH:MM[:SS]' };
  if (paidAt > now) return { field: 'paid_at', problem: 'paid_at lies in the future' };
  const reference = (values.reference ?? '').trim();
  if (!PAYMENT_REFERENCE.test(reference)) return { field: 'reference', problem: 'reference must be 1–64 letters, digits, - or _' };
  const viaText = (values.via ?? '').trim();
  if (viaText !== '' && !isReportedVia(viaText)) return { field: 'via', problem: `via must be one of ${REPORTED_VIAS.join(', ')}` };
  return { receipt: { policyNo, amountFen, paidAt, reference, via: viaText === '' ? defaultVia : viaText } };
}

/**
 * The premium a receipt pays: the policy's oldest premium still due, whatever the amount (a part
 * leaves the rest owed, too much goes to the suspense ledger); else a suspended premium the money was
 * paid before the suspension of (docs/business-rules.md#payment-amounts). Anything else is put aside,
 * never guessed.
 */
export function matchReceipt(
  receipt: Pick<Receipt, 'paidAt'>,
  policyKnown: boolean,
  oldestDue: { id: number } | undefined,
  suspended?: { id: number; suspendedAt: number },
): ReceiptMatch {
  if (!policyKnown) return { kind: 'suspense', reason: 'unknown_policy' };
  if (oldestDue) return { kind: 'pay', premiumDueId: oldestDue.id };
  if (suspended && receipt.paidAt < suspended.suspendedAt) return { kind: 'pay', premiumDueId: suspended.id };
  return { kind: 'suspense', reason: 'no_premium_due' };
}
