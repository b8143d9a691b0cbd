import { describe, expect, it } from 'vitest';
import { shanghaiInstant } from '../../domain/civil-date';
import { matchReceipt, readReceipt } from '../../domain/receipts';

/** A receipts file's rows and their match (domain/receipts.ts). */
const now = shanghaiInstant('2027-01-20', '12:00');
const row = (values: Partial<Record<string, string>>) => ({ policy_no: 'P3201000101', amount: '3500.00', paid_at: '2027-01-19 23:59', reference: 'BK-2027-0001', ...values });

describe('a receipt row', () => {
  it('is read with its amount in fen, its Shanghai time and the default way of paying', () => {
    expect(readReceipt(row({}), now, 'transfer')).toEqual({
      receipt: { policyNo: 'P3201000101', amountFen: 350_000, paidAt: shanghaiInstant('2027-01-19', '23:59'), reference: 'BK-2027-0001', via: 'transfer' },
    });
    expect(readReceipt(row({ paid_at: '2027-01-19T23:59:30', via: 'counter' }), now, 'transfer')).toMatchObject({ receipt: { paidAt: shanghaiInstant('2027-01-19', '23:59') + 30_000, via: 'counter' } });
  });

  it.each([
    [{ policy_no: '' }, 'policy_no'],
    [{ policy_no: 'P 1' }, 'policy_no'],
    [{ amount: '3,500' }, 'amount'],
    [{ amount: '0' }, 'amount'],
    [{ amount: '12.345' }, 'amount'],
    [{ paid_at: '2027-01-19' }, 'paid_at'],
    [{ paid_at: '2027-02-30 10:00' }, 'paid_at'],
    [{ paid_at: '2027-01-19 24:00' }, 'paid_at'],
    [{ paid_at: '2027-01-20 12:01' }, 'paid_at'],
    [{ reference: 'BK 1' }, 'reference'],
    [{ via: 'cash' }, 'via'],
  ])('names the field at fault: %o → %s', (values, field) => {
    expect(readReceipt(row(values), now, 'transfer')).toMatchObject({ field });
  });
});

describe('the match', () => {
  const suspendedAt = Date.UTC(2027, 1, 19, 16); // 00:00 of 2027-02-20 in Shanghai
  it('pays the oldest premium due, whatever the amount (the cycle takes a part or puts the excess aside)', () => {
    expect(matchReceipt({ paidAt: suspendedAt }, true, { id: 7 })).toEqual({ kind: 'pay', premiumDueId: 7 });
    expect(matchReceipt({ paidAt: suspendedAt }, true, { id: 7 }, { id: 3, suspendedAt })).toEqual({ kind: 'pay', premiumDueId: 7 });
  });
  it('pays a suspended premium with money paid before the suspension instant, not after', () => {
    expect(matchReceipt({ paidAt: suspendedAt - 60_000 }, true, undefined, { id: 3, suspendedAt })).toEqual({ kind: 'pay', premiumDueId: 3 });
    expect(matchReceipt({ paidAt: suspendedAt }, true, undefined, { id: 3, suspendedAt })).toEqual({ kind: 'suspense', reason: 'no_premium_due' });
  });
  it('puts aside an unknown policy and a policy with nothing due', () => {
    expect(matchReceipt({ paidAt: suspendedAt }, false, undefined)).toEqual({ kind: 'suspense', reason: 'unknown_policy' });
    expect(matchReceipt({ paidAt: suspendedAt }, true, undefined)).toEqual({ kind: 'suspense', reason: 'no_premium_due' });
  });
});
