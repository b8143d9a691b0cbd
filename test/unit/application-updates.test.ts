import { describe, expect, it } from 'vitest';
import { debitRequestError, declarationTaskError, paymentError, STILL_OPENING, underwritingDecisionRefusal, withdrawalError } from '../../domain/application-updates';
import { receiveApplication, type PaymentMethod } from '../../domain/reinstatement-application';
import { quoteArrears, type ArrearsTerms } from '../../domain/reinstatement-arrears';
import {
  backPremiumsApplied,
  debitAnswered,
  debitAskedFor,
  debitStarted,
  declarationCaptured,
  openCase,
  paymentReported,
  statusRecorded,
  underwritingDecided,
  withdrawn,
  type ReinstatementCase,
} from '../../domain/reinstatement-case';
import { reinstatementWindow } from '../../domain/reinstatement-window';
import { shanghai } from '../support/cycle-simulation';

/** Received 2026-07-10 14:00: decision due 2026-08-09, consent deemed at 00:00 on 2026-08-10. */
const WINDOW = reinstatementWindow('2026-05-01');
const TERMS: ArrearsTerms = { lapsedDueDate: '2026-03-01', premiumFen: 1_234_500, paymentFrequency: 'annual', interestRateBp: 500, anchorDay: 1, hasMandate: true };
const NO_MANDATE: ArrearsTerms = { ...TERMS, hasMandate: false };
const DAY = shanghai('2026-07-21 10:00');
/** 2026-03-01 → 2026-07-21: 142 days; 1 234 500 × 5 % × 142 / 365 = 24 013.56 → 24 014 fen. */
const QUOTE_FEN = 1_258_514;

function caseOf(paymentMethod: PaymentMethod = 'counter'): ReinstatementCase {
  const receipt = receiveApplication(WINDOW, shanghai('2026-07-10 14:00'));
  if (!receipt.accepted) throw new Error(receipt.message);
  return openCase(receipt.application, paymentMethod, WINDOW.lastDayToApply);
}

function approved(paymentMethod: PaymentMethod = 'counter'): ReinstatementCase {
  const c = caseOf(paymentMethod);
  declarationCaptured(c);
  underwritingDecided(c, { kind: 'approve' }, shanghai('2026-07-20 16:30'));
  statusRecorded(c, shanghai('2026-07-20 16:30'));
  return c;
}

describe('taskCompleted on an application', () => {
  const done = { step: 'reinstatement_declaration', outcome: 'done' };

  it('takes the declaration task once, with outcome done', () => {
    const c = caseOf();
    expect(declarationTaskError(c, done)).toBeUndefined();
    expect(declarationTaskError(c, { ...done, outcome: 'reached' })).toBe('outcome of reinstatement_declaration must be done (the declaration is in the underwriting file), got reached');
    declarationCaptured(c);
    expect(declarationTaskError(c, done)).toBe('no open task reinstatement_declaration in this application');
  });

  it('sends the underwriting task to its decision and knows no other task', () => {
    expect(declarationTaskError(caseOf(), { step: 'reinstatement_underwriting', outcome: 'done' })).toBe('the underwriting task is completed by its decision: renewals reinstate decide');
    expect(declarationTaskError(caseOf(), { step: 'call_d-15', outcome: 'reached' })).toBe('no open task call_d-15 in this application');
  });
});

describe('underwritingDecision', () => {
  it('approves only once the declaration is captured; declines and asks for evidence without it', () => {
    const c = caseOf();
    expect(underwritingDecisionRefusal(c, { kind: 'approve' }, DAY)).toBe('the health and risk declaration is not captured yet: complete its task first');
    expect(underwritingDecisionRefusal(c, { kind: 'decline', reasonCode: 'RISK_INCREASED_HEALTH' }, DAY)).toBeUndefined();
    expect(underwritingDecisionRefusal(c, { kind: 'request_evidence', evidence: ['medical_exam'] }, DAY)).toBeUndefined();
    declarationCaptured(c);
    expect(underwritingDecisionRefusal(c, { kind: 'approve' }, DAY)).toBeUndefined();
  });

  it('refuses what the application refuses: after deemed consent, a second decision, a bad reason', () => {
    const c = caseOf();
    declarationCaptured(c);
    expect(underwritingDecisionRefusal(c, { kind: 'approve' }, shanghai('2026-08-10 00:00'))).toBe(
      'the application was approved by deemed consent at 00:00 on 2026-08-10: no explicit decision came by 2026-08-09',
    );
    expect(underwritingDecisionRefusal(c, { kind: 'decline', reasonCode: 'EVIDENCE_NOT_PROVIDED' }, DAY)).toBe('reasonCode EVIDENCE_NOT_PROVIDED needs an earlier request for evidence on this application');
    expect(underwritingDecisionRefusal(approved(), { kind: 'approve' }, DAY)).toBe('the application is approved: no underwriting decision can be made');
  });
});

