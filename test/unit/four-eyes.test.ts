import { describe, expect, it } from 'vitest';
import { counterPaymentDecisionError, counterPaymentNeedsSecondCashier, reinstatementApprovalError, secondPersonError } from '../../domain/four-eyes';

describe('four-eyes', () => {
  it('refuses an approval from whoever applied or captured the declaration, naming which', () => {
    expect(reinstatementApprovalError('user:1', { appliedBy: 'user:1', declarationBy: 'user:2' })).toBe('four-eyes: the approval must come from a second person, not the one who applied');
    expect(reinstatementApprovalError('user:2', { appliedBy: 'user:1', declarationBy: 'user:2' })).toBe(
      'four-eyes: the approval must come from a second person, not the one who captured the declaration',
    );
    expect(reinstatementApprovalError('user:3', { appliedBy: 'user:1', declarationBy: 'user:2' })).toBeUndefined();
  });

  it('an unknown person (histories recorded before) conflicts with no one', () => {
    expect(reinstatementApprovalError(undefined, { appliedBy: 'user:1' })).toBeUndefined();
    expect(reinstatementApprovalError('user:1', {})).toBeUndefined();
    expect(secondPersonError('user:9', { requested: 'user:9' }, 'the approval')).toBe('four-eyes: the approval must come from a second person, not the one who requested');
  });

  it('a counter payment needs a second cashier only above the line, and only at the counter', () => {
    const line = 2_000_000;
    expect(counterPaymentNeedsSecondCashier('counter', line, line)).toBe(false);
    expect(counterPaymentNeedsSecondCashier('counter', line + 1, line)).toBe(true);
    expect(counterPaymentNeedsSecondCashier('counter', 1, 0)).toBe(true);
    for (const via of ['transfer', 'online', 'debit']) expect(counterPaymentNeedsSecondCashier(via, 50_000_000, line)).toBe(false);
  });

  it('a counter payment is decided by a cashier other than the one who recorded it', () => {
    expect(counterPaymentDecisionError('user:4', 'user:4', 7, 'confirmation')).toBe('four-eyes: the confirmation of counter payment #7 must come from a second person, not the one who recorded');
    expect(counterPaymentDecisionError('user:4', 'user:4', 7, 'rejection')).toBe('four-eyes: the rejection of counter payment #7 must come from a second person, not the one who recorded');
    expect(counterPaymentDecisionError('user:5', 'user:4', 7, 'confirmation')).toBeUndefined();
  });
});
