/**
 * The back premiums (补交保费) and their interest for reinstatement, in integer fen. Interp. (III)
 * Art. 8: the insurer may require the corresponding interest; the rate is the product's, simple,
 * in basis points a year.
 *
 * Rules, each an explicit choice:
 * - Arrears: every installment from the lapsed due date whose due date is before the payment date.
 *   One due on the payment date itself is the reinstated policy's next premium, collected by its
 *   own cycle with its own grace.
 * - Interest per installment: premium × rate × actual days (due date to payment date) / 365, for
 *   leap years too (actual/365 fixed), rounded half up to the fen *per installment*; the total is the
 *   sum of the rounded lines, so the itemised quote adds up to what is collected.
 * - Products in BigInt: premium fen × basis points × days passes 2^53 for large premiums.
 */
import { daysBetween, isCivilDate, type CivilDate } from './civil-date';
import type { PERIODS_PER_YEAR } from './collection-plan';

export type PaymentFrequency = keyof typeof PERIODS_PER_YEAR;

const MONTHS_BETWEEN: Record<PaymentFrequency, number> = { annual: 12, semiannual: 6, quarterly: 3, monthly: 1 };

/** The back-premium terms a quote is computed from, loaded once when an application opens. */
export interface ArrearsTerms {
  lapsedDueDate: CivilDate;
  premiumFen: number;
  paymentFrequency: PaymentFrequency;
  interestRateBp: number;
  anchorDay: number;
  /** Whether an active mandate exists for a debit (else only the counter can take the money). */
  hasMandate: boolean;
}

/** The highest rate accepted: 100% a year, far above any product's, to catch a rate given in percent × 100 twice. */
export const MAX_INTEREST_RATE_BP = 10_000;

const DAYS_PER_YEAR = 365n;
const BP_PER_UNIT = 10_000n;

export interface ArrearsInput {
  /** Due date of the premium whose non-payment suspended the policy. */
  lapsedDueDate: CivilDate;
  /** The premium of one installment, in fen. */
  premiumFen: number;
  paymentFrequency: PaymentFrequency;
  /** The day the back premiums are paid: reinstatement takes effect that day. */
  paymentDate: CivilDate;
  /** Simple annual interest in basis points (500 = 5.00%); 0 for none. */
  interestRateBp: number;
  /**
   * Day of the month premiums fall due (the policy's issue day); default the lapsed due date's day.
   * A policy issued on the 31st is due on 28/29 February and 30 April, and on the 31st again after.
   */
  anchorDay?: number;
  /** Last due date of the premium-paying term: nothing after it is owed. */
  lastDueDate?: CivilDate;
}

export interface ArrearsLine {
  installment: number;
  dueDate: CivilDate;
  premiumFen: number;
  /** Days from the due date to the payment date (due date not counted, payment date counted). */
  days: number;
  interestFen: number;
}

