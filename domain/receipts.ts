import { isCivilDate, shanghaiInstant } from './civil-date';
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

/** Why a receipt is put aside for a person to look at rather than paid to a premium. */
export const SUSPENSE_REASONS = ['unknown_policy', 'no_premium_due', 'amount_differs', 'cycle_refused'] as const;
export type SuspenseReason = (typeof SUSPENSE_REASONS)[number];

export type ReceiptMatch = { kind: 'pay'; premiumDueId: number } | { kind: 'suspense'; reason: SuspenseReason };

const POLICY_NO = /^[A-Za-z0-9-]{1,32}$/;
const PAID_AT = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2})(?::(\d{2}))?$/;

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
  const at = PAID_AT.exec((values.paid_at ?? '').trim());
  const [hours, minutes] = (at?.[2] ?? '').split(':').map(Number);
  if (!at || !isCivilDate(at[1]) || hours! > 23 || minutes! > 59 || Number(at[3] ?? 0) > 59) {
    return { field: 'paid_at', problem: 'paid_at must be a Shanghai time YYYY-MM-DD HH:MM[:SS]' };
  }
  const paidAt = shanghaiInstant(at[1], at[2]) + Number(at[3] ?? 0) * 1000;
  if (paidAt > now) return { field: 'paid_at', problem: 'paid_at lies in the future' };
  const reference = (values.reference ?? '').trim();
  if (!PAYMENT_REFERENCE.test(reference)) return { field: 'reference', problem: 'reference must be 1–64 letters, digits, - or _' };
  const viaText = (values.via ?? '').trim();
  if (viaText !== '' && !isReportedVia(viaText)) return { field: 'via', problem: `via must be one of ${REPORTED_VIAS.join(', ')}` };
  return { receipt: { policyNo, amountFen, paidAt, reference, via: viaText === '' ? defaultVia : viaText } };
}

/**
 * The premium a receipt pays: the policy's oldest premium still due, for exactly its amount. Anything
 * else (no such policy, nothing due, another amount: part or too much) is put aside, never guessed.
 */
export function matchReceipt(receipt: Pick<Receipt, 'amountFen'>, policyKnown: boolean, oldestDue: { id: number; amountFen: number } | undefined): ReceiptMatch {
  if (!policyKnown) return { kind: 'suspense', reason: 'unknown_policy' };
  if (!oldestDue) return { kind: 'suspense', reason: 'no_premium_due' };
  if (oldestDue.amountFen !== receipt.amountFen) return { kind: 'suspense', reason: 'amount_differs' };
  return { kind: 'pay', premiumDueId: oldestDue.id };
}
