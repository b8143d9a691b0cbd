import { describe, expect, it } from 'vitest';
import {
  applicationStep,
  applyDeemedConsent,
  decideUnderwriting,
  paymentAllowed,
  underwritingDecisionError,
  receiveApplication,
  withdrawApplication,
  type ReinstatementApplication,
} from '../../domain/reinstatement-application';
import { reinstatementWindow } from '../../domain/reinstatement-window';
import { shanghai } from '../support/cycle-simulation';

/** Suspended 2026-05-01: the last day to apply is 2028-04-30, the window closes 2028-05-01 00:00. */
const WINDOW = reinstatementWindow('2026-05-01');

function received(at: string, options?: Parameters<typeof receiveApplication>[2]): ReinstatementApplication {
  const receipt = receiveApplication(WINDOW, shanghai(at), options);
  if (!receipt.accepted) throw new Error(receipt.message);
  return receipt.application;
}

describe('when an application can be taken', () => {
  it('takes one on the last day of the window, to the last millisecond', () => {
    const receipt = receiveApplication(WINDOW, shanghai('2028-05-01 00:00') - 1);
    expect(receipt.accepted).toBe(true);
    if (receipt.accepted) expect(receipt.application.receivedDate).toBe('2028-04-30');
  });

  it('refuses one at 00:00 of the closing date, saying when the window closed and what happens', () => {
    const receipt = receiveApplication(WINDOW, shanghai('2028-05-01 00:00'));
    expect(receipt).toEqual({
      accepted: false,
      reason: 'window_closed',
      message:
        'the reinstatement window closed at the end of 2028-04-30 (two years from suspension on 2026-05-01); the contract was terminated on 2028-05-01 and its cash value is refunded',
    });
  });

  it('refuses one before suspension (pay the premium instead) and one after an early termination', () => {
    expect(receiveApplication(WINDOW, shanghai('2026-04-30 23:59'))).toMatchObject({ accepted: false, reason: 'not_suspended' });
    expect(receiveApplication(WINDOW, shanghai('2026-05-01 00:00'))).toMatchObject({ accepted: true });
    expect(receiveApplication(WINDOW, shanghai('2027-01-01 10:00'), { terminated: true })).toMatchObject({ accepted: false, reason: 'terminated' });
  });

  it('refuses a bad payment term or instant', () => {
    expect(() => receiveApplication(WINDOW, shanghai('2027-01-01 10:00'), { paymentDays: 0 })).toThrow(/paymentDays must be a whole number of days from 1 to 365, got 0/);
    expect(() => receiveApplication(WINDOW, Number.NaN)).toThrow(/receivedAt/);
  });
});

