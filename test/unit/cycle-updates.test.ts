import { describe, expect, it } from 'vitest';
import {
  cycleClosedError,
  cycleTaskCompletionError,
  graceReducedPaidUpError,
  holdPlacedError,
  holdReleasedError,
  paymentReportError,
  promiseToPayError,
  refusalError,
  taskCompletionError,
} from '../../domain/cycle-updates';
import { debitResolved, debitStarted, holdPlaced, initialCycleState, lapsed, paymentReceived, type CycleState } from '../../domain/cycle-state';
import { samplePolicy, shanghai } from '../support/cycle-simulation';

/** Due Thursday 2026-12-24, 60 days' grace: the last grace day is 2027-02-22. */
const policy = samplePolicy();
const DUE = policy.dueDate;

function paid(): CycleState {
  const state = initialCycleState();
  paymentReceived(state, 'counter', shanghai('2026-12-20 10:00'));
  return state;
}

function lapsedState(): CycleState {
  const state = initialCycleState();
  lapsed(state, shanghai('2027-02-23 00:00'), 11);
  return state;
}

const NOW = shanghai('2026-12-20 10:00');

describe('a cycle takes changes only while open', () => {
  it('refuses once paid or lapsed, naming the stage', () => {
    expect(cycleClosedError(initialCycleState(), 'PRE_DUE')).toBeUndefined();
    expect(cycleClosedError(paid(), 'PAID')).toBe('cycle is PAID: nothing to change');
    expect(cycleClosedError(lapsedState(), 'LAPSED')).toBe('cycle is LAPSED: nothing to change');
    // The same refusal comes first for every update that changes the cycle.
    expect(paymentReportError(paid(), 'PAID', { via: 'cash', reference: '' }, NOW)).toBe('cycle is PAID: nothing to change');
    expect(promiseToPayError(paid(), 'PAID', policy, 'soon', shanghai('2026-12-20 10:00'))).toBe('cycle is PAID: nothing to change');
    expect(refusalError(lapsedState(), 'LAPSED', 99)).toBe('cycle is LAPSED: nothing to change');
    expect(holdPlacedError(paid(), 'PAID', 'lawsuit')).toBe('cycle is PAID: nothing to change');
    expect(cycleTaskCompletionError(paid(), 'PAID', new Set(), { step: 'call_d-15', outcome: 'reached' })).toBe('cycle is PAID: nothing to change');
    expect(graceReducedPaidUpError(lapsedState(), 'LAPSED', policy, DUE, shanghai('2027-02-23 10:00'))).toBe('cycle is LAPSED: nothing to change');
  });
});

describe('paymentReceived', () => {
  it('a way people report, with a receipt or bank reference', () => {
    const state = initialCycleState();
    expect(paymentReportError(state, 'IN_GRACE', { via: 'online', reference: 'ABC_123-9' }, NOW)).toBeUndefined();
    expect(paymentReportError(state, 'IN_GRACE', { via: 'debit', reference: 'R-1' }, NOW)).toBe('via must be counter, online or transfer, got debit');
    expect(paymentReportError(state, 'IN_GRACE', { via: 'counter', reference: 'paid by 张三' }, NOW)).toBe('reference must be the receipt or bank reference: 1–64 letters, digits, - or _');
    expect(paymentReportError(state, 'IN_GRACE', { via: 'counter', reference: 'x'.repeat(65) }, NOW)).toMatch(/^reference must be/);
  });

  it('an amount in whole fen and a paid-at that is no later than now', () => {
    const state = initialCycleState();
    const payment = { via: 'counter', reference: 'R-1' };
    expect(paymentReportError(state, 'IN_GRACE', { ...payment, amountFen: 50_000, paidAt: '2026-12-19T23:59:00+08:00' }, NOW)).toBeUndefined();
    expect(paymentReportError(state, 'IN_GRACE', { ...payment, amountFen: 0 }, NOW)).toBe('amountFen must be whole fen from 1 to 1000000000, got 0');
    expect(paymentReportError(state, 'IN_GRACE', { ...payment, amountFen: 12.5 }, NOW)).toMatch(/^amountFen must be whole fen/);
    expect(paymentReportError(state, 'IN_GRACE', { ...payment, paidAt: '2026-12-19 23:59' }, NOW)).toMatch(/^paidAt must be an ISO 8601 instant/);
    expect(paymentReportError(state, 'IN_GRACE', { ...payment, paidAt: '2026-12-21T10:00:00+08:00' }, NOW)).toBe('paidAt 2026-12-21T10:00:00+08:00 lies in the future');
  });
});

