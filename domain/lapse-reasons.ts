/**
 * The lapse-reasons ranking (docs/business-rules.md#lapse-reasons): why premiums were not paid, by
 * non-payment reason code, most cases first, the top three highlighted. Pure: the SQL finds the
 * premiums and the reason each carries; this reads the reason and ranks.
 */
import { fraction, type Fraction } from './kpis';
import { isNonPaymentReason, NON_PAYMENT_OTHER, NON_PAYMENT_REASON_CODES, type NonPaymentReasonCode } from './non-payment-reasons';

/** How many reasons the report highlights. */
export const TOP_REASONS = 3;

/**
 * The reason a stored value names: a code 1–12 (a number or its digits as text, as JSON detail
 * may hold it), else 11 (other), as a lapse without a reason is recorded.
 */
export function nonPaymentReasonOf(value: unknown): NonPaymentReasonCode {
  const n = typeof value === 'string' && /^\d{1,2}$/.test(value) ? Number(value) : value;
  return isNonPaymentReason(n) ? n : NON_PAYMENT_OTHER;
}

export interface ReasonTally {
  code: NonPaymentReasonCode;
  cases: number;
  premiumFen: number;
}

export interface RankedReason extends ReasonTally {
  /** 1 = most cases; reasons without a case are ranked after the rest, in code order. */
  rank: number;
  /** Among the first TOP_REASONS ranks and with at least one case. */
  top: boolean;
  /** This reason's cases ÷ all cases. */
  share: Fraction;
}

/** Adds up premiums by reason: one entry per reason seen, with its cases and premium. */
export function tallyReasons(premiums: readonly { reason: unknown; premiumFen: number }[]): ReasonTally[] {
  const byCode = new Map<NonPaymentReasonCode, ReasonTally>();
  for (const p of premiums) {
    const code = nonPaymentReasonOf(p.reason);
    const t = byCode.get(code) ?? { code, cases: 0, premiumFen: 0 };
    t.cases += 1;
    t.premiumFen += p.premiumFen;
    byCode.set(code, t);
  }
  return [...byCode.values()];
}

/**
 * Every reason code 1–12, ranked: most cases first, then most premium, then the lower code (so equal
 * reasons always come out in one order). Ranks are positions 1…12, ties broken as above.
 */
export function rankReasons(tallies: readonly ReasonTally[]): RankedReason[] {
  const total = tallies.reduce((sum, t) => sum + t.cases, 0);
  const all = NON_PAYMENT_REASON_CODES.map((code) => {
    const found = tallies.filter((t) => t.code === code);
    return { code, cases: found.reduce((s, t) => s + t.cases, 0), premiumFen: found.reduce((s, t) => s + t.premiumFen, 0) };
  });
  all.sort((a, b) => b.cases - a.cases || b.premiumFen - a.premiumFen || a.code - b.code);
  return all.map((t, i) => ({ ...t, rank: i + 1, top: i < TOP_REASONS && t.cases > 0, share: fraction(t.cases, total) }));
}
