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
  it('pays the oldest premium due for exactly its amount', () => {
    expect(matchReceipt({ amountFen: 350_000 }, true, { id: 7, amountFen: 350_000 })).toEqual({ kind: 'pay', premiumDueId: 7 });
  });
  it('puts aside an unknown policy, a policy with nothing due, and any other amount (part or too much)', () => {
    expect(matchReceipt({ amountFen: 350_000 }, false, undefined)).toEqual({ kind: 'suspense', reason: 'unknown_policy' });
    expect(matchReceipt({ amountFen: 350_000 }, true, undefined)).toEqual({ kind: 'suspense', reason: 'no_premium_due' });
    expect(matchReceipt({ amountFen: 100_000 }, true, { id: 7, amountFen: 350_000 })).toEqual({ kind: 'suspense', reason: 'amount_differs' });
    expect(matchReceipt({ amountFen: 350_001 }, true, { id: 7, amountFen: 350_000 })).toEqual({ kind: 'suspense', reason: 'amount_differs' });
  });
});