describe('promiseToPay', () => {
  const now = shanghai('2027-01-05 10:00');

  it('a date from today to the last grace day', () => {
    const state = initialCycleState();
    expect(promiseToPayError(state, 'IN_GRACE', policy, '2027-01-05', now)).toBeUndefined();
    expect(promiseToPayError(state, 'IN_GRACE', policy, '2027-02-22', now)).toBeUndefined();
    expect(promiseToPayError(state, 'IN_GRACE', policy, '2027-01-04', now)).toBe('promised date must be from 2027-01-05 to the last grace day 2027-02-22, got 2027-01-04');
    expect(promiseToPayError(state, 'IN_GRACE', policy, '2027-02-23', now)).toBe('promised date must be from 2027-01-05 to the last grace day 2027-02-22, got 2027-02-23');
  });

  it('a date written YYYY-MM-DD', () => {
    expect(promiseToPayError(initialCycleState(), 'IN_GRACE', policy, '2027-1-5', now)).toBe('date must be YYYY-MM-DD, got "2027-1-5"');
  });
});

describe('customerRefused', () => {
  it('a non-payment reason code', () => {
    expect(refusalError(initialCycleState(), 'IN_GRACE', 8)).toBeUndefined();
    expect(refusalError(initialCycleState(), 'IN_GRACE', 13)).toBe('reasonCode must be 1–12, got 13');
    expect(refusalError(initialCycleState(), 'IN_GRACE', 0)).toBe('reasonCode must be 1–12, got 0');
  });
});

describe('holds', () => {
  it('placed: a known kind', () => {
    expect(holdPlacedError(initialCycleState(), 'IN_GRACE', 'claim')).toBeUndefined();
    expect(holdPlacedError(initialCycleState(), 'IN_GRACE', 'lawsuit')).toBe('kind must be one of claim, servicing, dispute, moratorium, payment_review, got lawsuit');
  });

  it('released: one of that kind in place, even after the cycle closed', () => {
    const state = initialCycleState();
    expect(holdReleasedError(state, 'claim')).toBe('no claim hold is in place');
    holdPlaced(state, 'claim');
    expect(holdReleasedError(state, 'claim')).toBeUndefined();
    expect(holdReleasedError(state, 'dispute')).toBe('no dispute hold is in place');
    expect(holdReleasedError(state, 'lawsuit')).toBe('kind must be one of claim, servicing, dispute, moratorium, payment_review, got lawsuit');
    lapsed(state, shanghai('2027-02-23 00:00'), 11);
    expect(holdReleasedError(state, 'claim')).toBeUndefined();
  });
});

describe('taskCompleted', () => {
  const open = new Set(['call_d-15', 'grace_end_escalation']);

  it('a task the cycle opened, with an outcome of its step', () => {
    expect(taskCompletionError(open, { step: 'call_d-15', outcome: 'promised' })).toBeUndefined();
    expect(taskCompletionError(open, { step: 'call_d+7', outcome: 'reached' })).toBe('no open task call_d+7 in this cycle');
    expect(taskCompletionError(open, { step: 'call_d-15', outcome: 'lapse' })).toBe('outcome of call_d-15 must be reached, no_answer, wrong_number, promised, refused, account_fixed, done, paid_elsewhere, got lapse');
    expect(taskCompletionError(open, { step: 'grace_end_escalation', outcome: 'retry_debit' })).toBeUndefined();
    expect(taskCompletionError(open, { step: 'grace_end_escalation', outcome: 'maybe' })).toBe('outcome of grace_end_escalation must be retry_debit, lapse, got maybe');
  });

  it('in grace only while the cycle is open', () => {
    expect(cycleTaskCompletionError(initialCycleState(), 'IN_GRACE', open, { step: 'call_d-15', outcome: 'reached' })).toBeUndefined();
    expect(cycleTaskCompletionError(initialCycleState(), 'IN_GRACE', open, { step: 'call_d+7', outcome: 'reached' })).toBe('no open task call_d+7 in this cycle');
  });
});

describe('reducedPaidUp in grace', () => {
  it('from 00:00 of the due date to the end of the last grace day', () => {
    const state = initialCycleState();
    const refused = 'reduced paid-up is offered from the due date 2026-12-24 to the last grace day 2027-02-22';
    expect(graceReducedPaidUpError(state, 'PRE_DUE', policy, DUE, shanghai('2026-12-23 23:59'))).toBe(refused);
    expect(graceReducedPaidUpError(state, 'DEBITING', policy, DUE, shanghai('2026-12-24 00:00'))).toBeUndefined();
    expect(graceReducedPaidUpError(state, 'IN_GRACE', policy, DUE, shanghai('2027-02-22 23:59'))).toBeUndefined();
    expect(graceReducedPaidUpError(state, 'IN_GRACE', policy, DUE, shanghai('2027-02-23 00:00'))).toBe(refused);
  });

  it('not while a debit is in flight', () => {
    const state = initialCycleState();
    debitStarted(state, { attemptNo: 1, step: 'debit_1', collectionDate: DUE }, [], shanghai('2026-12-24 10:00'));
    expect(graceReducedPaidUpError(state, 'DEBITING', policy, DUE, shanghai('2026-12-24 11:00'))).toBe('a debit is in progress: wait for its answer');
    debitResolved(state, 1, { status: 'failed', reason: 'INSUFFICIENT_FUNDS', retryable: true, customerFault: true });
    expect(graceReducedPaidUpError(state, 'DEBITING', policy, DUE, shanghai('2026-12-24 11:00'))).toBeUndefined();
  });
});
