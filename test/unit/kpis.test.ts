import { describe, expect, it } from 'vitest';
import { collectionCutoffs, formatPercent, fraction, measuredThrough, paymentNumberGroup, roundedRatio } from '../../domain/kpis';
import { addMonths, daysOf, firstDayOf, isMonth, lastDayOf, monthOf } from '../../domain/months';

describe('rates as fractions', () => {
  it('renders a percentage rounded half up, exactly', () => {
    expect(formatPercent(fraction(7, 8))).toBe('87.50%');
    expect(formatPercent(fraction(1, 3))).toBe('33.33%');
    expect(formatPercent(fraction(2, 3))).toBe('66.67%');
    // 1/8 = 12.5% exactly: half up gives 13% at 0 places, 12.5% at 1.
    expect(formatPercent(fraction(1, 8), 0)).toBe('13%');
    expect(formatPercent(fraction(1, 8), 1)).toBe('12.5%');
    // 0.125% → 0.13% at 2 places (half up), not 0.12% (half even) nor a float artefact.
    expect(formatPercent(fraction(1, 800))).toBe('0.13%');
    expect(formatPercent(fraction(0, 5))).toBe('0.00%');
    expect(formatPercent(fraction(5, 5))).toBe('100.00%');
  });

  it('stays exact past 2^53 (a million premiums in fen times the scale)', () => {
    // 999_999_999_999 / 1_000_000_000_000 = 99.9999999999% → 100.00% at 2 places, 99.9999999999% at 10.
    const big = fraction(999_999_999_999, 1_000_000_000_000);
    expect(formatPercent(big)).toBe('100.00%');
    expect(formatPercent(big, 10)).toBe('99.9999999999%');
    expect(formatPercent(fraction(4_503_599_627_370_497, 9_007_199_254_740_991), 6)).toBe('50.000000%');
  });

  it('has no rate when nothing was due', () => {
    expect(formatPercent(fraction(0, 0))).toBe('—');
    expect(roundedRatio(fraction(0, 0))).toBeNull();
  });

  it('gives spreadsheets a ratio rounded half up', () => {
    expect(roundedRatio(fraction(7, 8))).toBe(0.875);
    expect(roundedRatio(fraction(1, 3), 4)).toBe(0.3333);
    expect(roundedRatio(fraction(2, 3), 4)).toBe(0.6667);
    expect(roundedRatio(fraction(1, 8), 2)).toBe(0.13);
  });

  it('refuses counts that are not whole non-negative numbers', () => {
    expect(() => fraction(1.5, 3)).toThrow(/numerator/);
    expect(() => fraction(1, -3)).toThrow(/denominator/);
    expect(() => formatPercent(fraction(1, 3), 13)).toThrow(/places/);
  });
});

describe('months', () => {
  it('recognises YYYY-MM only', () => {
    expect(isMonth('2026-01')).toBe(true);
    expect(isMonth('2026-12')).toBe(true);
    for (const bad of ['2026-13', '2026-00', '2026-1', '202601', '2026-01-01', 202601]) expect(isMonth(bad)).toBe(false);
  });

  it('steps across years and knows month ends, leap years included', () => {
    expect(addMonths('2025-11', 2)).toBe('2026-01');
    expect(addMonths('2026-01', -1)).toBe('2025-12');
    expect(addMonths('2026-03', 12)).toBe('2027-03');
    expect(firstDayOf('2026-02')).toBe('2026-02-01');
    expect(lastDayOf('2026-02')).toBe('2026-02-28');
    expect(lastDayOf('2028-02')).toBe('2028-02-29');
    expect(lastDayOf('2026-12')).toBe('2026-12-31');
    expect(lastDayOf('2026-04')).toBe('2026-04-30');
    expect(monthOf('2026-07-15')).toBe('2026-07');
    expect(() => lastDayOf('2026-13')).toThrow(/YYYY-MM/);
  });

  it('lists every day of a month', () => {
    const feb = daysOf('2028-02');
    expect(feb).toHaveLength(29);
    expect(feb[0]).toBe('2028-02-01');
    expect(feb.at(-1)).toBe('2028-02-29');
    expect(daysOf('2026-01')).toHaveLength(31);
  });
});

describe('collection cut-offs (当月 / 次月 / 宽末)', () => {
  it('measures a mid-month premium to the end of its month, the next, and the month grace ends', () => {
    // 15 Jan + 60 days = 16 March: 宽末 is 31 March.
    expect(collectionCutoffs('2026-01-15', 60)).toEqual({ due_month: '2026-01-31', next_month: '2026-02-28', grace_end_month: '2026-03-31' });
  });

  it('moves 宽末 a month later for premiums due late in the month', () => {
    // 31 Jan + 60 = 1 April (2026 is not a leap year: Feb has 28 days): 宽末 is 30 April.
    expect(collectionCutoffs('2026-01-31', 60).grace_end_month).toBe('2026-04-30');
    // 30 Jan + 60 = 31 March: still March.
    expect(collectionCutoffs('2026-01-30', 60).grace_end_month).toBe('2026-03-31');
    // In a leap year 31 Jan + 60 = 31 March.
    expect(collectionCutoffs('2028-01-31', 60).grace_end_month).toBe('2028-03-31');
  });

  it('follows the product grace days and crosses the year end', () => {
    // 1 Dec + 30 = 31 Dec: 宽末 is the due month itself; 次月 is January next year.
    expect(collectionCutoffs('2026-12-01', 30)).toEqual({ due_month: '2026-12-31', next_month: '2027-01-31', grace_end_month: '2026-12-31' });
    // 2 Dec + 30 = 1 Jan.
    expect(collectionCutoffs('2026-12-02', 30).grace_end_month).toBe('2027-01-31');
    // 10 Nov + 90 = 8 Feb.
    expect(collectionCutoffs('2026-11-10', 90).grace_end_month).toBe('2027-02-28');
  });

  it('refuses a bad due date or grace days', () => {
    expect(() => collectionCutoffs('2026-02-30', 60)).toThrow(/date/);
    expect(() => collectionCutoffs('2026-02-01', -1)).toThrow(/grace days/);
  });

  it('counts to the report date before a cut-off has passed, and marks the cell final after', () => {
    expect(measuredThrough('2026-01-31', '2026-01-20')).toEqual({ through: '2026-01-20', final: false });
    expect(measuredThrough('2026-01-31', '2026-01-31')).toEqual({ through: '2026-01-31', final: true });
    expect(measuredThrough('2026-01-31', '2026-06-01')).toEqual({ through: '2026-01-31', final: true });
  });
});

describe('payment number groups', () => {
  it('puts the 2nd and 3rd premiums in their own groups and the 4th on together', () => {
    expect(paymentNumberGroup(1)).toBe(1);
    expect(paymentNumberGroup(2)).toBe(2);
    expect(paymentNumberGroup(3)).toBe(3);
    expect(paymentNumberGroup(4)).toBe(4);
    expect(paymentNumberGroup(20)).toBe(4);
    expect(() => paymentNumberGroup(0)).toThrow(/installment/);
    expect(() => paymentNumberGroup(2.5)).toThrow(/installment/);
  });
});
