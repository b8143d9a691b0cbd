import { describe, expect, it } from 'vitest';
import { classifyIsoReason, REASON_RULES } from '../../domain/debit-reasons';
import { sliceTimeline } from '../../domain/timeline';

describe('ISO 20022 reason codes', () => {
  it.each([
    ['AM04', 'INSUFFICIENT_FUNDS', true, true],
    ['AC04', 'ACCOUNT_CLOSED', false, true],
    ['AC01', 'ACCOUNT_INVALID', false, true],
    ['AC06', 'ACCOUNT_FROZEN', false, true],
    ['MD01', 'NO_MANDATE', false, false],
    ['MS02', 'REFUSED_BY_DEBTOR', false, true],
    ['BE05', 'NAME_MISMATCH', false, false],
    ['MS03', 'BANK_ERROR', true, false],
  ])('%s → %s (retryable %s, customer fault %s)', (code, reason, retryable, customerFault) => {
    expect(classifyIsoReason(code)).toMatchObject({ reason, retryable, customerFault, rawCode: code });
  });

  it('treats an unrecognised code as UNKNOWN: query first, never a reason to lapse', () => {
    expect(classifyIsoReason('ZZ99')).toMatchObject({ reason: 'UNKNOWN', customerFault: false, queryFirst: true });
  });

  it('never blames the customer for bank-side failures', () => {
    for (const reason of ['BANK_ERROR', 'TIMEOUT', 'UNKNOWN'] as const) {
      expect(REASON_RULES[reason]).toEqual({ retryable: true, customerFault: false, queryFirst: true });
    }
  });
});

describe('slice timeline', () => {
  it('reminds at 09:00 Shanghai N days before and debits at 10:00 on the due date', () => {
    const t = sliceTimeline('2027-03-01', 30);
    expect(new Date(t.reminderAt).toISOString()).toBe('2027-01-30T01:00:00.000Z');
    expect(new Date(t.debitAt).toISOString()).toBe('2027-03-01T02:00:00.000Z');
  });

  it('rejects a negative or fractional lead time', () => {
    expect(() => sliceTimeline('2027-03-01', -1)).toThrow('reminderDaysBefore');
    expect(() => sliceTimeline('2027-03-01', 1.5)).toThrow('reminderDaysBefore');
  });
});
