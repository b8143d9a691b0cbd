import { describe, expect, it } from 'vitest';
import { shanghaiInstant } from '../../domain/civil-date';
import { owedAfter, paidAtInstant, paymentAmountError, splitPayment, undoesSuspension } from '../../domain/payment-amounts';

describe('splitPayment', () => {
  it('a part leaves the rest owed; the exact rest settles; too much leaves an excess', () => {
    expect(splitPayment(350_000, 100_000)).toEqual({ appliedFen: 100_000, restFen: 250_000, excessFen: 0 });
    expect(splitPayment(250_000, 250_000)).toEqual({ appliedFen: 250_000, restFen: 0, excessFen: 0 });
    expect(splitPayment(350_000, 400_000)).toEqual({ appliedFen: 350_000, restFen: 0, excessFen: 50_000 });
    // A premium already settled takes nothing: all of it is excess.
    expect(splitPayment(0, 1_000)).toEqual({ appliedFen: 0, restFen: 0, excessFen: 1_000 });
  });

  it('refuses fractions of a fen, nothing paid and a negative debt', () => {
    expect(() => splitPayment(100, 0)).toThrow(RangeError);
    expect(() => splitPayment(100, 1.5)).toThrow(RangeError);
    expect(() => splitPayment(-1, 100)).toThrow(RangeError);
  });

  it('owedAfter never goes below nothing', () => {
    expect(owedAfter(350_000, 100_000)).toBe(250_000);
    expect(owedAfter(350_000, 400_000)).toBe(0);
  });
});

describe('paid-at', () => {
  const now = shanghaiInstant('2027-02-20', '08:00');
  it('is an ISO 8601 instant with its offset, not in the future', () => {
    expect(paidAtInstant('2027-02-19T23:59:00+08:00')).toBe(shanghaiInstant('2027-02-19', '23:59'));
    expect(paidAtInstant('2027-02-19T15:59:00.250Z')).toBe(shanghaiInstant('2027-02-19', '23:59') + 250);
    expect(paidAtInstant('2027-02-19 23:59')).toBeUndefined();
    expect(paidAtInstant('2027-02-30T10:00:00+08:00')).toBeUndefined();
    expect(paymentAmountError({}, now)).toBeUndefined();
    expect(paymentAmountError({ paidAt: '2027-02-20T08:04:00+08:00' }, now)).toBeUndefined(); // clocks differ a little
    expect(paymentAmountError({ paidAt: '2027-02-20T08:06:00+08:00' }, now)).toBe('paidAt 2027-02-20T08:06:00+08:00 lies in the future');
    expect(paymentAmountError({ paidAt: 20270219 }, now)).toMatch(/^paidAt must be an ISO 8601 instant/);
    expect(paymentAmountError({ amountFen: '100' }, now)).toMatch(/^amountFen must be whole fen/);
    expect(paymentAmountError({ amountFen: 1_000_000_001 }, now)).toMatch(/^amountFen must be whole fen/);
  });
});

describe('undoesSuspension', () => {
  const suspendedAt = shanghaiInstant('2027-02-20');
  it('a payment made before the suspension instant that settles what was owed', () => {
    expect(undoesSuspension({ paidAt: suspendedAt - 60_000, amountFen: 350_000 }, suspendedAt, 350_000)).toBe(true);
    expect(undoesSuspension({ paidAt: suspendedAt - 60_000, amountFen: 400_000 }, suspendedAt, 350_000)).toBe(true);
    // Paid after the suspension instant, or only a part: the suspension stands.
    expect(undoesSuspension({ paidAt: suspendedAt, amountFen: 350_000 }, suspendedAt, 350_000)).toBe(false);
    expect(undoesSuspension({ paidAt: suspendedAt - 60_000, amountFen: 349_999 }, suspendedAt, 350_000)).toBe(false);
  });
});
