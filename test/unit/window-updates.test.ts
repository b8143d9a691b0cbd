import { describe, expect, it } from 'vitest';
import { reducedPaidUpChoiceError } from '../../domain/reinstatement';
import { reinstatementWindow, type WindowState } from '../../domain/reinstatement-window';
import { applicationRefusal, latePaymentError, windowOverError, windowReducedPaidUpError, type ReducedPaidUpTaking } from '../../domain/window-updates';
import { shanghai } from '../support/cycle-simulation';

/** Suspended 2026-05-01: the last day to apply is 2028-04-30, the window closes 2028-05-01 00:00. */
const WINDOW = reinstatementWindow('2026-05-01');
const IN_WINDOW = shanghai('2027-01-01 10:00');
const NONE: ReducedPaidUpTaking = { choosing: false, accepted: false };
const open = (extra: Partial<WindowState> = {}): WindowState => ({ remindersDone: [], ...extra });

describe('the window is over', () => {
  it('once reinstated, terminated, or reduced paid-up accepted', () => {
    expect(windowOverError(open(), NONE)).toBeUndefined();
    expect(windowOverError(open({ reinstated: true }), NONE)).toBe('the reinstatement window is over (reinstated)');
    expect(windowOverError(open({ terminated: true }), NONE)).toBe('the reinstatement window is over (terminated)');
    expect(windowOverError(open(), { accepted: true })).toBe('the reinstatement window is over (reduced paid-up)');
  });

  it('asks about reduced paid-up only when neither reinstated nor terminated', () => {
    const unasked = {
      get accepted(): boolean {
        throw new Error('asked');
      },
    };
    expect(windowOverError(open({ reinstated: true }), unasked)).toBe('the reinstatement window is over (reinstated)');
    expect(() => windowOverError(open(), unasked)).toThrow('asked');
  });
});

describe('applyForReinstatement', () => {
  it('takes one in the window, by debit or at the counter', () => {
    expect(applicationRefusal(open(), WINDOW, { paymentMethod: 'debit' }, NONE, undefined, IN_WINDOW)).toBeUndefined();
    expect(applicationRefusal(open(), WINDOW, { paymentMethod: 'counter' }, NONE, undefined, IN_WINDOW)).toBeUndefined();
    expect(applicationRefusal(open(), WINDOW, { paymentMethod: 'cheque' as never }, NONE, undefined, IN_WINDOW)).toBe('paymentMethod must be debit or counter, got cheque');
  });

  it('one at a time, naming the open one (or that it is being started)', () => {
    expect(applicationRefusal(open({ applicationOpen: true }), WINDOW, { paymentMethod: 'debit' }, NONE, 'reinstatement-P1-2026-03-01-1', IN_WINDOW)).toBe(
      'an application is already open: reinstatement-P1-2026-03-01-1',
    );
    expect(applicationRefusal(open({ applicationOpen: true }), WINDOW, { paymentMethod: 'debit' }, NONE, undefined, IN_WINDOW)).toBe('an application is already open: being started');
  });

  it('none while a reduced paid-up choice is being recorded, or after the window is over', () => {
    expect(applicationRefusal(open(), WINDOW, { paymentMethod: 'debit' }, { choosing: true, accepted: false }, undefined, IN_WINDOW)).toBe('a reduced paid-up choice is being recorded');
    expect(applicationRefusal(open({ reinstated: true }), WINDOW, { paymentMethod: 'debit' }, NONE, undefined, IN_WINDOW)).toBe('the reinstatement window is over (reinstated)');
  });

  it('only in time: from the suspension to 24:00 of the last day to apply', () => {
    expect(applicationRefusal(open(), WINDOW, { paymentMethod: 'counter' }, NONE, undefined, shanghai('2026-04-30 23:59'))).toBe(
      'the policy is not suspended before 2026-05-01: the premium can still be paid to keep it in force',
    );
    expect(applicationRefusal(open(), WINDOW, { paymentMethod: 'counter' }, NONE, undefined, shanghai('2028-05-01 00:00') - 1)).toBeUndefined();
    expect(applicationRefusal(open(), WINDOW, { paymentMethod: 'counter' }, NONE, undefined, shanghai('2028-05-01 00:00'))).toMatch(/^the reinstatement window closed at the end of 2028-04-30/);
  });
});

