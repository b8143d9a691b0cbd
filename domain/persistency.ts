/**
 * 13- and 25-month persistency (继续率), docs/business-rules.md#persistency. Pure: the SQL finds each
 * policy of a cohort and its 13th (25th) month premium; this decides whether the policy was kept.
 *
 * - Cohort: regular-premium policies issued in the cohort month (issue month). Single premiums and
 *   free-look cancellations are excluded (the import knows neither; an excluded case is counted nowhere).
 * - The premium "for the 13th month" is the installment that falls due 12 months after issue: number
 *   payments-a-year + 1 (annual: the 2nd, monthly: the 13th); for 25 months, 2 × payments-a-year + 1.
 * - Kept: that premium was received by the end of its grace period (grace payments count; an
 *   automatic premium loan made as the grace period runs out too), before any lapse, and not reversed
 *   by the as-of day; or the policy was imported with a later installment already next (paid before
 *   the system's records began).
 * - Lost: not kept and the grace period of that premium (on its scheduled due date) has ended by the
 *   as-of day. Pending: neither yet.
 * - By case: kept ÷ cohort cases. By premium: annualised premium of kept policies ÷ the cohort's
 *   first-year premium (annualised premium: modal premium × payments a year).
 */
import { addDays, isCivilDate, type CivilDate } from './civil-date';
import { fraction, type Fraction } from './kpis';
import { addMonths, monthOf, type Month } from './months';
import { PERIODS_PER_YEAR } from './collection-plan';
import { addMonthsOnDay, type PaymentFrequency } from './reinstatement-arrears';

export const PERSISTENCY_MONTHS = [13, 25] as const;
export type PersistencyMonths = (typeof PERSISTENCY_MONTHS)[number];

export function isPersistencyMonths(value: unknown): value is PersistencyMonths {
  return value === 13 || value === 25;
}

/** The installment number whose premium pays for the 13th (25th) month of the policy. */
export function persistencyInstallment(frequency: PaymentFrequency, months: PersistencyMonths): number {
  return PERIODS_PER_YEAR[frequency] * ((months - 1) / 12) + 1;
}

/** Its scheduled due date: issue date + 12 (24) months, on the issue day or the month's last day. */
export function persistencyDueDate(issueDate: CivilDate, months: PersistencyMonths): CivilDate {
  if (!isCivilDate(issueDate)) throw new RangeError(`not a date (YYYY-MM-DD): ${JSON.stringify(issueDate)}`);
  return addMonthsOnDay(issueDate, months - 1, Number(issueDate.slice(8, 10)));
}

/** Modal premium × payments a year: the first-year premium of a policy, and the weight of a kept one. */
export function annualisedPremiumFen(modalPremiumFen: number, frequency: PaymentFrequency): number {
  if (!Number.isSafeInteger(modalPremiumFen) || modalPremiumFen < 0) throw new RangeError(`premium must be whole fen ≥ 0, got ${modalPremiumFen}`);
  return modalPremiumFen * PERIODS_PER_YEAR[frequency];
}

/** One policy of a cohort as the SQL finds it. */
export interface PersistencyCase {
  frequency: PaymentFrequency;
  /** Modal premium on file (fen). */
  premiumFen: number;
  /** Scheduled due date of the 13th (25th) month premium, and the product's grace days. */
  dueDate: CivilDate;
  graceDays: number;
  /** The day (Shanghai) a standing payment of that premium was received, received before any lapse; null if none by the as-of day. */
  paidOn: CivilDate | null;
  /** How that payment came: an automatic premium loan is made when the grace period runs out (the moment of lapse). */
  paidVia?: string | null;
  /** The policy's next installment on file is after the target one, with no record of it: paid before the system's records. */
  paidBeforeRecords: boolean;
  /** Single premium or free-look cancellation: not in the cohort. */
  excluded?: boolean;
}

export type PersistencyState = 'kept' | 'lost' | 'pending' | 'excluded';

/** The last day a grace payment counts: due date + grace days (24:00 of that day). */
export function graceLastDay(dueDate: CivilDate, graceDays: number): CivilDate {
  if (!Number.isInteger(graceDays) || graceDays < 0) throw new RangeError(`grace days must be a whole number ≥ 0, got ${graceDays}`);
  return addDays(dueDate, graceDays);
}

export function persistencyState(c: PersistencyCase, asOf: CivilDate): PersistencyState {
  if (c.excluded) return 'excluded';
  if (c.paidBeforeRecords) return 'kept';
  const last = graceLastDay(c.dueDate, c.graceDays);
  // An automatic premium loan is made at the moment the policy would lapse (00:00 of the day after the
  // last grace day, or later that day): the premium is paid on the policy's own terms, in time.
  const deadline = c.paidVia === 'apl' ? addDays(last, 1) : last;
  if (c.paidOn !== null && c.paidOn <= deadline && c.paidOn <= asOf) return 'kept';
  return last < asOf ? 'lost' : 'pending';
}

export interface PersistencyFigures {
  cases: number;
  firstYearPremiumFen: number;
  keptCases: number;
  keptPremiumFen: number;
  lostCases: number;
  pendingCases: number;
  /** Kept only because the import showed a later installment next. */
  keptBeforeRecords: number;
  byCase: Fraction;
  byPremium: Fraction;
  /** No case pending: the figures can no longer change. */
  final: boolean;
}

/** The persistency of a group of cases as of a day. */
export function persistencyFigures(cases: readonly PersistencyCase[], asOf: CivilDate): PersistencyFigures {
  let n = 0;
  let premium = 0;
  let kept = 0;
  let keptPremium = 0;
  let lost = 0;
  let pending = 0;
  let before = 0;
  for (const c of cases) {
    const state = persistencyState(c, asOf);
    if (state === 'excluded') continue;
    const annual = annualisedPremiumFen(c.premiumFen, c.frequency);
    n += 1;
    premium += annual;
    if (state === 'kept') {
      kept += 1;
      keptPremium += annual;
      if (c.paidBeforeRecords) before += 1;
    } else if (state === 'lost') lost += 1;
    else pending += 1;
  }
  return {
    cases: n,
    firstYearPremiumFen: premium,
    keptCases: kept,
    keptPremiumFen: keptPremium,
    lostCases: lost,
    pendingCases: pending,
    keptBeforeRecords: before,
    byCase: fraction(kept, n),
    byPremium: fraction(keptPremium, premium),
    final: pending === 0,
  };
}

/**
 * The cohorts measured by default on a day: the twelve issue months up to the one whose 13th (25th)
 * month premium fell due in the month before the as-of month (so most grace periods have run).
 */
export function defaultCohorts(asOf: CivilDate, months: PersistencyMonths): { from: Month; to: Month } {
  const to = addMonths(monthOf(asOf), -(months - 1) - 1);
  return { from: addMonths(to, -11), to };
}
