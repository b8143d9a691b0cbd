import { describe, expect, it } from 'vitest';
import { reinstatedNotice } from '../../domain/application-notices';
import { debitRequestError, paymentError, underwritingDecisionRefusal, withdrawalError } from '../../domain/application-updates';
import { receiveApplication, type PaymentMethod, type UnderwritingDecision } from '../../domain/reinstatement-application';
import { quoteArrears, type ArrearsTerms } from '../../domain/reinstatement-arrears';
import {
  backPremiumsApplied,
  debitAnswered,
  debitAskedFor,
  debitStarted,
  declarationCaptured,
  declarationRecorded,
  openCase,
  paymentReported,
  statusRecorded,
  underwritingDecided,
  underwritingTaskOwed,
  waiting,
  withdrawn,
  type DebitAnswer,
  type ReinstatementCase,
} from '../../domain/reinstatement-case';
import { nextStep, noticeDue, statusChange, statusNotice } from '../../domain/reinstatement-case-decider';
import { reinstatementWindow } from '../../domain/reinstatement-window';
import { shanghai } from '../support/cycle-simulation';

/** Suspended 2026-05-01; received 2026-07-10 14:00: decision due 2026-08-09, consent deemed at 00:00 on 2026-08-10. */
const WINDOW = reinstatementWindow('2026-05-01');
/** ¥12,345.00 a year, lapsed on 2026-03-01, 5% interest. */
const TERMS: ArrearsTerms = { lapsedDueDate: '2026-03-01', premiumFen: 1_234_500, paymentFrequency: 'annual', interestRateBp: 500, anchorDay: 1, hasMandate: true };
const NO_MANDATE: ArrearsTerms = { ...TERMS, hasMandate: false };
const totalOn = (paymentDate: string) => quoteArrears({ ...TERMS, paymentDate }).totalFen;

function caseOf(paymentMethod: PaymentMethod = 'counter'): ReinstatementCase {
  const receipt = receiveApplication(WINDOW, shanghai('2026-07-10 14:00'));
  if (!receipt.accepted) throw new Error(receipt.message);
  return openCase(receipt.application, paymentMethod, WINDOW.lastDayToApply);
}

/** Declaration on record, approved by the underwriter on 2026-07-20 at 16:30 (pay by 2026-08-19), and that on record. */
function approvedCase(paymentMethod: PaymentMethod = 'counter'): ReinstatementCase {
  const c = caseOf(paymentMethod);
  declarationCaptured(c);
  declarationRecorded(c);
  underwritingDecided(c, { kind: 'approve' }, shanghai('2026-07-20 16:30'));
  statusRecorded(c, shanghai('2026-07-20 16:30'));
  return c;
}

