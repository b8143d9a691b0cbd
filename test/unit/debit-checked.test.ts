import { describe, expect, it } from 'vitest';
import { debitChecked, debitStarted, initialCycleState, type DebitResult } from '../../domain/cycle-state';

/** A bankResult signal only wakes the cycle: what counts is the attempt as read back from the record. */
describe('an attempt read back after a bankResult signal', () => {
  const started = () => {
    const state = initialCycleState();
    debitStarted(state, { attemptNo: 1, step: 'debit_1', collectionDate: '2027-01-07' }, [], 1_000);
    return state;
  };
  const paid: DebitResult = { status: 'succeeded', at: 2_000 };
  const returned: DebitResult = { status: 'returned', reason: 'INSUFFICIENT_FUNDS', customerFault: true };

  it('still in flight on record: nothing changes, whatever the signal said', () => {
    const state = started();
    expect(debitChecked(state, 1, { status: 'pending' }, 5_000)).toBe(false);
    expect(state.debits[0]).toMatchObject({ outcome: 'pending', checkedAt: 1_000 });
    expect(state.paid).toBeUndefined();
  });

  it('settled on record: the cycle takes that answer', () => {
    const state = started();
    expect(debitChecked(state, 1, paid, 5_000)).toBe(true);
    expect(state.paid).toEqual({ via: 'debit', at: 2_000 });
  });

  it('a success takes only a return; an unknown attempt nothing', () => {
    const state = started();
    debitChecked(state, 1, paid, 5_000);
    expect(debitChecked(state, 1, { status: 'failed', reason: 'INSUFFICIENT_FUNDS', retryable: true, customerFault: true }, 6_000)).toBe(false);
    expect(debitChecked(state, 2, paid, 6_000)).toBe(false);
    expect(debitChecked(state, 1, returned, 7_000)).toBe(true);
    expect(state.debits[0]).toMatchObject({ outcome: 'returned', returnedAt: 7_000 });
    expect(state.paid).toBeUndefined();
  });
});