describe('deemed consent: no explicit refusal within 30 days of receipt', () => {
  // Received 2026-07-10 14:00. Day of receipt not counted: day 30 is 2026-08-09 (July 21 days left + 9).
  it('gives the insurer all of day 30; consent from 00:00 on day 31', () => {
    const app = received('2026-07-10 14:00');
    expect(app).toMatchObject({ receivedDate: '2026-07-10', decisionDueDate: '2026-08-09', deemedConsentAt: shanghai('2026-08-10 00:00'), status: 'under_review' });
    expect(applicationStep(app, shanghai('2026-08-09 23:59'))).toEqual({ type: 'await_decision', until: shanghai('2026-08-10 00:00'), decisionDueDate: '2026-08-09' });
    expect(applyDeemedConsent(app, shanghai('2026-08-09 23:59'))).toBe(false);
    expect(applyDeemedConsent(app, shanghai('2026-08-10 00:00'))).toBe(true);
    // Approved as of 00:00 on day 31; 30 days to pay from that day.
    expect(app).toMatchObject({ status: 'approved', approval: { by: 'deemed_consent', at: shanghai('2026-08-10 00:00'), payBy: '2026-09-09' } });
  });

  it('a decline at 23:59 on day 30 stands', () => {
    const app = received('2026-07-10 14:00');
    decideUnderwriting(app, { kind: 'decline', reasonCode: 'RISK_INCREASED_HEALTH' }, shanghai('2026-08-09 23:59'));
    expect(app).toMatchObject({ status: 'declined', declineReason: 'RISK_INCREASED_HEALTH', closedAt: shanghai('2026-08-09 23:59') });
    expect(applicationStep(app, shanghai('2026-09-01 00:00'))).toEqual({ type: 'closed', outcome: 'declined' });
  });

  it('a decline on day 31 is too late: consent was deemed', () => {
    const app = received('2026-07-10 14:00');
    expect(() => decideUnderwriting(app, { kind: 'decline', reasonCode: 'RISK_INCREASED_HEALTH' }, shanghai('2026-08-10 09:00'))).toThrow(
      'the application was approved by deemed consent at 00:00 on 2026-08-10: no explicit decision came by 2026-08-09',
    );
    // A refused decision changes nothing; the next step applies the consent.
    expect(app.status).toBe('under_review');
    expect(applicationStep(app, shanghai('2026-08-10 09:00'))).toMatchObject({ type: 'await_payment', payBy: '2026-09-09' });
    expect(app.approval?.by).toBe('deemed_consent');
    expect(() => decideUnderwriting(app, { kind: 'approve' }, shanghai('2026-08-10 09:01'))).toThrow(/approved by deemed consent/);
  });

  it('counts from the date of receipt, not the hour: received 23:59 or 00:00 the next day differ by a day', () => {
    expect(received('2026-07-10 23:59').decisionDueDate).toBe('2026-08-09');
    expect(received('2026-07-11 00:00').decisionDueDate).toBe('2026-08-10');
  });

  it('a request for evidence does not restart the 30 days', () => {
    const app = received('2026-07-10 14:00');
    decideUnderwriting(app, { kind: 'request_evidence', evidence: ['medical_exam', 'medical_exam', 'medical_records'] }, shanghai('2026-07-30 10:00'));
    expect(app.status).toBe('evidence_requested');
    expect(app.evidenceRequests).toEqual([{ at: shanghai('2026-07-30 10:00'), evidence: ['medical_exam', 'medical_records'] }]);
    expect(app.deemedConsentAt).toBe(shanghai('2026-08-10 00:00'));
    expect(applicationStep(app, shanghai('2026-08-10 00:00'))).toMatchObject({ type: 'await_payment', payBy: '2026-09-09' });
    expect(app.approval?.by).toBe('deemed_consent');
  });

  it('lets the underwriter decline for evidence not provided, but only after asking for it', () => {
    const asked = received('2026-07-10 14:00');
    decideUnderwriting(asked, { kind: 'request_evidence', evidence: ['supplementary_declaration'] }, shanghai('2026-07-20 10:00'));
    decideUnderwriting(asked, { kind: 'decline', reasonCode: 'EVIDENCE_NOT_PROVIDED' }, shanghai('2026-08-08 17:00'));
    expect(asked.status).toBe('declined');
    const notAsked = received('2026-07-10 14:00');
    expect(() => decideUnderwriting(notAsked, { kind: 'decline', reasonCode: 'EVIDENCE_NOT_PROVIDED' }, shanghai('2026-08-08 17:00'))).toThrow(
      /EVIDENCE_NOT_PROVIDED needs an earlier request for evidence/,
    );
    expect(notAsked.status).toBe('under_review');
  });
});