describe('deciding', () => {
  it('waits for the declaration, then for the decision, until consent would be deemed', () => {
    const c = caseOf();
    expect(nextStep(c, TERMS, shanghai('2026-07-10 14:00'))).toEqual({ type: 'wait', until: shanghai('2026-08-10 00:00'), why: 'the health declaration to be captured' });
    declarationCaptured(c);
    expect(nextStep(c, TERMS, shanghai('2026-07-11 10:00'))).toEqual({ type: 'record_declaration' });
    declarationRecorded(c);
    expect(nextStep(c, TERMS, shanghai('2026-07-11 10:00'))).toEqual({ type: 'wait', until: shanghai('2026-08-10 00:00'), why: 'underwriting decision by 2026-08-09' });
  });

  it('records the declaration first, before a payment taken', () => {
    const c = caseOf();
    underwritingDecided(c, { kind: 'approve' }, shanghai('2026-07-20 16:30')); // as if the declaration check were passed
    paymentReported(c, { via: 'counter', reference: 'R-1', amountFen: totalOn('2026-07-21') }, shanghai('2026-07-21 10:00'));
    declarationCaptured(c);
    expect(nextStep(c, TERMS, shanghai('2026-07-21 10:00')).type).toBe('record_declaration');
    declarationRecorded(c);
    expect(nextStep(c, TERMS, shanghai('2026-07-21 10:00')).type).toBe('reinstate');
  });

  it('records each status the application moves to, with what the trail keeps of it', () => {
    const approved = caseOf();
    underwritingDecided(approved, { kind: 'approve' }, shanghai('2026-07-20 16:30'));
    expect(nextStep(approved, TERMS, shanghai('2026-07-20 16:30'))).toEqual({
      type: 'record_status',
      change: { status: 'approved', approvedBy: 'underwriter', approvedAt: shanghai('2026-07-20 16:30'), payBy: '2026-08-19' },
    });

    const asked = caseOf();
    underwritingDecided(asked, { kind: 'request_evidence', evidence: ['medical_exam', 'medical_exam'] }, shanghai('2026-07-12 10:00'));
    expect(nextStep(asked, TERMS, shanghai('2026-07-12 10:00'))).toEqual({ type: 'record_status', change: { status: 'evidence_requested', evidence: ['medical_exam'] } });

    const declined = caseOf();
    underwritingDecided(declined, { kind: 'decline', reasonCode: 'RISK_INCREASED_OCCUPATION' }, shanghai('2026-07-13 10:00'));
    expect(nextStep(declined, TERMS, shanghai('2026-07-13 10:00'))).toEqual({
      type: 'record_status',
      change: { status: 'declined', declineReason: 'RISK_INCREASED_OCCUPATION', closedAt: shanghai('2026-07-13 10:00') },
    });

    const gone = caseOf();
    withdrawn(gone, shanghai('2026-07-11 09:00'));
    expect(nextStep(gone, TERMS, shanghai('2026-07-11 09:00'))).toEqual({ type: 'record_status', change: { status: 'withdrawn', closedAt: shanghai('2026-07-11 09:00') } });
  });

  it('records a second request for evidence though the status stays the same', () => {
    const c = caseOf();
    underwritingDecided(c, { kind: 'request_evidence', evidence: ['medical_exam'] }, shanghai('2026-07-12 10:00'));
    statusRecorded(c, shanghai('2026-07-12 10:00'));
    expect(nextStep(c, TERMS, shanghai('2026-07-12 10:00')).type).toBe('wait');
    underwritingDecided(c, { kind: 'request_evidence', evidence: ['occupation_details', 'medical_records'] }, shanghai('2026-07-18 10:00'));
    expect(nextStep(c, TERMS, shanghai('2026-07-18 10:00'))).toEqual({ type: 'record_status', change: { status: 'evidence_requested', evidence: ['occupation_details', 'medical_records'] } });
    statusRecorded(c, shanghai('2026-07-18 10:00'));
    expect(c.recorded).toEqual({ status: 'evidence_requested', evidence: 2 });
  });

  it('records consent deemed at 00:00 after the decision due date, changing the case only once recorded', () => {
    const c = caseOf('debit');
    const midnight = shanghai('2026-08-10 00:00');
    expect(nextStep(c, TERMS, midnight - 1).type).toBe('wait');
    expect(nextStep(c, TERMS, midnight)).toEqual({ type: 'record_status', change: { status: 'approved', approvedBy: 'deemed_consent', approvedAt: midnight, payBy: '2026-09-09' } });
    expect(c.application.status).toBe('under_review');
    statusRecorded(c, midnight);
    expect(c.application.status).toBe('approved');
  });

  it('approved, paying at the counter: waits for the money to the end of the pay-by date', () => {
    const c = approvedCase();
    expect(nextStep(c, TERMS, shanghai('2026-07-20 16:30'))).toEqual({ type: 'wait', until: shanghai('2026-08-20 00:00'), why: 'back premiums paid by 2026-08-19' });
  });

  it('approved, paying by debit: debits the quote of the day from the mandate', () => {
    const c = approvedCase('debit');
    // 2026-03-01 → 2026-07-20: 141 days; 1 234 500 × 5 % × 141 / 365 = 23 843.84 → 23 844 fen
    expect(nextStep(c, TERMS, shanghai('2026-07-20 16:30'))).toEqual({ type: 'debit', attemptNo: 1, collectionDate: '2026-07-20', amountFen: 1_258_344 });
  });

  it('debits only with a mandate', () => {
    expect(nextStep(approvedCase('debit'), NO_MANDATE, shanghai('2026-07-20 16:30'))).toMatchObject({ type: 'wait', why: 'back premiums paid by 2026-08-19' });
  });

  it('makes no second debit while one is on its way, and one more only when asked', () => {
    const c = approvedCase('debit');
    const now = shanghai('2026-07-20 16:30');
    debitStarted(c, { attemptNo: 1 });
    expect(nextStep(c, TERMS, now).type).toBe('wait');
    debitAnswered(c, { collectionDate: '2026-07-20', amountFen: 1_258_344 }, { status: 'failed', reason: 'INSUFFICIENT_FUNDS' });
    expect(nextStep(c, TERMS, now).type).toBe('wait');
    debitAskedFor(c);
    expect(nextStep(c, TERMS, shanghai('2026-07-22 10:00'))).toEqual({ type: 'debit', attemptNo: 2, collectionDate: '2026-07-22', amountFen: totalOn('2026-07-22') });
  });

  it('applies a payment taken before an expiry the clock would apply now', () => {
    const c = approvedCase();
    const paidAt = shanghai('2026-08-19 23:00');
    paymentReported(c, { via: 'transfer', reference: 'T-9', amountFen: totalOn('2026-08-19') }, paidAt);
    const step = nextStep(c, TERMS, shanghai('2026-08-20 00:00'));
    expect(step).toMatchObject({ type: 'reinstate', payment: { via: 'transfer', date: '2026-08-19' }, quote: { paymentDate: '2026-08-19', totalFen: totalOn('2026-08-19') }, at: paidAt });
  });

  it('applies a debit answered after midnight on its collection date', () => {
    const c = approvedCase('debit');
    debitStarted(c, { attemptNo: 1 });
    debitAnswered(c, { collectionDate: '2026-08-19', amountFen: totalOn('2026-08-19') }, { status: 'succeeded', reference: 'B-1', at: shanghai('2026-08-20 02:00') });
    expect(nextStep(c, TERMS, shanghai('2026-08-20 02:00'))).toMatchObject({ type: 'reinstate', quote: { paymentDate: '2026-08-19' }, at: shanghai('2026-08-19 23:59') });
  });

  it('an approval unpaid at 00:00 after its pay-by date expires: recorded, then the application closes', () => {
    const c = approvedCase();
    const expiry = shanghai('2026-08-20 00:00');
    expect(nextStep(c, TERMS, expiry)).toEqual({ type: 'record_status', change: { status: 'approval_expired', approvedBy: 'underwriter', approvedAt: shanghai('2026-07-20 16:30'), payBy: '2026-08-19', closedAt: expiry } });
    statusRecorded(c, expiry);
    expect(nextStep(c, TERMS, expiry)).toEqual({ type: 'close', result: { outcome: 'approval_expired' } });
  });

  it('closes a declined application with its reason once on record', () => {
    const c = caseOf();
    underwritingDecided(c, { kind: 'decline', reasonCode: 'RISK_INCREASED_HEALTH' }, shanghai('2026-07-13 10:00'));
    statusRecorded(c, shanghai('2026-07-13 10:00'));
    expect(nextStep(c, TERMS, shanghai('2026-07-13 10:00'))).toEqual({ type: 'close', result: { outcome: 'declined', declineReason: 'RISK_INCREASED_HEALTH' } });
  });

  it('closes an application withdrawn while approved', () => {
    const c = approvedCase();
    withdrawn(c, shanghai('2026-08-01 10:00'));
    expect(nextStep(c, TERMS, shanghai('2026-08-01 10:00'))).toMatchObject({ type: 'record_status', change: { status: 'withdrawn', approvedBy: 'underwriter', closedAt: shanghai('2026-08-01 10:00') } });
    statusRecorded(c, shanghai('2026-08-01 10:00'));
    expect(nextStep(c, TERMS, shanghai('2026-08-01 10:00'))).toEqual({ type: 'close', result: { outcome: 'withdrawn' } });
  });

  it('is pure: deciding changes nothing in the case', () => {
    const c = approvedCase();
    const before = JSON.stringify(c);
    for (const at of ['2026-07-21 10:00', '2026-08-20 00:00', '2027-01-01 00:00']) nextStep(c, TERMS, shanghai(at));
    expect(JSON.stringify(c)).toBe(before);
  });
});