describe('reducedPaidUp in the window', () => {
  it('until the window closes, and not while an application is open', () => {
    expect(windowReducedPaidUpError(open(), WINDOW, NONE, IN_WINDOW)).toBeUndefined();
    expect(windowReducedPaidUpError(open(), WINDOW, NONE, shanghai('2028-05-01 00:00'))).toBe('the reinstatement window closed at the end of 2028-04-30');
    expect(windowReducedPaidUpError(open({ applicationOpen: true }), WINDOW, NONE, IN_WINDOW)).toBe('an application to reinstate is open: decide it (or withdraw it) first');
    expect(windowReducedPaidUpError(open({ terminated: true }), WINDOW, NONE, IN_WINDOW)).toBe('the reinstatement window is over (terminated)');
  });
});

describe('a reduced paid-up choice (in grace and in the window)', () => {
  it('is accepted or declined, one at a time, none after an acceptance', () => {
    expect(reducedPaidUpChoiceError('accepted', NONE)).toBeUndefined();
    expect(reducedPaidUpChoiceError('declined', NONE)).toBeUndefined();
    expect(reducedPaidUpChoiceError('maybe', NONE)).toBe('choice must be accepted or declined, got maybe');
    expect(reducedPaidUpChoiceError('accepted', { choosing: true, accepted: false })).toBe('a reduced paid-up choice is already being recorded');
    expect(reducedPaidUpChoiceError('declined', { choosing: false, accepted: true })).toBe('a reduced paid-up choice is already being recorded');
  });
});

describe('latePaymentError: a payment reported after the suspension', () => {
  const suspendedAt = shanghai('2026-05-01 00:00');
  const now = shanghai('2026-05-01 08:00');
  const paid = (paidAt?: string) => ({ via: 'counter', reference: 'RC-1', amountFen: 350_000, ...(paidAt ? { paidAt } : {}) });

  it('counts one made before the suspension instant, and names what is missing or late', () => {
    expect(latePaymentError(open(), paid('2026-04-30T23:59:00+08:00'), NONE, suspendedAt, now)).toBeUndefined();
    expect(latePaymentError(open(), paid(), NONE, suspendedAt, now)).toBe('the policy is suspended from 00:00 of 2026-05-01 (Shanghai): only a payment made before then counts, so say when it was paid (paidAt)');
    expect(latePaymentError(open(), paid('2026-05-01T00:00:00+08:00'), NONE, suspendedAt, now)).toBe('paid after the suspension from 00:00 of 2026-05-01 (Shanghai): apply for reinstatement instead');
    expect(latePaymentError(open(), paid('2026-05-01T09:00:00+08:00'), NONE, suspendedAt, now)).toBe('paidAt 2026-05-01T09:00:00+08:00 lies in the future');
    expect(latePaymentError(open(), { ...paid('2026-04-30T23:59:00+08:00'), via: 'debit' }, NONE, suspendedAt, now)).toBe('via must be counter, online or transfer, got debit');
  });

  it('not while an application or a reduced paid-up choice is under way, nor once the window is over', () => {
    const inGrace = paid('2026-04-30T23:59:00+08:00');
    expect(latePaymentError(open({ applicationOpen: true }), inGrace, NONE, suspendedAt, now)).toBe('an application to reinstate is open: its payment pays the arrears');
    expect(latePaymentError(open(), inGrace, { choosing: true, accepted: false }, suspendedAt, now)).toBe('a reduced paid-up choice is being recorded');
    expect(latePaymentError(open({ reinstated: true }), inGrace, NONE, suspendedAt, now)).toBe('the reinstatement window is over (reinstated)');
  });
});
