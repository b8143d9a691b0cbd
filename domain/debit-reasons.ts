/**
 * Normalised bank debit outcomes (domain.md, "Bank debit outcomes"). Adapters map their raw codes
 * here; the cycle decides retries and lapse on the normalised reason only.
 */
export type DebitReason =
  | 'INSUFFICIENT_FUNDS'
  | 'LIMIT_EXCEEDED'
  | 'ACCOUNT_CLOSED'
  | 'ACCOUNT_INVALID'
  | 'ACCOUNT_FROZEN'
  | 'CARD_LOST'
  | 'DORMANT'
  | 'EXPIRED'
  | 'NAME_MISMATCH'
  | 'ID_MISMATCH'
  | 'NO_MANDATE'
  | 'MANDATE_REVOKED'
  | 'REFUSED_BY_DEBTOR'
  | 'BANK_ERROR'
  | 'TIMEOUT'
  | 'UNKNOWN';

export interface ReasonRule {
  /** Try again at the next planned attempt without anything being fixed first. */
  retryable: boolean;
  /** The customer's fault: only such failures can lead to lapse. */
  customerFault: boolean;
  /** Resolve by querying the bank before anything else (the debit may have gone through). */
  queryFirst: boolean;
}

export const REASON_RULES: Readonly<Record<DebitReason, ReasonRule>> = {
  INSUFFICIENT_FUNDS: { retryable: true, customerFault: true, queryFirst: false },
  LIMIT_EXCEEDED: { retryable: true, customerFault: true, queryFirst: false },
  ACCOUNT_CLOSED: { retryable: false, customerFault: true, queryFirst: false },
  ACCOUNT_INVALID: { retryable: false, customerFault: true, queryFirst: false },
  ACCOUNT_FROZEN: { retryable: false, customerFault: true, queryFirst: false },
  CARD_LOST: { retryable: false, customerFault: true, queryFirst: false },
  DORMANT: { retryable: false, customerFault: true, queryFirst: false },
  EXPIRED: { retryable: false, customerFault: true, queryFirst: false },
  // Insurer's data unless the customer supplied it: never the customer's fault by default.
  NAME_MISMATCH: { retryable: false, customerFault: false, queryFirst: false },
  ID_MISMATCH: { retryable: false, customerFault: false, queryFirst: false },
  NO_MANDATE: { retryable: false, customerFault: false, queryFirst: false },
  MANDATE_REVOKED: { retryable: false, customerFault: true, queryFirst: false },
  REFUSED_BY_DEBTOR: { retryable: false, customerFault: true, queryFirst: false },
  BANK_ERROR: { retryable: true, customerFault: false, queryFirst: true },
  TIMEOUT: { retryable: true, customerFault: false, queryFirst: true },
  UNKNOWN: { retryable: true, customerFault: false, queryFirst: true },
};

/** ISO 20022 external status reason codes (pain.002 / camt.054) seen on direct debits. */
const ISO_CODES: Readonly<Record<string, DebitReason>> = {
  AM04: 'INSUFFICIENT_FUNDS',
  AM02: 'LIMIT_EXCEEDED',
  AM14: 'LIMIT_EXCEEDED',
  AC01: 'ACCOUNT_INVALID',
  AC04: 'ACCOUNT_CLOSED',
  AC06: 'ACCOUNT_FROZEN',
  AC13: 'ACCOUNT_INVALID',
  AG01: 'ACCOUNT_INVALID',
  BE05: 'NAME_MISMATCH',
  BE01: 'NAME_MISMATCH',
  MD01: 'NO_MANDATE',
  MD07: 'ACCOUNT_CLOSED',
  MS02: 'REFUSED_BY_DEBTOR',
  MS03: 'BANK_ERROR',
  SL01: 'REFUSED_BY_DEBTOR',
  AM05: 'BANK_ERROR',
  FF01: 'BANK_ERROR',
  NARR: 'UNKNOWN',
};

export interface Classified extends ReasonRule {
  reason: DebitReason;
  rawCode: string;
}

/** Classifies an ISO 20022 reason code; anything unrecognised is UNKNOWN (query first, never lapse). */
export function classifyIsoReason(rawCode: string): Classified {
  const reason = ISO_CODES[rawCode.trim().toUpperCase()] ?? 'UNKNOWN';
  return { reason, rawCode, ...REASON_RULES[reason] };
}
