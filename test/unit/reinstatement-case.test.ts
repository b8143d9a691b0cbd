import { describe, expect, it } from 'vitest';
import { receiveApplication, type PaymentMethod } from '../../domain/reinstatement-application';
import { quoteArrears, type ArrearsTerms } from '../../domain/reinstatement-arrears';
import {
  backPremiumsApplied,
  debitAnswered,
  debitAskedFor,
  debitStarted,
  declarationCaptured,
  declarationRecorded,
  openCase,
  paymentInstant,
  paymentReported,
  statusRecorded,
  underwritingDecided,
  underwritingTaskOwed,
  waiting,
  withdrawn,
  type ReinstatementCase,
} from '../../domain/reinstatement-case';
import { reinstatementWindow } from '../../domain/reinstatement-window';
import { shanghai } from '../support/cycle-simulation';

/** Suspended 2026-05-01; received 2026-07-10 14:00: decision due 2026-08-09, consent deemed at 00:00 on 2026-08-10. */
const WINDOW = reinstatementWindow('2026-05-01');
/** ¥12,345.00 a year, lapsed on 2026-03-01, 5% interest: paid on 2026-08-20, 172 days → 29 087 fen of interest. */
const TERMS: ArrearsTerms = { lapsedDueDate: '2026-03-01', premiumFen: 1_234_500, paymentFrequency: 'annual', interestRateBp: 500, anchorDay: 1, hasMandate: true };
const quoteOn = (paymentDate: string) => quoteArrears({ ...TERMS, paymentDate });

function caseOf(paymentMethod: PaymentMethod = 'counter', at = '2026-07-10 14:00'): ReinstatementCase {
  const receipt = receiveApplication(WINDOW, shanghai(at));
  if (!receipt.accepted) throw new Error(receipt.message);
  return openCase(receipt.application, paymentMethod, WINDOW.lastDayToApply);
}

function approvedCase(paymentMethod: PaymentMethod = 'counter'): ReinstatementCase {
  const c = caseOf(paymentMethod);
  declarationCaptured(c);
  declarationRecorded(c);
  underwritingDecided(c, { kind: 'approve' }, shanghai('2026-07-20 16:30'));
  statusRecorded(c, shanghai('2026-07-20 16:30'));
  return c;
}

describe('a case opened for an application received', () => {
  it('holds the application under review, nothing paid, as the trail has it, and survives JSON', () => {
    const c = caseOf();
    expect(c).toEqual({
      application: expect.objectContaining({ status: 'under_review', receivedDate: '2026-07-10', decisionDueDate: '2026-08-09' }),
      paymentMethod: 'counter',
      lastDayToApply: '2028-04-30',
      declaration: 'awaited',
      declarationRecorded: false,
      debits: { wanted: 0, made: 0, inFlight: false },
      recorded: { status: 'under_review', evidence: 0 },
      nextAction: 'start',
    });
    expect(JSON.parse(JSON.stringify(c))).toEqual(c);
  });

  it('asks for one debit from the start when the policyholder pays by debit', () => {
    expect(caseOf('debit').debits).toEqual({ wanted: 1, made: 0, inFlight: false });
  });
});

describe('the declaration', () => {
  it('is captured, then recorded once', () => {
    const c = caseOf();
    declarationCaptured(c);
    expect(c).toMatchObject({ declaration: 'captured', declarationRecorded: false });
    declarationRecorded(c);
    expect(c).toMatchObject({ declaration: 'captured', declarationRecorded: true });
  });

  it('opens the underwriting task only while the application awaits a decision', () => {
    const c = caseOf();
    expect(underwritingTaskOwed(c)).toBe(true);
    underwritingDecided(c, { kind: 'request_evidence', evidence: ['medical_exam'] }, shanghai('2026-07-12 10:00'));
    expect(underwritingTaskOwed(c)).toBe(true);
    underwritingDecided(c, { kind: 'decline', reasonCode: 'RISK_INCREASED_HEALTH' }, shanghai('2026-07-13 10:00'));
    expect(underwritingTaskOwed(c)).toBe(false);

    const gone = caseOf();
    withdrawn(gone, shanghai('2026-07-11 10:00'));
    expect(underwritingTaskOwed(gone)).toBe(false);
    expect(underwritingTaskOwed(approvedCase())).toBe(false);
  });
});

