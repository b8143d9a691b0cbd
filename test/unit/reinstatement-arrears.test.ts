import { describe, expect, it } from 'vitest';
import { addMonthsOnDay, anchorDayFor, installmentInterestFen, missedDueDates, quoteArrears, type ArrearsInput } from '../../domain/reinstatement-arrears';

/**
 * Every figure below is worked by hand: interest = premium fen × rate bp × days / (10 000 × 365),
 * so the denominator is 3 650 000, rounded half up to the fen per installment.
 */

const TWO_ANNUAL: ArrearsInput = {
  lapsedDueDate: '2026-03-01',
  premiumFen: 1_234_500, // ¥12,345.00
  paymentFrequency: 'annual',
  paymentDate: '2027-06-15',
  interestRateBp: 500, // 5.00%
};

describe('two missed annual premiums of ¥12,345.00 at 5% simple, paid 2027-06-15', () => {
  const quote = quoteArrears(TWO_ANNUAL);

  it('itemises each premium with its days and interest', () => {
    // 1) due 2026-03-01: 365 days to 2027-03-01 (no 29 Feb between) + 106 to 2027-06-15
    //    (March 31 + April 30 + May 31 + 14) = 471 days.
    //    1 234 500 × 500 × 471 = 290 724 750 000; / 3 650 000 = 79 650.616… → 79 651 fen.
    // 2) due 2027-03-01: 106 days. 1 234 500 × 500 × 106 = 65 428 500 000; / 3 650 000 = 17 925.616… → 17 926 fen.
    expect(quote.lines).toEqual([
      { installment: 1, dueDate: '2026-03-01', premiumFen: 1_234_500, days: 471, interestFen: 79_651 },
      { installment: 2, dueDate: '2027-03-01', premiumFen: 1_234_500, days: 106, interestFen: 17_926 },
    ]);
  });

  it('totals premiums 2 469 000 + interest 97 577 = 2 566 577 fen (¥25,665.77), next premium due 2028-03-01', () => {
    expect(quote).toMatchObject({ premiumsFen: 2_469_000, interestFen: 97_577, totalFen: 2_566_577, nextDueDate: '2028-03-01', paymentDate: '2027-06-15', interestRateBp: 500 });
  });

  it('a day later costs one more day of interest on each line', () => {
    // 472 days: 1 234 500 × 500 × 472 / 3 650 000 = 79 819.726… → 79 820; 107 days: 18 094.726… → 18 095.
    const later = quoteArrears({ ...TWO_ANNUAL, paymentDate: '2027-06-16' });
    expect(later.lines.map((l) => [l.days, l.interestFen])).toEqual([
      [472, 79_820],
      [107, 18_095],
    ]);
    expect(later.totalFen).toBe(2_469_000 + 79_820 + 18_095);
  });
});

describe('day counts', () => {
  it('counts 366 actual days over 29 February and still divides by 365; a premium due on the payment date is not arrears', () => {
    // Due 2027-06-30, paid 2028-06-30: 366 days (29 Feb 2028 between).
    // 1 000 000 × 500 × 366 = 183 000 000 000; / 3 650 000 = 50 136.986… → 50 137 fen (a little over 5%).
    // The premium due 2028-06-30 falls due on the payment date: it is the reinstated policy's next premium.
    const quote = quoteArrears({ lapsedDueDate: '2027-06-30', premiumFen: 1_000_000, paymentFrequency: 'annual', paymentDate: '2028-06-30', interestRateBp: 500 });
    expect(quote.lines).toEqual([{ installment: 1, dueDate: '2027-06-30', premiumFen: 1_000_000, days: 366, interestFen: 50_137 }]);
    expect(quote.totalFen).toBe(1_050_137);
    expect(quote.nextDueDate).toBe('2028-06-30');
  });

  it('paid the day after it, the 2028 premium is arrears with 1 day of interest', () => {
    // 367 days: 1 000 000 × 500 × 367 / 3 650 000 = 50 273.97… → 50 274; 1 day: 136.986… → 137.
    const quote = quoteArrears({ lapsedDueDate: '2027-06-30', premiumFen: 1_000_000, paymentFrequency: 'annual', paymentDate: '2028-07-01', interestRateBp: 500 });
    expect(quote.lines.map((l) => [l.dueDate, l.days, l.interestFen])).toEqual([
      ['2027-06-30', 367, 50_274],
      ['2028-06-30', 1, 137],
    ]);
    expect(quote.nextDueDate).toBe('2029-06-30');
  });
});

