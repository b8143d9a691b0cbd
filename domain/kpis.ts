/**
 * KPI arithmetic for the reports (docs/business-rules.md#kpis): rates kept as exact fractions and rounded only
 * when shown, the three collection cut-offs of a premium (当月 / 次月 / 宽末) and the payment-number
 * groups of the 3 × payment-number grid. Pure: the SQL aggregates, this decides what the figures mean.
 */
import { addDays, type CivilDate } from './civil-date';
import { addMonths, lastDayOf, monthOf } from './months';

/** A rate as counted: e.g. 7 of 8 cases, 1_234_500 of 2_000_000 fen. Never a float until shown. */
export interface Fraction {
  numerator: number;
  denominator: number;
}

export function fraction(numerator: number, denominator: number): Fraction {
  for (const [name, value] of [['numerator', numerator], ['denominator', denominator]] as const) {
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${name} must be a whole number ≥ 0, got ${value}`);
  }
  return { numerator, denominator };
}

/**
 * numerator / denominator rounded half up to `places` decimal places, as a decimal string, computed
 * exactly (BigInt: sums of a million premiums in fen times 10^k exceed 2^53). Undefined for 0 / 0.
 */
function roundedDecimal(numerator: bigint, denominator: bigint, places: number): string | undefined {
  if (denominator === 0n) return undefined;
  if (!Number.isInteger(places) || places < 0 || places > 12) throw new RangeError(`places must be 0 to 12, got ${places}`);
  const scale = 10n ** BigInt(places);
  // Half up: floor((2·n·scale + d) / (2·d)).
  const scaled = (2n * numerator * scale + denominator) / (2n * denominator);
  const whole = scaled / scale;
  if (places === 0) return whole.toString();
  const fractional = (scaled % scale).toString().padStart(places, '0');
  return `${whole}.${fractional}`;
}

/** The rate as a percentage string rounded half up, e.g. 7/8 → '87.50%'; '—' when nothing was due. */
export function formatPercent(rate: Fraction, places = 2): string {
  const text = roundedDecimal(BigInt(rate.numerator) * 100n, BigInt(rate.denominator), places);
  return text === undefined ? '—' : `${text}%`;
}

/** The rate as a ratio rounded half up to `places` decimals (0.875 for 7/8), for spreadsheets; null for 0 / 0. */
export function roundedRatio(rate: Fraction, places = 6): number | null {
  const text = roundedDecimal(BigInt(rate.numerator), BigInt(rate.denominator), places);
  return text === undefined ? null : Number(text);
}

/** The three moments a month's premiums are measured at (docs/business-rules.md#collection-rate: 当月 / 次月 / 宽末达成率). */
export const CUTOFFS = ['due_month', 'next_month', 'grace_end_month'] as const;
export type Cutoff = (typeof CUTOFFS)[number];

export const CUTOFF_LABELS: Readonly<Record<Cutoff, string>> = {
  due_month: '当月 end of due month',
  next_month: '次月 end of next month',
  grace_end_month: '宽末 end of grace-end month',
};


/**
 * The last day (inclusive) of each measuring window for one premium. The grace period runs
 * D+1 … D+graceDays (24:00 of D+graceDays is the last moment to pay), so 宽末 is the end of the
 * month that holds D+graceDays: for D = 31 January and 60 days that is 1 April, measured to 30 April.
 */
export function collectionCutoffs(dueDate: CivilDate, graceDays: number): Readonly<Record<Cutoff, CivilDate>> {
  if (!Number.isInteger(graceDays) || graceDays < 0) throw new RangeError(`grace days must be a whole number ≥ 0, got ${graceDays}`);
  const dueMonth = monthOf(dueDate);
  return {
    due_month: lastDayOf(dueMonth),
    next_month: lastDayOf(addMonths(dueMonth, 1)),
    grace_end_month: lastDayOf(monthOf(addDays(dueDate, graceDays))),
  };
}

/**
 * A cut-off seen from a report date: figures count what had happened by the end of the earlier of
 * the two; `final` once the cut-off itself has passed (later payments no longer change the cell).
 */
export function measuredThrough(cutoff: CivilDate, asOf: CivilDate): { through: CivilDate; final: boolean } {
  return cutoff <= asOf ? { through: cutoff, final: true } : { through: asOf, final: false };
}

/**
 * Payment number groups of the grid (二次 / 三次 / 四次及以上): the 2nd premium is the first renewal.
 * A 1st premium is not a renewal but is reported as its own group rather than hidden.
 */
export type PaymentNumberGroup = 1 | 2 | 3 | 4;

export function paymentNumberGroup(installmentNo: number): PaymentNumberGroup {
  if (!Number.isInteger(installmentNo) || installmentNo < 1) throw new RangeError(`installment number must be a whole number ≥ 1, got ${installmentNo}`);
  return Math.min(installmentNo, 4) as PaymentNumberGroup;
}

export const PAYMENT_NUMBER_LABELS: Readonly<Record<PaymentNumberGroup, string>> = {
  1: '首期 1st',
  2: '第2期 2nd',
  3: '第3期 3rd',
  4: '第4期及以上 4th+',
};