describe('underwriting decisions and withdrawal', () => {
  it('applies the decision to the application', () => {
    const c = caseOf();
    underwritingDecided(c, { kind: 'approve' }, shanghai('2026-07-20 16:30'));
    expect(c.application).toMatchObject({ status: 'approved', approval: { by: 'underwriter', at: shanghai('2026-07-20 16:30'), payBy: '2026-08-19' } });
    // Not on record until the workflow records it.
    expect(c.recorded).toEqual({ status: 'under_review', evidence: 0 });
  });

  it('throws on a decision that cannot be taken, changing nothing', () => {
    const c = caseOf();
    expect(() => underwritingDecided(c, { kind: 'decline', reasonCode: 'EVIDENCE_NOT_PROVIDED' }, shanghai('2026-07-20 10:00'))).toThrow(/needs an earlier request for evidence/);
    expect(() => underwritingDecided(c, { kind: 'approve' }, shanghai('2026-08-10 00:00'))).toThrow(/deemed consent/);
    expect(c.application.status).toBe('under_review');
  });

  it('withdraws while under review or approved, closing the application then', () => {
    const c = approvedCase();
    withdrawn(c, shanghai('2026-07-25 09:00'));
    expect(c.application).toMatchObject({ status: 'withdrawn', closedAt: shanghai('2026-07-25 09:00') });
    expect(() => withdrawn(c, shanghai('2026-07-26 09:00'))).toThrow('the application is withdrawn: nothing to withdraw');
  });
});

describe('payment at the counter', () => {
  it('is dated the Shanghai day it was reported', () => {
    const c = approvedCase();
    // 00:30 in Shanghai is still the day before in UTC.
    paymentReported(c, { via: 'counter', reference: 'R-1', amountFen: 1_263_587 }, shanghai('2026-08-20 00:30'));
    expect(c.payment).toEqual({ via: 'counter', reference: 'R-1', amountFen: 1_263_587, at: shanghai('2026-08-20 00:30'), date: '2026-08-20' });
    expect(paymentInstant(c.payment!)).toBe(shanghai('2026-08-20 00:30'));
  });
});

describe('debits of the back premiums', () => {
  it('asks for one more debit than made, however often asked', () => {
    const c = approvedCase('counter');
    debitAskedFor(c);
    debitAskedFor(c);
    expect(c.debits).toEqual({ wanted: 1, made: 0, inFlight: false });
  });

  it('is in flight from its start to the bank’s answer, and shows it', () => {
    const c = approvedCase('debit');
    debitStarted(c, { attemptNo: 1 });
    expect(c.debits).toEqual({ wanted: 1, made: 1, inFlight: true });
    expect(c.nextAction).toBe('debit: back premiums and interest');
  });

  it('a failed debit leaves the back premiums unpaid, with its reason', () => {
    const c = approvedCase('debit');
    debitStarted(c, { attemptNo: 1 });
    debitAnswered(c, { collectionDate: '2026-07-21', amountFen: 1_258_344 }, { status: 'failed', reason: 'INSUFFICIENT_FUNDS' });
    expect(c.debits).toEqual({ wanted: 1, made: 1, inFlight: false, last: { collectionDate: '2026-07-21', status: 'failed', reason: 'INSUFFICIENT_FUNDS' } });
    expect(c.payment).toBeUndefined();
    debitAskedFor(c);
    expect(c.debits.wanted).toBe(2);
  });

  it('a debit is paid on its collection date whatever the hour the bank answers', () => {
    const c = approvedCase('debit'); // pay by 2026-08-19
    debitStarted(c, { attemptNo: 1 });
    // Collected on the last day to pay; the bank answers after midnight, once the approval has run out.
    const answeredAt = shanghai('2026-08-20 01:15');
    const amountFen = quoteOn('2026-08-19').totalFen;
    debitAnswered(c, { collectionDate: '2026-08-19', amountFen }, { status: 'succeeded', reference: 'B-77', at: answeredAt });
    expect(c.debits.last).toEqual({ collectionDate: '2026-08-19', status: 'succeeded' });
    expect(c.payment).toEqual({ via: 'debit', reference: 'B-77', amountFen, at: answeredAt, date: '2026-08-19' });
    // Applied at 23:59 of the collection date, so the quote of that day reinstates, under the approval.
    expect(paymentInstant(c.payment!)).toBe(shanghai('2026-08-19 23:59'));
    const record = backPremiumsApplied(c, { quote: quoteOn('2026-08-19'), amountFen, at: paymentInstant(c.payment!) });
    expect(record).toMatchObject({ effectiveDate: '2026-08-19', paidFen: amountFen });
    expect(c.application.status).toBe('reinstated');
  });
});