describe('telling the policyholder of a status on record', () => {
  it('tells an approval when the contact window is open: consent deemed at 00:00 at 09:00', () => {
    const c = approvedCase();
    expect(noticeDue(c, shanghai('2026-07-20 16:30'))).toEqual({ kind: 'approval', at: shanghai('2026-07-20 16:30') });
    expect(noticeDue(c, shanghai('2026-07-20 21:30'))).toEqual({ kind: 'approval', at: shanghai('2026-07-21 09:00') });
    const deemed = caseOf();
    statusRecorded(deemed, shanghai('2026-08-10 00:00'));
    expect(noticeDue(deemed, shanghai('2026-08-10 00:00'))).toEqual({ kind: 'approval', at: shanghai('2026-08-10 09:00') });
  });

  it('tells a decline at once; no other status is news to tell', () => {
    const declined = caseOf();
    underwritingDecided(declined, { kind: 'decline', reasonCode: 'RISK_INCREASED_HEALTH' }, shanghai('2026-07-13 22:00'));
    expect(noticeDue(declined, shanghai('2026-07-13 22:00'))).toEqual({ kind: 'decline', at: shanghai('2026-07-13 22:00') });
    const asked = caseOf();
    underwritingDecided(asked, { kind: 'request_evidence', evidence: ['medical_exam'] }, shanghai('2026-07-12 10:00'));
    expect(noticeDue(asked, shanghai('2026-07-12 10:00'))).toBeUndefined();
    expect(noticeDue(caseOf(), shanghai('2026-07-12 10:00'))).toBeUndefined();
    const expired = approvedCase();
    statusRecorded(expired, shanghai('2026-08-20 00:00'));
    expect(noticeDue(expired, shanghai('2026-08-20 00:00'))).toBeUndefined();
  });

  it('the approval quotes for the day it goes out', () => {
    const c = caseOf();
    statusRecorded(c, shanghai('2026-08-10 00:00'));
    // 2026-03-01 → 2026-08-10: 162 days → 27 396 fen of interest.
    expect(statusNotice(c, 'approval', TERMS, shanghai('2026-08-10 09:00'))).toEqual({
      step: 'reinstatement_approved',
      template: 'reinstatement_approved',
      channels: ['sms', 'email'],
      allChannels: true,
      fields: { approvedBy: 'deemed_consent', backPremiumsFen: 1_234_500, interestFen: 27_396, totalDueFen: 1_261_896, payBy: '2026-09-09' },
    });
    expect(statusNotice(c, 'approval', TERMS, shanghai('2026-08-12 09:00')).fields.totalDueFen).toBe(totalOn('2026-08-12'));
  });

  it('the decline gives its reason, on a letter too, and the last day to apply again', () => {
    const c = caseOf();
    underwritingDecided(c, { kind: 'decline', reasonCode: 'RISK_INCREASED_HEALTH' }, shanghai('2026-07-13 10:00'));
    expect(statusNotice(c, 'decline', TERMS, shanghai('2026-07-13 10:00'))).toEqual({
      step: 'reinstatement_declined',
      template: 'reinstatement_declined',
      channels: ['sms', 'email', 'letter'],
      allChannels: true,
      fields: { reinstatementWindowEnd: '2028-04-30', declineReason: 'RISK_INCREASED_HEALTH' },
    });
  });

  it('the reinstatement notice names the next premium only while premiums remain', () => {
    const c = approvedCase();
    const record = backPremiumsApplied(c, { quote: quoteArrears({ ...TERMS, paymentDate: '2026-08-01' }), amountFen: totalOn('2026-08-01'), at: shanghai('2026-08-01 10:00') });
    expect(reinstatedNotice(record)).toEqual({
      step: 'policy_reinstated',
      template: 'policy_reinstated',
      channels: ['sms', 'email'],
      allChannels: true,
      fields: { effectiveDate: '2026-08-01', suicideExclusionEnds: '2028-07-31', totalDueFen: totalOn('2026-08-01'), nextDueDate: '2027-03-01' },
    });
    expect(reinstatedNotice({ ...record, nextDueDate: null }).fields).not.toHaveProperty('nextDueDate');
  });

  it('the trail records the latest evidence asked for only while evidence is awaited', () => {
    const c = caseOf();
    underwritingDecided(c, { kind: 'request_evidence', evidence: ['medical_exam'] }, shanghai('2026-07-12 10:00'));
    underwritingDecided(c, { kind: 'approve' }, shanghai('2026-07-14 10:00'));
    expect(statusChange(c.application)).toEqual({ status: 'approved', approvedBy: 'underwriter', approvedAt: shanghai('2026-07-14 10:00'), payBy: '2026-08-13' });
  });
});

