/**
 * How urgent a task is (docs/business-rules.md#tasks-that-act): a whole number 0–100, stored on the
 * task when it opens; work lists put the highest first. Pure: the same policy on the same day always
 * gets the same number.
 *
 *   premium   (annualised)    ≥ ¥50,000: 40 · ≥ ¥10,000: 30 · ≥ ¥5,000: 20 · ≥ ¥1,000: 10 · less: 0
 *   lapse     (days to go)    ≤ 7: 40 · ≤ 15: 30 · ≤ 30: 20 · ≤ 60: 10 · more: 0 · lapsed already: 20
 *   segment                   A: 20 · B: 10 · C or unknown: 0
 *   high                      +10 when the step itself says so (the reinstatement window's high-value calls)
 */
import { PERIODS_PER_YEAR } from './collection-plan';

export interface PriorityInput {
  premiumFen: number;
  paymentFrequency: keyof typeof PERIODS_PER_YEAR;
  /** Whole days from today to the last grace day; null once the policy has lapsed (a reinstatement-window call). */
  daysToLapse: number | null;
  segment: string | null;
  /** The step's own urgency, where it gives one. */
  hint?: 'high' | 'normal';
}

const PREMIUM_BANDS: readonly (readonly [minFen: number, points: number])[] = [
  [5_000_000, 40],
  [1_000_000, 30],
  [500_000, 20],
  [100_000, 10],
];

const LAPSE_BANDS: readonly (readonly [maxDays: number, points: number])[] = [
  [7, 40],
  [15, 30],
  [30, 20],
  [60, 10],
];

/** A lapsed policy's call (reinstatement window): as urgent as a lapse a month away. */
const LAPSED_POINTS = 20;

const SEGMENT_POINTS: Readonly<Record<string, number>> = { A: 20, B: 10, C: 0 };

const HIGH_HINT_POINTS = 10;

export const MAX_TASK_PRIORITY = 100;

export function taskPriority(input: PriorityInput): number {
  const annualised = input.premiumFen * PERIODS_PER_YEAR[input.paymentFrequency];
  const premium = PREMIUM_BANDS.find(([min]) => annualised >= min)?.[1] ?? 0;
  const lapse = input.daysToLapse === null ? LAPSED_POINTS : (LAPSE_BANDS.find(([max]) => input.daysToLapse! <= max)?.[1] ?? 0);
  const segment = input.segment === null ? 0 : (SEGMENT_POINTS[input.segment] ?? 0);
  const hint = input.hint === 'high' ? HIGH_HINT_POINTS : 0;
  return Math.min(MAX_TASK_PRIORITY, premium + lapse + segment + hint);
}
