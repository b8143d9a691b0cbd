import { describe, expect, it } from 'vitest';
import { fraction, type Fraction } from '../../domain/kpis';
import { compareSides, countDelta, describeOutcome, outcomeDifferences, rateDelta, whatIfSide, type WhatIfRates } from '../../domain/what-if';

const rates = (dueMonth: Fraction, nextMonth: Fraction, graceEnd: Fraction, lapse: Fraction, byPremium?: Fraction): WhatIfRates => ({
  cutoffs: {
    due_month: { byCase: dueMonth, byPremium: byPremium ?? dueMonth },
    next_month: { byCase: nextMonth, byPremium: byPremium ?? nextMonth },
    grace_end_month: { byCase: graceEnd, byPremium: byPremium ?? graceEnd },
  },
  lapse,
});

describe('rateDelta: B − A in percentage points, exact', () => {
  it('signs and rounds half away from zero to one decimal', () => {
    expect(rateDelta(fraction(3, 5), fraction(4, 5))).toBe('+20.0 pp');
    expect(rateDelta(fraction(4, 5), fraction(3, 5))).toBe('-20.0 pp');
    expect(rateDelta(fraction(1, 3), fraction(1, 3))).toBe('0.0 pp');
    // 1/8 − 0 = 12.5 pp; 1/16 = 6.25 pp → 6.3 (half up on the magnitude), −6.3 the other way.
    expect(rateDelta(fraction(0, 8), fraction(1, 8))).toBe('+12.5 pp');
    expect(rateDelta(fraction(0, 16), fraction(1, 16))).toBe('+6.3 pp');
    expect(rateDelta(fraction(1, 16), fraction(0, 16))).toBe('-6.3 pp');
    expect(rateDelta(fraction(1, 3), fraction(2, 3), 2)).toBe('+33.33 pp');
  });

  it('a difference that rounds to nothing carries no sign', () => {
    expect(rateDelta(fraction(1_000_000, 2_000_001), fraction(1, 2))).toBe('0.0 pp');
    expect(rateDelta(fraction(1, 2), fraction(1_000_000, 2_000_001))).toBe('0.0 pp');
  });

  it('stays exact for premiums in fen whose cross products pass 2^53', () => {
    const a = fraction(812_345_678_901, 900_000_000_000);
    const b = fraction(812_345_678_901 + 450_000_000, 900_000_000_000);
    expect(rateDelta(a, b, 2)).toBe('+0.05 pp');
  });

  it('is — when a side had nothing due', () => {
    expect(rateDelta(fraction(0, 0), fraction(1, 2))).toBe('—');
    expect(rateDelta(fraction(1, 2), fraction(0, 0))).toBe('—');
  });
});

describe('countDelta', () => {
  it('signs a difference of counts', () => {
    expect(countDelta(9, 4)).toBe('-5');
    expect(countDelta(4, 9)).toBe('+5');
    expect(countDelta(4, 4)).toBe('0');
  });
});

describe('whatIfSide', () => {
  it('totals contacts per channel, debits and tasks over the premiums', () => {
    const side = whatIfSide('lean-60', { premiums: 2, paid: 1, lapsed: 1, open: 0, rates: rates(fraction(1, 2), fraction(1, 2), fraction(1, 2), fraction(1, 2)) }, [
      { contacts: { sms: 3, email: 1 }, debitAttempts: 1, debitsSucceeded: 1, tasks: 0 },
      { contacts: { sms: 4, letter: 2 }, debitAttempts: 4, debitsSucceeded: 0, tasks: 2 },
    ]);
    expect(side.contacts).toEqual({ sms: 7, wechat: 0, email: 1, letter: 2, phone: 0 });
    expect(side.contactsTotal).toBe(10);
    expect(side.debits).toEqual({ attempted: 5, succeeded: 1 });
    expect(side.tasks).toBe(2);
    expect(side).toMatchObject({ plan: 'lean-60', premiums: 2, paid: 1, lapsed: 1, open: 0 });
  });

  it('an empty month is all zeros', () => {
    const side = whatIfSide('standard-60', { premiums: 0, paid: 0, lapsed: 0, open: 0, rates: rates(fraction(0, 0), fraction(0, 0), fraction(0, 0), fraction(0, 0)) }, []);
    expect(side.contactsTotal).toBe(0);
    expect(side.debits).toEqual({ attempted: 0, succeeded: 0 });
  });
});

