/**
 * Customer segments A/B/C of a policy (docs/business-rules.md#segments): given by policies.csv, or
 * computed by the rule below when the file leaves `segment` empty. The segment chooses a
 * per-segment collection plan (`{plan}-{segment}`, domain/collection-plan.ts) and segment A counts
 * as high value. Pure: the importer gives it the file's row and the policy's stored history.
 */
import { addYears, daysBetween, type CivilDate } from './civil-date';
import { PERIODS_PER_YEAR } from './collection-plan';
import type { Fen } from './money';

export const SEGMENTS = ['A', 'B', 'C'] as const;
export type Segment = (typeof SEGMENTS)[number];

/** Where a policy's stored segment came from. */
export type SegmentSource = 'file' | 'rule';

/** The numbers of the rule; practice, so configurable. */
export interface SegmentRule {
  /** Annualised premium from which a policy is A: the high-value threshold of standard-60, so A never widens who is high value there. */
  highValueFen: Fen;
  /** Policies with fewer whole policy years at the next due date are C: the premiums 13-month persistency is measured on. */
  earlyYears: number;
  /** Earlier premiums looked back on, in years before the next due date. */
  historyYears: number;
  /** A premium paid more than this many days after its due date was paid late (beyond the first debit and its weekend or holiday). */
  lateAfterDays: number;
}

export const DEFAULT_SEGMENT_RULE: SegmentRule = { highValueFen: 1_000_000, earlyYears: 2, historyYears: 2, lateAfterDays: 7 };

/** An earlier premium of the policy as the database holds it. */
export interface PremiumHistory {
  dueDate: CivilDate;
  /** The day it was paid (Asia/Shanghai), null when it was not. */
  paidOn: CivilDate | null;
  lapsed: boolean;
}

export interface SegmentInputs {
  premiumFen: Fen;
  paymentFrequency: keyof typeof PERIODS_PER_YEAR;
  issueDate: CivilDate;
  nextDueDate: CivilDate;
  /** The policy's status as the file gives it. */
  status: 'in_force' | 'grace' | 'lapsed';
  history: readonly PremiumHistory[];
}

/** Whole policy years from issue to the next due date. */
export function tenureYears(issueDate: CivilDate, nextDueDate: CivilDate): number {
  let years = 0;
  while (daysBetween(addYears(issueDate, years + 1), nextDueDate) >= 0) years += 1;
  return years;
}

/** True when an earlier premium, due in the look-back before the next due date, lapsed or was paid late. */
function troubledHistory(policy: SegmentInputs, rule: SegmentRule): boolean {
  const lookBack = addYears(policy.nextDueDate, -rule.historyYears);
  return policy.history.some((h) => {
    if (daysBetween(lookBack, h.dueDate) < 0 || daysBetween(h.dueDate, policy.nextDueDate) <= 0) return false;
    return h.lapsed || (h.paidOn !== null && daysBetween(h.dueDate, h.paidOn) > rule.lateAfterDays);
  });
}

/**
 * The rule, first match wins (payment history, premium, tenure):
 * 1. C (at risk): the file says the policy is in grace or lapsed, or a premium due within the last
 *    `historyYears` before the next due date lapsed or was paid more than `lateAfterDays` late;
 * 2. A (high value): annualised premium at or above `highValueFen`;
 * 3. C (early): fewer than `earlyYears` whole policy years at the next due date;
 * 4. B: every other policy.
 */
export function segmentOf(policy: SegmentInputs, rule: SegmentRule = DEFAULT_SEGMENT_RULE): Segment {
  if (policy.status !== 'in_force' || troubledHistory(policy, rule)) return 'C';
  if (policy.premiumFen * PERIODS_PER_YEAR[policy.paymentFrequency] >= rule.highValueFen) return 'A';
  if (tenureYears(policy.issueDate, policy.nextDueDate) < rule.earlyYears) return 'C';
  return 'B';
}