describe('reinstatementPayment', () => {
  const paid = (amountFen = QUOTE_FEN) => ({ via: 'counter', reference: 'R-0001', amountFen });

  it('takes exactly the quote of the day under an open approval', () => {
    expect(paymentError(approved(), TERMS, paid(), DAY)).toBeUndefined();
    expect(paymentError(approved(), TERMS, paid(600_000), DAY)).toBe("amountFen must be today's quote, 1258514 fen (back premiums 1234500 + interest 24014), got 600000");
  });

  it('names a bad way of paying or reference first', () => {
    expect(paymentError(approved(), TERMS, { ...paid(), via: 'cash' }, DAY)).toBe('via must be counter, online or transfer, got cash');
    expect(paymentError(approved(), TERMS, { ...paid(), reference: 'R 1' }, DAY)).toBe('reference must be the receipt or bank reference: 1–64 letters, digits, - or _');
  });

  it('refuses a second payment, and one while a debit is asked for or on its way', () => {
    const c = approved();
    paymentReported(c, { via: 'counter', reference: 'R-0001', amountFen: QUOTE_FEN }, DAY);
    expect(paymentError(c, TERMS, paid(), DAY)).toBe('the back premiums are already paid');
    const asked = approved('debit');
    expect(paymentError(asked, TERMS, paid(), DAY)).toBe('a debit of the back premiums is on its way: wait for its answer');
    debitStarted(asked, { attemptNo: 1 });
    expect(paymentError(asked, TERMS, paid(), DAY)).toBe('a debit of the back premiums is on its way: wait for its answer');
    debitAnswered(asked, { collectionDate: '2026-07-21', amountFen: QUOTE_FEN }, { status: 'failed', reason: 'INSUFFICIENT_FUNDS' });
    expect(paymentError(asked, TERMS, paid(), DAY)).toBeUndefined();
  });

  it('refuses before approval and after the pay-by date, takes one on the day consent is deemed', () => {
    expect(paymentError(caseOf(), TERMS, paid(), DAY)).toBe('no payment can be taken: the application is under_review, not approved');
    expect(paymentError(approved(), TERMS, paid(), shanghai('2026-08-20 09:00'))).toBe('no payment can be taken: the approval required payment by 2026-08-19; 2026-08-20 is too late');
    const deemedDay = quoteArrears({ ...TERMS, paymentDate: '2026-08-10' }).totalFen;
    expect(paymentError(caseOf(), TERMS, paid(deemedDay), shanghai('2026-08-10 10:00'))).toBeUndefined();
  });

  it('asks to wait while the application is being opened', () => {
    expect(paymentError(approved(), undefined, paid(), DAY)).toBe(STILL_OPENING);
    expect(STILL_OPENING).toBe('the application is still being opened: try again in a moment');
  });
});

describe('reinstatementDebit', () => {
  it('debits from an active mandate under an open approval', () => {
    expect(debitRequestError(approved(), TERMS, DAY)).toBeUndefined();
    expect(debitRequestError(approved(), NO_MANDATE, DAY)).toBe('the policy has no active debit mandate: pay at the counter');
    expect(debitRequestError(caseOf(), TERMS, DAY)).toBe('no debit can be made: the application is under_review, not approved');
    expect(debitRequestError(approved(), TERMS, shanghai('2026-08-20 09:00'))).toBe('no debit can be made: the approval required payment by 2026-08-19; 2026-08-20 is too late');
    expect(debitRequestError(approved(), undefined, DAY)).toBe(STILL_OPENING);
  });

  it('one at a time', () => {
    const c = approved();
    debitAskedFor(c);
    expect(debitRequestError(c, TERMS, DAY)).toBe('a debit is already on its way');
    debitStarted(c, { attemptNo: 1 });
    expect(debitRequestError(c, TERMS, DAY)).toBe('a debit is already on its way');
    debitAnswered(c, { collectionDate: '2026-07-21', amountFen: QUOTE_FEN }, { status: 'failed', reason: 'INSUFFICIENT_FUNDS' });
    expect(debitRequestError(c, TERMS, DAY)).toBeUndefined();
  });

  it('none once paid', () => {
    const c = approved();
    paymentReported(c, { via: 'online', reference: 'O-1', amountFen: QUOTE_FEN }, DAY);
    expect(debitRequestError(c, TERMS, DAY)).toBe('the back premiums are already paid');
  });
});

describe('withdrawReinstatement', () => {
  it('while under review, asked for evidence, or approved and unpaid', () => {
    expect(withdrawalError(caseOf())).toBeUndefined();
    const asked = caseOf();
    underwritingDecided(asked, { kind: 'request_evidence', evidence: ['medical_exam'] }, DAY);
    expect(withdrawalError(asked)).toBeUndefined();
    expect(withdrawalError(approved())).toBeUndefined();
    // A debit asked for and not yet made does not hold a withdrawal back.
    expect(withdrawalError(approved('debit'))).toBeUndefined();
  });

  it('not while a debit is on its way, nor once paid', () => {
    const debiting = approved('debit');
    debitStarted(debiting, { attemptNo: 1 });
    expect(withdrawalError(debiting)).toBe('a debit of the back premiums is on its way: wait for its answer');
    const paid = approved();
    paymentReported(paid, { via: 'counter', reference: 'R-1', amountFen: QUOTE_FEN }, DAY);
    expect(withdrawalError(paid)).toBe('the back premiums are paid: the policy is being reinstated');
    const reinstated = approved();
    backPremiumsApplied(reinstated, { quote: quoteArrears({ ...TERMS, paymentDate: '2026-07-21' }), amountFen: QUOTE_FEN, at: DAY });
    expect(withdrawalError(reinstated)).toBe('the back premiums are paid: the policy is being reinstated');
  });

  it('not once closed', () => {
    const declined = caseOf();
    underwritingDecided(declined, { kind: 'decline', reasonCode: 'RISK_INCREASED_HEALTH' }, DAY);
    expect(withdrawalError(declined)).toBe('the application is declined: nothing to withdraw');
    const gone = caseOf();
    withdrawn(gone, DAY);
    expect(withdrawalError(gone)).toBe('the application is withdrawn: nothing to withdraw');
  });
});
