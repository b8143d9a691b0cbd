import { describe, expect, it } from 'vitest';
import { classifyIsoReason, REASON_RULES } from '../../domain/debit-reasons';

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