export interface ArrearsQuote {
  paymentDate: CivilDate;
  interestRateBp: number;
  lines: ArrearsLine[];
  premiumsFen: number;
  interestFen: number;
  totalFen: number;
  /** The first due date not in the quote: the reinstated policy's next premium; null after the paying term. */
  nextDueDate: CivilDate | null;
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** `months` after a date's month, on the anchor day or the month's last day when it has fewer days. */
export function addMonthsOnDay(date: CivilDate, months: number, anchorDay: number): CivilDate {
  if (!isCivilDate(date)) throw new RangeError(`not a date (YYYY-MM-DD): ${JSON.stringify(date)}`);
  const [y, m] = date.split('-').map(Number) as [number, number];
  const index = y * 12 + (m - 1) + months;
  const year = Math.floor(index / 12);
  const month = (index % 12) + 1;
  const day = Math.min(anchorDay, daysInMonth(year, month));
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/**
 * The day of the month premiums fall due: the issue date's day when the lapsed due date is on it (or
 * on its month's last day, for an issue day the month lacks), else the lapsed due date's own day (a
 * due date moved by a servicing change keeps its own rhythm).
 */
export function anchorDayFor(lapsedDueDate: CivilDate, issueDay: number): number {
  const [year, month, day] = lapsedDueDate.split('-').map(Number) as [number, number, number];
  if (Number.isInteger(issueDay) && issueDay >= 1 && issueDay <= 31 && Math.min(issueDay, daysInMonth(year, month)) === day) return issueDay;
  return day;
}

/** Due dates from the lapsed one, by frequency, up to (not including) `before`. */
export function missedDueDates(input: Pick<ArrearsInput, 'lapsedDueDate' | 'paymentFrequency' | 'anchorDay' | 'lastDueDate'>, before: CivilDate): CivilDate[] {
  const step = MONTHS_BETWEEN[input.paymentFrequency];
  const anchor = input.anchorDay ?? Number(input.lapsedDueDate.slice(8, 10));
  const dates: CivilDate[] = [];
  for (let i = 0; ; i += 1) {
    const due = i === 0 ? input.lapsedDueDate : addMonthsOnDay(input.lapsedDueDate, i * step, anchor);
    if (due >= before || (input.lastDueDate !== undefined && due > input.lastDueDate)) return dates;
    dates.push(due);
  }
}

/** The first due date on or after `date` (the next premium of a policy reinstated that day). */
export function nextDueDateFrom(input: Pick<ArrearsInput, 'lapsedDueDate' | 'paymentFrequency' | 'anchorDay'>, date: CivilDate): CivilDate {
  const step = MONTHS_BETWEEN[input.paymentFrequency];
  const anchor = input.anchorDay ?? Number(input.lapsedDueDate.slice(8, 10));
  for (let i = 0; ; i += 1) {
    const due = i === 0 ? input.lapsedDueDate : addMonthsOnDay(input.lapsedDueDate, i * step, anchor);
    if (due >= date) return due;
  }
}

/** Simple interest on one installment, rounded half up to the fen: ⌊(2·p·r·d + D) / 2D⌋, D = 10 000 × 365. */
export function installmentInterestFen(premiumFen: number, rateBp: number, days: number): number {
  if (days <= 0 || rateBp === 0 || premiumFen === 0) return 0;
  const numerator = BigInt(premiumFen) * BigInt(rateBp) * BigInt(days);
  const denominator = BP_PER_UNIT * DAYS_PER_YEAR;
  const rounded = (2n * numerator + denominator) / (2n * denominator);
  const fen = Number(rounded);
  if (!Number.isSafeInteger(fen)) throw new RangeError(`interest of ${rounded} fen is too large`);
  return fen;
}

function validate(input: ArrearsInput): void {
  if (!isCivilDate(input.lapsedDueDate)) throw new RangeError(`lapsedDueDate must be YYYY-MM-DD, got ${JSON.stringify(input.lapsedDueDate)}`);
  if (!isCivilDate(input.paymentDate)) throw new RangeError(`paymentDate must be YYYY-MM-DD, got ${JSON.stringify(input.paymentDate)}`);
  if (input.paymentDate <= input.lapsedDueDate) {
    throw new RangeError(`paymentDate ${input.paymentDate} must be after the lapsed due date ${input.lapsedDueDate}`);
  }
  if (!Number.isSafeInteger(input.premiumFen) || input.premiumFen <= 0) throw new RangeError(`premiumFen must be a positive whole number of fen, got ${String(input.premiumFen)}`);
  if (!Object.hasOwn(MONTHS_BETWEEN, input.paymentFrequency)) {
    throw new RangeError(`paymentFrequency must be annual, semiannual, quarterly or monthly, got ${JSON.stringify(input.paymentFrequency)}`);
  }
  if (!Number.isInteger(input.interestRateBp) || input.interestRateBp < 0 || input.interestRateBp > MAX_INTEREST_RATE_BP) {
    throw new RangeError(`interestRateBp must be a whole number of basis points from 0 to ${MAX_INTEREST_RATE_BP}, got ${String(input.interestRateBp)}`);
  }
  const anchor = input.anchorDay;
  if (anchor !== undefined && (!Number.isInteger(anchor) || anchor < 1 || anchor > 31)) throw new RangeError(`anchorDay must be a day of the month 1–31, got ${String(anchor)}`);
  if (anchor !== undefined && Number(input.lapsedDueDate.slice(8, 10)) !== Math.min(anchor, daysInMonth(Number(input.lapsedDueDate.slice(0, 4)), Number(input.lapsedDueDate.slice(5, 7))))) {
    throw new RangeError(`anchorDay ${anchor} does not match the lapsed due date ${input.lapsedDueDate}`);
  }
  if (input.lastDueDate !== undefined && (!isCivilDate(input.lastDueDate) || input.lastDueDate < input.lapsedDueDate)) {
    throw new RangeError(`lastDueDate must be YYYY-MM-DD on or after the lapsed due date, got ${JSON.stringify(input.lastDueDate)}`);
  }
}

/** The itemised quote of back premiums and interest for payment on `paymentDate`. */
export function quoteArrears(input: ArrearsInput): ArrearsQuote {
  validate(input);
  const lines = missedDueDates(input, input.paymentDate).map((dueDate, i): ArrearsLine => {
    const days = daysBetween(dueDate, input.paymentDate);
    return { installment: i + 1, dueDate, premiumFen: input.premiumFen, days, interestFen: installmentInterestFen(input.premiumFen, input.interestRateBp, days) };
  });
  const premiumsFen = lines.reduce((sum, l) => sum + l.premiumFen, 0);
  const interestFen = lines.reduce((sum, l) => sum + l.interestFen, 0);
  const totalFen = premiumsFen + interestFen;
  if (!Number.isSafeInteger(totalFen)) throw new RangeError(`arrears of ${totalFen} fen are too large`);
  const next = nextDueDateFrom(input, input.paymentDate);
  const nextDueDate = input.lastDueDate !== undefined && next > input.lastDueDate ? null : next;
  return { paymentDate: input.paymentDate, interestRateBp: input.interestRateBp, lines, premiumsFen, interestFen, totalFen, nextDueDate };
}