describe('underwriting decisions', () => {
  it('approves with 30 days to pay from the approval date', () => {
    const app = received('2026-07-10 14:00');
    decideUnderwriting(app, { kind: 'approve' }, shanghai('2026-07-20 16:30'));
    expect(app).toMatchObject({ status: 'approved', approval: { by: 'underwriter', at: shanghai('2026-07-20 16:30'), payBy: '2026-08-19' } });
    expect(applicationStep(app, shanghai('2026-08-19 23:59'))).toEqual({ type: 'await_payment', payBy: '2026-08-19', until: shanghai('2026-08-20 00:00') });
  });

  it('an approval not paid by its date expires', () => {
    const app = received('2026-07-10 14:00', { paymentDays: 10 });
    decideUnderwriting(app, { kind: 'approve' }, shanghai('2026-07-20 16:30'));
    expect(app.approval?.payBy).toBe('2026-07-30');
    expect(applicationStep(app, shanghai('2026-07-31 00:00'))).toEqual({ type: 'approval_expired' });
    expect(app).toMatchObject({ status: 'approval_expired', closedAt: shanghai('2026-07-31 00:00') });
    expect(applicationStep(app, shanghai('2026-08-01 00:00'))).toEqual({ type: 'closed', outcome: 'approval_expired' });
  });

  it('a decline needs a known reason code', () => {
    const app = received('2026-07-10 14:00');
    expect(() => decideUnderwriting(app, { kind: 'decline' } as never, shanghai('2026-07-20 10:00'))).toThrow(/a decline needs reasonCode, one of RISK_INCREASED_HEALTH, .*; got undefined/);
    expect(() => decideUnderwriting(app, { kind: 'decline', reasonCode: 'AGE' as never }, shanghai('2026-07-20 10:00'))).toThrow(/got "AGE"/);
    expect(app.status).toBe('under_review');
    // The same reasons without changing anything, for an update validator.
    expect(underwritingDecisionError(app, { kind: 'decline', reasonCode: 'AGE' as never }, shanghai('2026-07-20 10:00'))).toMatch(/^a decline needs reasonCode/);
    expect(underwritingDecisionError(app, { kind: 'approve' }, shanghai('2026-07-20 10:00'))).toBeUndefined();
    expect(underwritingDecisionError(app, { kind: 'approve' }, shanghai('2026-08-10 00:00'))).toMatch(/deemed consent/);
    expect(app.status).toBe('under_review');
  });

  it('a request for evidence names what is needed', () => {
    const app = received('2026-07-10 14:00');
    expect(() => decideUnderwriting(app, { kind: 'request_evidence', evidence: [] }, shanghai('2026-07-20 10:00'))).toThrow(/request_evidence needs evidence/);
    expect(() => decideUnderwriting(app, { kind: 'request_evidence', evidence: ['blood_sample' as never] }, shanghai('2026-07-20 10:00'))).toThrow(/evidence\[0\] must be one of/);
    expect(() => decideUnderwriting(app, { kind: 'waive' } as never, shanghai('2026-07-20 10:00'))).toThrow(/decision must be approve, decline or request_evidence/);
  });

  it('decides once; not before receipt', () => {
    const app = received('2026-07-10 14:00');
    expect(() => decideUnderwriting(app, { kind: 'approve' }, shanghai('2026-07-10 13:59'))).toThrow(/must not be before the application was received/);
    decideUnderwriting(app, { kind: 'approve' }, shanghai('2026-07-11 09:00'));
    expect(() => decideUnderwriting(app, { kind: 'decline', reasonCode: 'RISK_INCREASED_OTHER' }, shanghai('2026-07-12 09:00'))).toThrow('the application is approved: no underwriting decision can be made');
  });

  it('the policyholder may withdraw while under review or approved and unpaid, not after a decline', () => {
    const reviewing = received('2026-07-10 14:00');
    withdrawApplication(reviewing, shanghai('2026-07-15 10:00'));
    expect(reviewing).toMatchObject({ status: 'withdrawn', closedAt: shanghai('2026-07-15 10:00') });
    expect(applicationStep(reviewing, shanghai('2026-07-16 10:00'))).toEqual({ type: 'closed', outcome: 'withdrawn' });

    const approved = received('2026-07-10 14:00');
    withdrawApplication(approved, shanghai('2026-08-15 10:00')); // deemed approved on 08-10, then withdrawn
    expect(approved.status).toBe('withdrawn');

    const declined = received('2026-07-10 14:00');
    decideUnderwriting(declined, { kind: 'decline', reasonCode: 'RISK_INCREASED_OCCUPATION' }, shanghai('2026-07-20 10:00'));
    expect(() => withdrawApplication(declined, shanghai('2026-07-21 10:00'))).toThrow('the application is declined: nothing to withdraw');
  });
});

describe('an application on the last day of the window', () => {
  it('is decided after the close, and deemed consent still applies', () => {
    const app = received('2028-04-30 16:00');
    // Day 30 after 2028-04-30 is 2028-05-30; consent deemed 2028-05-31 00:00 — after the window closed.
    expect(app.decisionDueDate).toBe('2028-05-30');
    expect(applicationStep(app, shanghai('2028-05-31 00:00'))).toEqual({ type: 'await_payment', payBy: '2028-06-30', until: shanghai('2028-07-01 00:00') });
    expect(paymentAllowed(app, '2028-06-10')).toEqual({ allowed: true });
  });
});

describe('when back premiums can be taken', () => {
  it('only once approved, from the approval date to the pay-by date', () => {
    const app = received('2026-07-10 14:00');
    expect(paymentAllowed(app, '2026-07-15')).toEqual({ allowed: false, message: 'the application is under_review, not approved' });
    decideUnderwriting(app, { kind: 'approve' }, shanghai('2026-07-20 16:30'));
    expect(paymentAllowed(app, '2026-07-19')).toEqual({ allowed: false, message: 'payment on 2026-07-19 is before the approval on 2026-07-20' });
    expect(paymentAllowed(app, '2026-07-20')).toEqual({ allowed: true });
    expect(paymentAllowed(app, '2026-08-19')).toEqual({ allowed: true });
    expect(paymentAllowed(app, '2026-08-20')).toEqual({ allowed: false, message: 'the approval required payment by 2026-08-19; 2026-08-20 is too late' });
    expect(() => paymentAllowed(app, '20260820')).toThrow(/payment date must be YYYY-MM-DD/);
  });

  it('from the day consent is deemed, even before anyone records it, without changing the application', () => {
    const app = received('2026-07-10 14:00');
    expect(paymentAllowed(app, '2026-08-09')).toEqual({ allowed: false, message: 'the application is under_review, not approved' });
    expect(paymentAllowed(app, '2026-08-10')).toEqual({ allowed: true });
    expect(paymentAllowed(app, '2026-09-09')).toEqual({ allowed: true });
    expect(paymentAllowed(app, '2026-09-10')).toMatchObject({ allowed: false, message: 'the approval required payment by 2026-09-09; 2026-09-10 is too late' });
    expect(app.status).toBe('under_review');
  });
});