describe('monthly premiums', () => {
  it('twelve missed ¥500.00 premiums from 31 January at 6%, due on the month’s last day when shorter, paid 2027-01-15', () => {
    // 50 000 × 600 × d / 3 650 000 = d × 600 / 73 fen.
    // due         days  d × 600 / 73          fen
    // 2026-01-31  349   209 400 / 73 = 2 868.49  2 868
    // 2026-02-28  321   192 600 / 73 = 2 638.36  2 638
    // 2026-03-31  290   174 000 / 73 = 2 383.56  2 384
    // 2026-04-30  260   156 000 / 73 = 2 136.99  2 137
    // 2026-05-31  229   137 400 / 73 = 1 882.19  1 882
    // 2026-06-30  199   119 400 / 73 = 1 635.62  1 636
    // 2026-07-31  168   100 800 / 73 = 1 380.82  1 381
    // 2026-08-31  137    82 200 / 73 = 1 126.03  1 126
    // 2026-09-30  107    64 200 / 73 =   879.45    879
    // 2026-10-31   76    45 600 / 73 =   624.66    625
    // 2026-11-30   46    27 600 / 73 =   378.08    378
    // 2026-12-31   15     9 000 / 73 =   123.29    123
    // interest 18 057; premiums 12 × 50 000 = 600 000; total 618 057. 2027-01-31 is after the payment date.
    const quote = quoteArrears({ lapsedDueDate: '2026-01-31', premiumFen: 50_000, paymentFrequency: 'monthly', paymentDate: '2027-01-15', interestRateBp: 600 });
    expect(quote.lines.map((l) => [l.dueDate, l.days, l.interestFen])).toEqual([
      ['2026-01-31', 349, 2868],
      ['2026-02-28', 321, 2638],
      ['2026-03-31', 290, 2384],
      ['2026-04-30', 260, 2137],
      ['2026-05-31', 229, 1882],
      ['2026-06-30', 199, 1636],
      ['2026-07-31', 168, 1381],
      ['2026-08-31', 137, 1126],
      ['2026-09-30', 107, 879],
      ['2026-10-31', 76, 625],
      ['2026-11-30', 46, 378],
      ['2026-12-31', 15, 123],
    ]);
    expect(quote.lines.map((l) => l.installment)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(quote).toMatchObject({ premiumsFen: 600_000, interestFen: 18_057, totalFen: 618_057, nextDueDate: '2027-01-31' });
  });

  it('two years of monthly premiums: 24 lines through a leap February', () => {
    const quote = quoteArrears({ lapsedDueDate: '2027-03-29', premiumFen: 10_000, paymentFrequency: 'monthly', paymentDate: '2029-03-01', interestRateBp: 0 });
    expect(quote.lines).toHaveLength(24);
    expect(quote.lines[11]!.dueDate).toBe('2028-02-29');
    expect(quote.lines[23]!.dueDate).toBe('2029-02-28');
    expect(quote.lines[12]!.dueDate).toBe('2028-03-29');
    // No interest at 0 bp: the total is the premiums.
    expect(quote).toMatchObject({ premiumsFen: 240_000, interestFen: 0, totalFen: 240_000, nextDueDate: '2029-03-29' });
  });

  it('keeps the issue day after a short month: due 28 Feb with anchor 31 is followed by 31 March', () => {
    const dates = missedDueDates({ lapsedDueDate: '2026-02-28', paymentFrequency: 'monthly', anchorDay: 31 }, '2026-06-01');
    expect(dates).toEqual(['2026-02-28', '2026-03-31', '2026-04-30', '2026-05-31']);
    // Without the anchor the lapsed date's own day (28) is used.
    expect(missedDueDates({ lapsedDueDate: '2026-02-28', paymentFrequency: 'monthly' }, '2026-05-01')).toEqual(['2026-02-28', '2026-03-28', '2026-04-28']);
  });
});

describe('semiannual and quarterly', () => {
  it('steps 6 and 3 months, clamped to month ends', () => {
    expect(missedDueDates({ lapsedDueDate: '2026-08-31', paymentFrequency: 'semiannual' }, '2027-09-01')).toEqual(['2026-08-31', '2027-02-28', '2027-08-31']);
    expect(missedDueDates({ lapsedDueDate: '2026-11-30', paymentFrequency: 'quarterly' }, '2027-09-01')).toEqual(['2026-11-30', '2027-02-28', '2027-05-30', '2027-08-30']);
  });

  it('quarterly ¥3,000.00 at 4.5%: three lines', () => {
    // Due 2026-01-15, 04-15, 07-15; paid 2026-08-20.
    // days: 217 (Jan 16 + Feb 28 + Mar 31 + Apr 30 + May 31 + Jun 30 + Jul 31 + 20), 127, 36.
    // 300 000 × 450 × d / 3 650 000 = d × 2 700 / 73:
    // 217 → 585 900 / 73 = 8 026.03 → 8 026; 127 → 342 900 / 73 = 4 697.26 → 4 697; 36 → 97 200 / 73 = 1 331.51 → 1 332.
    const quote = quoteArrears({ lapsedDueDate: '2026-01-15', premiumFen: 300_000, paymentFrequency: 'quarterly', paymentDate: '2026-08-20', interestRateBp: 450 });
    expect(quote.lines.map((l) => [l.dueDate, l.days, l.interestFen])).toEqual([
      ['2026-01-15', 217, 8026],
      ['2026-04-15', 127, 4697],
      ['2026-07-15', 36, 1332],
    ]);
    expect(quote).toMatchObject({ premiumsFen: 900_000, interestFen: 14_055, totalFen: 914_055, nextDueDate: '2026-10-15' });
  });

  it('owes nothing after the last due date of the paying term', () => {
    const quote = quoteArrears({ lapsedDueDate: '2026-03-01', premiumFen: 100_000, paymentFrequency: 'annual', paymentDate: '2028-06-01', interestRateBp: 500, lastDueDate: '2027-03-01' });
    expect(quote.lines.map((l) => l.dueDate)).toEqual(['2026-03-01', '2027-03-01']);
    expect(quote.nextDueDate).toBeNull();
  });
});

describe('rounding, half up to the fen per installment', () => {
  it('exactly half a fen rounds up; just under rounds down', () => {
    // 3 650 × 500 × 1 = 1 825 000 = 0.5 × 3 650 000 → 1 fen.
    expect(installmentInterestFen(3_650, 500, 1)).toBe(1);
    // 3 649 × 500 × 1 = 1 824 500 → 0.49986… → 0.
    expect(installmentInterestFen(3_649, 500, 1)).toBe(0);
    // 10 950 × 500 × 1 = 5 475 000 = 1.5 × 3 650 000 → 2 (half up, not to even).
    expect(installmentInterestFen(10_950, 500, 1)).toBe(2);
    // 7 300 × 500 × 1 = 3 650 000 → exactly 1.
    expect(installmentInterestFen(7_300, 500, 1)).toBe(1);
    expect(installmentInterestFen(7_300, 500, 0)).toBe(0);
  });

  it('a real quote landing on ¥123.455: 12 345.5 fen → 12 346', () => {
    // Due 2026-03-01, paid 2026-05-13: 73 days (March 31 + April 30 + 12).
    // 1 234 550 × 500 × 73 = 45 061 075 000; / 3 650 000 = 12 345.5 exactly → 12 346.
    const quote = quoteArrears({ lapsedDueDate: '2026-03-01', premiumFen: 1_234_550, paymentFrequency: 'annual', paymentDate: '2026-05-13', interestRateBp: 500 });
    expect(quote.lines).toEqual([{ installment: 1, dueDate: '2026-03-01', premiumFen: 1_234_550, days: 73, interestFen: 12_346 }]);
    // One fen less of premium: 1 234 549 × 36 500 / 3 650 000 = 12 345.49 → 12 345.
    expect(quoteArrears({ lapsedDueDate: '2026-03-01', premiumFen: 1_234_549, paymentFrequency: 'annual', paymentDate: '2026-05-13', interestRateBp: 500 }).lines[0]!.interestFen).toBe(12_345);
  });

  it('rounds each line, not the total, so the itemised quote adds up', () => {
    // The twelve monthly lines above: days sum to 2 197; 2 197 × 600 / 73 = 18 057.53 would round to
    // 18 058 as one figure, but the lines round to 18 057 and the total is their sum.
    const quote = quoteArrears({ lapsedDueDate: '2026-01-31', premiumFen: 50_000, paymentFrequency: 'monthly', paymentDate: '2027-01-15', interestRateBp: 600 });
    expect(quote.lines.reduce((sum, l) => sum + l.days, 0)).toBe(2_197);
    expect(quote.interestFen).toBe(quote.lines.reduce((sum, l) => sum + l.interestFen, 0));
    expect(quote.interestFen).toBe(18_057);
  });

  it('is exact where premium × rate × days passes 2^53', () => {
    // 123 456 789 012 fen × 777 bp × 1 000 days = 95 925 925 062 324 000 (> 2^53 = 9 007 199 254 740 992).
    // / 3 650 000 = 26 281 075 359.540 8… → 26 281 075 360.
    expect(123_456_789_012 * 777 * 1000).toBeGreaterThan(2 ** 53);
    expect(installmentInterestFen(123_456_789_012, 777, 1000)).toBe(26_281_075_360);
    // 100 000 000 000 fen at 10 000 bp for 3 650 days: exactly 10 years of 100% = 1 000 000 000 000 fen.
    expect(installmentInterestFen(100_000_000_000, 10_000, 3_650)).toBe(1_000_000_000_000);
  });
});

describe('bad input names the field', () => {
  const bad = (patch: Partial<ArrearsInput>) => () => quoteArrears({ ...TWO_ANNUAL, ...patch });
  it('refuses each bad field', () => {
    expect(bad({ paymentDate: '2026-03-01' })).toThrow(/paymentDate 2026-03-01 must be after the lapsed due date 2026-03-01/);
    expect(bad({ paymentDate: '2027-02-30' })).toThrow(/paymentDate must be YYYY-MM-DD/);
    expect(bad({ lapsedDueDate: '2026-3-1' })).toThrow(/lapsedDueDate must be YYYY-MM-DD/);
    expect(bad({ interestRateBp: 10_001 })).toThrow(/interestRateBp must be a whole number of basis points from 0 to 10000, got 10001/);
    expect(bad({ interestRateBp: 5.5 })).toThrow(/interestRateBp/);
    expect(bad({ interestRateBp: -1 })).toThrow(/interestRateBp/);
    expect(bad({ premiumFen: 0 })).toThrow(/premiumFen must be a positive whole number of fen/);
    expect(bad({ premiumFen: 12.5 })).toThrow(/premiumFen/);
    expect(bad({ paymentFrequency: 'weekly' as never })).toThrow(/paymentFrequency must be annual, semiannual, quarterly or monthly, got "weekly"/);
    expect(bad({ anchorDay: 32 })).toThrow(/anchorDay must be a day of the month/);
    expect(bad({ anchorDay: 15 })).toThrow(/anchorDay 15 does not match the lapsed due date 2026-03-01/);
    expect(bad({ lastDueDate: '2025-03-01' })).toThrow(/lastDueDate/);
  });

  it('adds months on an anchor day across year ends', () => {
    expect(addMonthsOnDay('2026-11-30', 3, 30)).toBe('2027-02-28');
    expect(addMonthsOnDay('2027-11-30', 3, 31)).toBe('2028-02-29');
    expect(addMonthsOnDay('2026-12-31', 1, 31)).toBe('2027-01-31');
    expect(() => addMonthsOnDay('2026-13-01', 1, 1)).toThrow(/not a date/);
  });
});

describe('the anchor day of the due dates', () => {
  it('is the issue day when the lapsed due date is on it, or clipped to a short month', () => {
    expect(anchorDayFor('2027-01-10', 10)).toBe(10);
    expect(anchorDayFor('2027-04-30', 31)).toBe(31); // issued on the 31st: due 30 April, 31 July
    expect(anchorDayFor('2028-02-29', 31)).toBe(31);
  });

  it("is the due date's own day when a servicing change moved it off the issue day", () => {
    expect(anchorDayFor('2027-10-20', 10)).toBe(20);
    expect(anchorDayFor('2027-04-30', 30)).toBe(30);
    expect(anchorDayFor('2027-03-30', 31)).toBe(30); // March has 31 days: the 30th is not the issue day clipped
  });
});