describe('compareSides', () => {
  const standard = whatIfSide('standard-60', { premiums: 4, paid: 3, lapsed: 1, open: 0, rates: rates(fraction(2, 4), fraction(3, 4), fraction(3, 4), fraction(1, 4), fraction(200_000, 400_000)) }, [
    { contacts: { sms: 10, email: 2 }, debitAttempts: 14, debitsSucceeded: 3, tasks: 5 },
  ]);
  const lean = whatIfSide('lean-60', { premiums: 4, paid: 2, lapsed: 2, open: 0, rates: rates(fraction(1, 4), fraction(2, 4), fraction(2, 4), fraction(2, 4), fraction(100_000, 400_000)) }, [
    { contacts: { sms: 6, fax: 1 }, debitAttempts: 7, debitsSucceeded: 2, tasks: 2 },
  ]);
  const rows = compareSides(standard, lean);
  const row = (figure: string) => rows.find((r) => r.figure === figure);

  it('puts the rates at the three cut-offs, by case and by premium, first', () => {
    expect(rows.map((r) => r.figure).slice(0, 8)).toEqual([
      'premiums due',
      'collection rate 当月 by case',
      'collection rate 当月 by premium',
      'collection rate 次月 by case',
      'collection rate 次月 by premium',
      'collection rate 宽末 by case',
      'collection rate 宽末 by premium',
      'lapse rate by case',
    ]);
    expect(row('premiums due')).toEqual({ figure: 'premiums due', a: '4', b: '4', delta: '0' });
    expect(row('collection rate 当月 by case')).toEqual({ figure: 'collection rate 当月 by case', a: '50.0%', b: '25.0%', delta: '-25.0 pp' });
    expect(row('collection rate 宽末 by premium')).toEqual({ figure: 'collection rate 宽末 by premium', a: '50.0%', b: '25.0%', delta: '-25.0 pp' });
    expect(row('lapse rate by case')).toEqual({ figure: 'lapse rate by case', a: '25.0%', b: '50.0%', delta: '+25.0 pp' });
  });

  it('then outcomes, contacts by channel (every known channel, then any other), debits and tasks', () => {
    expect(rows.slice(8).map((r) => [r.figure, r.a, r.b, r.delta])).toEqual([
      ['paid', '3', '2', '-1'],
      ['lapsed', '1', '2', '+1'],
      ['still open', '0', '0', '0'],
      ['contacts', '12', '7', '-5'],
      ['  contacts sms', '10', '6', '-4'],
      ['  contacts wechat', '0', '0', '0'],
      ['  contacts email', '2', '0', '-2'],
      ['  contacts letter', '0', '0', '0'],
      ['  contacts phone', '0', '0', '0'],
      ['  contacts fax', '0', '1', '+1'],
      ['debits attempted', '14', '7', '-7'],
      ['debits succeeded', '3', '2', '-1'],
      ['tasks', '5', '2', '-3'],
    ]);
  });
});

describe('outcomeDifferences', () => {
  const paid = (policyNo: string, on: string, via = 'debit') => ({ policyNo, stage: 'PAID', paidOn: on, paidVia: via, lapsedOn: null });
  const lapsed = (policyNo: string, on: string, stage = 'LAPSED') => ({ policyNo, stage, paidOn: null, paidVia: null, lapsedOn: on });

  it('describes an outcome: paid with date and channel, lapsed with date (and the stage after), else the stage', () => {
    expect(describeOutcome(paid('P1', '2027-01-14'))).toBe('paid 2027-01-14 (debit)');
    expect(describeOutcome(lapsed('P1', '2027-03-15'))).toBe('lapsed 2027-03-15');
    expect(describeOutcome(lapsed('P1', '2027-03-15', 'REINSTATED'))).toBe('lapsed 2027-03-15 (REINSTATED)');
    expect(describeOutcome({ policyNo: 'P1', stage: 'IN_GRACE', paidOn: null, paidVia: null, lapsedOn: null })).toBe('IN_GRACE');
  });

  it('lists only the premiums that ended differently, by policy number', () => {
    const a = [paid('P3', '2027-01-14'), paid('P1', '2027-01-11'), paid('P2', '2027-01-18'), paid('P4', '2027-01-11')];
    const b = [paid('P1', '2027-01-11'), paid('P2', '2027-02-10'), lapsed('P3', '2027-03-15'), paid('P5', '2027-01-11')];
    expect(outcomeDifferences(a, b)).toEqual([
      { policyNo: 'P2', a: 'paid 2027-01-18 (debit)', b: 'paid 2027-02-10 (debit)' },
      { policyNo: 'P3', a: 'paid 2027-01-14 (debit)', b: 'lapsed 2027-03-15' },
      { policyNo: 'P4', a: 'paid 2027-01-11 (debit)', b: 'not in the month' },
      { policyNo: 'P5', a: 'not in the month', b: 'paid 2027-01-11 (debit)' },
    ]);
    expect(outcomeDifferences(a, a)).toEqual([]);
  });
});