describe('the back premiums applied', () => {
  it('reinstates the application and keeps the record', () => {
    const c = approvedCase();
    const record = backPremiumsApplied(c, { quote: quoteOn('2026-08-19'), amountFen: quoteOn('2026-08-19').totalFen, at: shanghai('2026-08-19 23:00') });
    expect(c.application).toMatchObject({ status: 'reinstated', closedAt: shanghai('2026-08-19 23:00') });
    expect(c.reinstated).toBe(record);
    expect(record).toMatchObject({ effectiveDate: '2026-08-19', approvedBy: 'underwriter', suicideExclusion: { startsOn: '2026-08-19', endsOn: '2028-08-18' }, nextDueDate: '2027-03-01' });
  });

  it('refuses an amount or a day the quote is not for, changing nothing', () => {
    const c = approvedCase();
    expect(() => backPremiumsApplied(c, { quote: quoteOn('2026-08-19'), amountFen: 1_234_500, at: shanghai('2026-08-19 10:00') })).toThrow(/payment of 1234500 fen does not match the quoted/);
    expect(() => backPremiumsApplied(c, { quote: quoteOn('2026-08-19'), amountFen: quoteOn('2026-08-19').totalFen, at: shanghai('2026-08-20 10:00') })).toThrow(/the quote is for payment on 2026-08-19, not 2026-08-20/);
    expect(c.application.status).toBe('approved');
    expect(c.reinstated).toBeUndefined();
  });

  it('on the day consent is deemed, before anyone recorded it', () => {
    const c = caseOf();
    const at = shanghai('2026-08-10 11:00');
    const record = backPremiumsApplied(c, { quote: quoteOn('2026-08-10'), amountFen: 1_261_896, at });
    expect(record).toMatchObject({ approvedBy: 'deemed_consent', effectiveDate: '2026-08-10' });
    expect(c.application.status).toBe('reinstated');
  });
});

describe('status on record', () => {
  it('applies deemed consent as of its instant when recorded', () => {
    const c = caseOf();
    statusRecorded(c, shanghai('2026-08-10 00:00'));
    expect(c.application).toMatchObject({ status: 'approved', approval: { by: 'deemed_consent', at: shanghai('2026-08-10 00:00'), payBy: '2026-09-09' } });
    expect(c.recorded).toEqual({ status: 'approved', evidence: 0 });
  });

  it('applies an expired approval at 00:00 after its pay-by date', () => {
    const c = approvedCase();
    statusRecorded(c, shanghai('2026-08-20 00:00'));
    expect(c.application).toMatchObject({ status: 'approval_expired', closedAt: shanghai('2026-08-20 00:00') });
    expect(c.recorded).toEqual({ status: 'approval_expired', evidence: 0 });
  });

  it('counts the requests for evidence on record', () => {
    const c = caseOf();
    underwritingDecided(c, { kind: 'request_evidence', evidence: ['medical_exam'] }, shanghai('2026-07-12 10:00'));
    underwritingDecided(c, { kind: 'request_evidence', evidence: ['medical_records'] }, shanghai('2026-07-15 10:00'));
    statusRecorded(c, shanghai('2026-07-15 10:00'));
    expect(c.recorded).toEqual({ status: 'evidence_requested', evidence: 2 });
  });
});

describe('what the status query shows next', () => {
  it('a wait and why', () => {
    const c = caseOf();
    waiting(c, { why: 'the health declaration to be captured' });
    expect(c.nextAction).toBe('wait: the health declaration to be captured');
  });
});