/**
 * The workflow's loop without a server: each step performed as the workflow performs it, the
 * activities answering at once; updates come as events while it waits, checked as their validators do.
 */
function run(c: ReinstatementCase, terms: ArrearsTerms, start: string, events: { at: string; event: (c: ReinstatementCase, at: number) => void }[], bank: (attemptNo: number) => DebitAnswer['status'] = () => 'succeeded'): string[] {
  const log: string[] = [];
  const queue = [...events];
  let now = shanghai(start);
  const time = (at: number) => new Date(at + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');
  for (let turn = 0; turn < 50; turn++) {
    const step = nextStep(c, terms, now);
    switch (step.type) {
      case 'record_declaration':
        declarationRecorded(c);
        log.push(`${time(now)} declaration task closed${underwritingTaskOwed(c) ? ', underwriting task opened' : ''}`);
        break;
      case 'reinstate': {
        const record = backPremiumsApplied(c, { quote: step.quote, amountFen: step.payment.amountFen, at: step.at });
        log.push(`${time(now)} reinstated from ${record.effectiveDate}, ${record.paidFen} fen by ${step.payment.via}`);
        return log;
      }
      case 'record_status': {
        statusRecorded(c, now);
        const notice = noticeDue(c, now);
        log.push(`${time(now)} ${step.change.status} recorded${notice ? `, ${notice.kind} told at ${time(notice.at)}` : ''}`);
        if (notice) now = Math.max(now, notice.at);
        break;
      }
      case 'debit': {
        debitStarted(c, step);
        const status = bank(step.attemptNo);
        debitAnswered(c, step, status === 'succeeded' ? { status, reference: `B-${step.attemptNo}`, at: now } : { status, reason: 'INSUFFICIENT_FUNDS' });
        log.push(`${time(now)} debit ${step.attemptNo} of ${step.amountFen} fen ${status}`);
        break;
      }
      case 'wait': {
        waiting(c, step);
        const next = queue[0];
        if (next && shanghai(next.at) < step.until) {
          now = shanghai(next.at);
          queue.shift()!.event(c, now);
        } else {
          now = step.until;
        }
        break;
      }
      case 'close':
        log.push(`${time(now)} closed: ${step.result.outcome}`);
        return log;
    }
  }
  throw new Error(`no end: ${log.join('; ')}`);
}

const refuse = (error: string | undefined) => {
  if (error) throw new Error(error);
};
const decide = (at: string, decision: UnderwritingDecision) => ({
  at,
  event: (c: ReinstatementCase, now: number) => {
    refuse(underwritingDecisionRefusal(c, decision, now));
    underwritingDecided(c, decision, now);
  },
});
const declaration = (at: string) => ({ at, event: declarationCaptured });
const withdraw = (at: string) => ({
  at,
  event: (c: ReinstatementCase, now: number) => {
    refuse(withdrawalError(c));
    withdrawn(c, now);
  },
});
const askDebit = (at: string) => ({
  at,
  event: (c: ReinstatementCase, now: number) => {
    refuse(debitRequestError(c, TERMS, now));
    debitAskedFor(c);
  },
});
const pay = (at: string) => ({
  at,
  event: (c: ReinstatementCase, now: number) => {
    const payment = { via: 'counter' as const, reference: 'R-1', amountFen: totalOn(at.slice(0, 10)) };
    refuse(paymentError(c, TERMS, payment, now));
    paymentReported(c, payment, now);
  },
});

describe('a case run as the workflow runs it', () => {
  it('consent deemed at 00:00 is told when the contact window opens, and the debit follows', () => {
    expect(run(caseOf('debit'), TERMS, '2026-07-10 14:00', [declaration('2026-07-11 10:00')])).toEqual([
      '2026-07-11 10:00 declaration task closed, underwriting task opened',
      '2026-08-10 00:00 approved recorded, approval told at 2026-08-10 09:00',
      '2026-08-10 09:00 debit 1 of 1261896 fen succeeded',
      '2026-08-10 09:00 reinstated from 2026-08-10, 1261896 fen by debit',
    ]);
  });

  it('evidence asked for twice, approved, then withdrawn while approved', () => {
    const log = run(caseOf(), TERMS, '2026-07-10 14:00', [
      decide('2026-07-12 10:00', { kind: 'request_evidence', evidence: ['medical_exam'] }),
      decide('2026-07-15 10:00', { kind: 'request_evidence', evidence: ['medical_records'] }),
      declaration('2026-07-16 10:00'),
      decide('2026-07-20 16:30', { kind: 'approve' }),
      withdraw('2026-07-25 09:00'),
    ]);
    expect(log).toEqual([
      '2026-07-12 10:00 evidence_requested recorded',
      '2026-07-15 10:00 evidence_requested recorded',
      '2026-07-16 10:00 declaration task closed, underwriting task opened',
      '2026-07-20 16:30 approved recorded, approval told at 2026-07-20 16:30',
      '2026-07-25 09:00 withdrawn recorded',
      '2026-07-25 09:00 closed: withdrawn',
    ]);
  });

  it('a failed debit, another asked for, then paid', () => {
    const c = caseOf('debit');
    const log = run(c, TERMS, '2026-07-10 14:00', [declaration('2026-07-11 10:00'), decide('2026-07-20 16:30', { kind: 'approve' }), askDebit('2026-07-23 10:00')], (n) => (n === 1 ? 'failed' : 'succeeded'));
    expect(log).toEqual([
      '2026-07-11 10:00 declaration task closed, underwriting task opened',
      '2026-07-20 16:30 approved recorded, approval told at 2026-07-20 16:30',
      '2026-07-20 16:30 debit 1 of 1258344 fen failed',
      `2026-07-23 10:00 debit 2 of ${totalOn('2026-07-23')} fen succeeded`,
      `2026-07-23 10:00 reinstated from 2026-07-23, ${totalOn('2026-07-23')} fen by debit`,
    ]);
    expect(c.nextAction).toBe('debit: back premiums and interest');
  });

  it('declined before the declaration came: no underwriting task, the decline told', () => {
    expect(run(caseOf(), TERMS, '2026-07-10 14:00', [decide('2026-07-13 10:00', { kind: 'decline', reasonCode: 'RISK_INCREASED_OTHER' })])).toEqual([
      '2026-07-13 10:00 declined recorded, decline told at 2026-07-13 10:00',
      '2026-07-13 10:00 closed: declined',
    ]);
  });

  it('approved and never paid: the approval expires', () => {
    expect(run(caseOf(), TERMS, '2026-07-10 14:00', [declaration('2026-07-11 10:00'), decide('2026-07-20 16:30', { kind: 'approve' })])).toEqual([
      '2026-07-11 10:00 declaration task closed, underwriting task opened',
      '2026-07-20 16:30 approved recorded, approval told at 2026-07-20 16:30',
      '2026-08-20 00:00 approval_expired recorded',
      '2026-08-20 00:00 closed: approval_expired',
    ]);
  });

  it('paid at the counter on the last day to pay', () => {
    expect(run(caseOf(), TERMS, '2026-07-10 14:00', [declaration('2026-07-11 10:00'), decide('2026-07-20 16:30', { kind: 'approve' }), pay('2026-08-19 23:30')])).toEqual([
      '2026-07-11 10:00 declaration task closed, underwriting task opened',
      '2026-07-20 16:30 approved recorded, approval told at 2026-07-20 16:30',
      `2026-08-19 23:30 reinstated from 2026-08-19, ${totalOn('2026-08-19')} fen by counter`,
    ]);
  });
});
