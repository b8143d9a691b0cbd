import { describe, expect, it } from 'vitest';
import { STANDARD_60 } from '../../domain/collection-plan';
import { lapseInstant } from '../../domain/cycle-schedule';
import { reinstate, recordReducedPaidUpChoice, reducedPaidUpOffer, type ReducedPaidUpOffer } from '../../domain/reinstatement';
import { decideUnderwriting, receiveApplication, type ReinstatementApplication } from '../../domain/reinstatement-application';
import { quoteArrears } from '../../domain/reinstatement-arrears';
import { decideWindow, reinstatementWindow, windowConfig, type ReinstatementWindow, type WindowState } from '../../domain/reinstatement-window';
import { samplePolicy, shanghai } from '../support/cycle-simulation';

/** ¥12,345.00 a year, due 1 March, 60 days' grace, 5% reinstatement interest. */
const policy = samplePolicy({ dueDate: '2026-03-01', premiumFen: 1_234_500, paymentFrequency: 'annual' });
const RATE_BP = 500;

function apply(window: ReinstatementWindow, at: string): ReinstatementApplication {
  const receipt = receiveApplication(window, shanghai(at));
  if (!receipt.accepted) throw new Error(receipt.message);
  return receipt.application;
}

describe('a lapsed policy reinstated', () => {
  // Suspended at 00:00 on 2026-05-01 (last grace day 2026-04-30), as the cycle computes it.
  const suspendedAt = lapseInstant(policy);
  const window = reinstatementWindow(suspendedAt);

  it('on payment of the quoted back premiums and interest, from the payment date, with the suicide clause restarted', () => {
    expect(window.suspensionDate).toBe('2026-05-01');
    const app = apply(window, '2027-05-20 11:00');
    decideUnderwriting(app, { kind: 'approve' }, shanghai('2027-06-01 15:00'));
    // Two premiums (2026-03-01, 2027-03-01): 471 and 106 days → 79 651 + 17 926 fen (see reinstatement-arrears.test.ts).
    const quote = quoteArrears({ lapsedDueDate: policy.dueDate, premiumFen: policy.premiumFen, paymentFrequency: 'annual', paymentDate: '2027-06-15', interestRateBp: RATE_BP });
    expect(quote.totalFen).toBe(2_566_577);
    const record = reinstate(app, quote, { amountFen: 2_566_577, at: shanghai('2027-06-15 14:30') });
    expect(record).toEqual({
      effectiveDate: '2027-06-15',
      approvedBy: 'underwriter',
      paidFen: 2_566_577,
      premiumsFen: 2_469_000,
      interestFen: 97_577,
      installmentsCovered: 2,
      nextDueDate: '2028-03-01',
      // Art. 44: two years from reinstatement — 2027-06-15 to 2029-06-14 inclusive.
      suicideExclusion: { startsOn: '2027-06-15', endsOn: '2029-06-14' },
      contestability: { startsOn: '2027-06-15', endsOn: '2029-06-14' },
    });
    expect(app).toMatchObject({ status: 'reinstated', closedAt: shanghai('2027-06-15 14:30') });
    // The window stage then closes as reinstated.
    const state: WindowState = { remindersDone: [], reinstated: true };
    const config = windowConfig({ suspendedAt, plan: STANDARD_60, policy: { ...policy, preferredChannel: 'sms' } });
    expect(decideWindow(config, state, shanghai('2027-06-15 14:31'))).toEqual({ type: 'close', outcome: 'reinstated' });
  });

  it('after deemed consent, with interest to the later payment date', () => {
    const app = apply(window, '2027-05-20 11:00');
    // No decision by day 30 (2027-06-19); approved by law at 00:00 on 2027-06-20, pay by 2027-07-20.
    // Paid 2027-06-25: 481 days → 617 250 000 × 481 / 3 650 000 = 81 341.71 → 81 342;
    //                  116 days → 617 250 000 × 116 / 3 650 000 = 19 616.71 → 19 617.
    const quote = quoteArrears({ lapsedDueDate: '2026-03-01', premiumFen: 1_234_500, paymentFrequency: 'annual', paymentDate: '2027-06-25', interestRateBp: RATE_BP });
    expect(quote.lines.map((l) => [l.days, l.interestFen])).toEqual([
      [481, 81_342],
      [116, 19_617],
    ]);
    expect(quote.totalFen).toBe(2_469_000 + 81_342 + 19_617);
    // Nobody recorded the consent: the payment itself finds it in force (2027-06-25 ≥ 2027-06-20).
    expect(app.status).toBe('under_review');
    const record = reinstate(app, quote, { amountFen: 2_569_959, at: shanghai('2027-06-25 10:00') });
    expect(app.status).toBe('reinstated');
    expect(app.approval).toEqual({ by: 'deemed_consent', at: shanghai('2027-06-20 00:00'), payBy: '2027-07-20' });
    expect(record).toMatchObject({ approvedBy: 'deemed_consent', effectiveDate: '2027-06-25', suicideExclusion: { startsOn: '2027-06-25', endsOn: '2029-06-24' } });
  });

  it('refuses a payment that is a fen short, on another day than quoted, before approval or after its date', () => {
    const quote = quoteArrears({ lapsedDueDate: '2026-03-01', premiumFen: 1_234_500, paymentFrequency: 'annual', paymentDate: '2027-06-15', interestRateBp: RATE_BP });
    const pending = apply(window, '2027-05-20 11:00');
    expect(() => reinstate(pending, quote, { amountFen: 2_566_577, at: shanghai('2027-06-15 10:00') })).toThrow('cannot reinstate: the application is under_review, not approved');

    const app = apply(window, '2027-05-20 11:00');
    decideUnderwriting(app, { kind: 'approve' }, shanghai('2027-06-01 15:00'));
    expect(() => reinstate(app, quote, { amountFen: 2_566_576, at: shanghai('2027-06-15 10:00') })).toThrow(
      'payment of 2566576 fen does not match the quoted 2566577 fen (difference -1)',
    );
    expect(() => reinstate(app, quote, { amountFen: 2_566_577, at: shanghai('2027-06-16 10:00') })).toThrow(
      'the quote is for payment on 2027-06-15, not 2027-06-16: quote again for the day of payment',
    );
    expect(() => reinstate(app, quote, { amountFen: 0, at: shanghai('2027-06-15 10:00') })).toThrow(/amountFen must be a positive whole number/);
    expect(app.status).toBe('approved');

    // Approved 2027-06-01: pay by 2027-07-01.
    const late = quoteArrears({ lapsedDueDate: '2026-03-01', premiumFen: 1_234_500, paymentFrequency: 'annual', paymentDate: '2027-07-02', interestRateBp: RATE_BP });
    expect(() => reinstate(app, late, { amountFen: late.totalFen, at: shanghai('2027-07-02 10:00') })).toThrow(
      'cannot reinstate: the approval required payment by 2027-07-01; 2027-07-02 is too late',
    );
  });

  it('a reinstatement on 29 February restarts a suicide exclusion that ends on 27 February two years on', () => {
    // Premium due 2027-11-01 lapses at 00:00 on 2028-01-01; reinstated on 2028-02-29.
    const leapPolicy = samplePolicy({ dueDate: '2027-11-01', premiumFen: 1_000_000 });
    const leapWindow = reinstatementWindow(lapseInstant(leapPolicy));
    expect(leapWindow.suspensionDate).toBe('2028-01-01');
    const app = apply(leapWindow, '2028-02-01 10:00');
    decideUnderwriting(app, { kind: 'approve' }, shanghai('2028-02-10 10:00'));
    // 120 days (Nov 30 + Dec 31 + Jan 31 + 28): 1 000 000 × 500 × 120 / 3 650 000 = 16 438.36 → 16 438.
    const quote = quoteArrears({ lapsedDueDate: '2027-11-01', premiumFen: 1_000_000, paymentFrequency: 'annual', paymentDate: '2028-02-29', interestRateBp: RATE_BP });
    expect(quote.totalFen).toBe(1_016_438);
    const record = reinstate(app, quote, { amountFen: 1_016_438, at: shanghai('2028-02-29 16:00') });
    // Two years from 2028-02-29: to 2030-02-28 exclusive (no 29 Feb in 2030), as the window counts.
    expect(record.suicideExclusion).toEqual({ startsOn: '2028-02-29', endsOn: '2030-02-27' });
    expect(record.nextDueDate).toBe('2028-11-01');
  });
});

describe('a second lapse after reinstatement', () => {
  it('starts a fresh window from the new suspension, with its own reminders and arrears', () => {
    const first = reinstatementWindow(lapseInstant(policy));
    const app = apply(first, '2027-05-20 11:00');
    decideUnderwriting(app, { kind: 'approve' }, shanghai('2027-06-01 15:00'));
    const quote = quoteArrears({ lapsedDueDate: '2026-03-01', premiumFen: 1_234_500, paymentFrequency: 'annual', paymentDate: '2027-06-15', interestRateBp: RATE_BP });
    const record = reinstate(app, quote, { amountFen: quote.totalFen, at: shanghai('2027-06-15 14:30') });

    // The next premium (2028-03-01) goes unpaid too: grace to 2028-04-30, suspended 00:00 2028-05-01.
    const again = samplePolicy({ dueDate: record.nextDueDate!, premiumFen: 1_234_500 });
    const suspendedAgain = lapseInstant(again);
    const second = reinstatementWindow(suspendedAgain);
    expect(second).toMatchObject({ suspensionDate: '2028-05-01', closingDate: '2030-05-01', lastDayToApply: '2030-04-30' });

    // The first window would have closed 2028-05-01 too; the fresh one counts from the new suspension.
    const config = windowConfig({ suspendedAt: suspendedAgain, plan: STANDARD_60, policy: { ...again, preferredChannel: 'sms' } });
    expect(decideWindow(config, { remindersDone: [] }, suspendedAgain)).toEqual({
      type: 'wait',
      until: shanghai('2028-05-31 10:00'),
      why: 'next: reinstatement_reminder_30d',
    });
    expect(decideWindow(config, { remindersDone: [] }, shanghai('2028-05-31 10:00'))).toMatchObject({
      type: 'remind',
      step: 'reinstatement_reminder_30d',
      callTask: { step: 'reinstatement_call_30d' },
      priority: 'high',
    });

    // The old application is spent; a new one in the new window is accepted and quoted from 2028-03-01.
    expect(() => decideUnderwriting(app, { kind: 'approve' }, shanghai('2028-06-01 10:00'))).toThrow('the application is reinstated: no underwriting decision can be made');
    expect(receiveApplication(first, shanghai('2029-01-10 10:00'))).toMatchObject({ accepted: false, reason: 'window_closed' });
    const secondApp = apply(second, '2029-01-10 10:00');
    decideUnderwriting(secondApp, { kind: 'approve' }, shanghai('2029-01-25 10:00')); // pay by 2029-02-24
    // 2028-03-01 → 2029-02-20: 356 days. 617 250 000 × 356 = 219 741 000 000; / 3 650 000 = 60 203.01 → 60 203.
    const secondQuote = quoteArrears({ lapsedDueDate: '2028-03-01', premiumFen: 1_234_500, paymentFrequency: 'annual', paymentDate: '2029-02-20', interestRateBp: RATE_BP });
    expect(secondQuote.lines).toEqual([{ installment: 1, dueDate: '2028-03-01', premiumFen: 1_234_500, days: 356, interestFen: 60_203 }]);
    const secondRecord = reinstate(secondApp, secondQuote, { amountFen: 1_294_703, at: shanghai('2029-02-20 09:30') });
    expect(secondRecord.suicideExclusion).toEqual({ startsOn: '2029-02-20', endsOn: '2031-02-19' });
    expect(secondRecord.nextDueDate).toBe('2029-03-01');
  });
});

describe('reduced paid-up (减额交清)', () => {
  const values = { cashValueFen: 5_000_000, unpaidPremiumFen: 1_234_500, unpaidInterestFen: 0, loansFen: 300_000 };

  it('is offered at grace end with the net cash value as single premium, until the last grace day', () => {
    const result = reducedPaidUpOffer(values, { stage: 'grace_end', lastGraceDay: '2026-04-30', today: '2026-04-25' });
    // 5 000 000 − 1 234 500 − 0 − 300 000 = 3 465 500 fen.
    expect(result).toEqual({
      eligible: true,
      offer: { ...values, stage: 'grace_end', offeredOn: '2026-04-25', validUntil: '2026-04-30', netSinglePremiumFen: 3_465_500 },
    });
  });

  it('is offered in the window until its last day, after unpaid premiums and interest', () => {
    const window = reinstatementWindow('2026-05-01');
    const result = reducedPaidUpOffer({ ...values, unpaidPremiumFen: 2_469_000, unpaidInterestFen: 97_577 }, { stage: 'reinstatement_window', window, today: '2027-06-01' });
    // 5 000 000 − 2 469 000 − 97 577 − 300 000 = 2 133 423 fen.
    expect(result).toMatchObject({ eligible: true, offer: { stage: 'reinstatement_window', validUntil: '2028-04-30', netSinglePremiumFen: 2_133_423 } });
    expect(() => reducedPaidUpOffer(values, { stage: 'reinstatement_window', window, today: '2028-05-01' })).toThrow('the reinstatement_window offer ended on 2028-04-30; today is 2028-05-01');
    expect(() => reducedPaidUpOffer(values, { stage: 'reinstatement_window', window, today: '2026-04-30' })).toThrow(/the window opens on 2026-05-01/);
  });

  it('is not offered without cash value, or when debts use it all up', () => {
    expect(reducedPaidUpOffer({ ...values, cashValueFen: 0 }, { stage: 'grace_end', lastGraceDay: '2026-04-30', today: '2026-04-25' })).toEqual({
      eligible: false,
      reason: 'no_cash_value',
      message: 'the policy has no cash value',
    });
    // 1 534 500 − 1 234 500 − 300 000 = 0: nothing left to buy cover with.
    expect(reducedPaidUpOffer({ ...values, cashValueFen: 1_534_500 }, { stage: 'grace_end', lastGraceDay: '2026-04-30', today: '2026-04-25' })).toMatchObject({
      eligible: false,
      reason: 'debts_exceed_cash_value',
    });
    // One fen more is enough.
    expect(reducedPaidUpOffer({ ...values, cashValueFen: 1_534_501 }, { stage: 'grace_end', lastGraceDay: '2026-04-30', today: '2026-04-25' })).toMatchObject({
      eligible: true,
      offer: { netSinglePremiumFen: 1 },
    });
  });

  it('refuses bad amounts, naming the field', () => {
    expect(() => reducedPaidUpOffer({ ...values, cashValueFen: -1 }, { stage: 'grace_end', lastGraceDay: '2026-04-30', today: '2026-04-25' })).toThrow(/cashValueFen must be a whole number of fen >= 0, got -1/);
    expect(() => reducedPaidUpOffer({ ...values, loansFen: 1.5 }, { stage: 'grace_end', lastGraceDay: '2026-04-30', today: '2026-04-25' })).toThrow(/loansFen/);
    expect(() => reducedPaidUpOffer(values, { stage: 'grace_end', lastGraceDay: '2026-04-31', today: '2026-04-25' })).toThrow(/lastGraceDay must be YYYY-MM-DD/);
  });

  it('records the policyholder’s choice while the offer stands', () => {
    const result = reducedPaidUpOffer(values, { stage: 'grace_end', lastGraceDay: '2026-04-30', today: '2026-04-25' });
    const offer = (result as { offer: ReducedPaidUpOffer }).offer;
    expect(recordReducedPaidUpChoice(offer, 'accepted', shanghai('2026-04-30 23:59'))).toEqual({
      stage: 'grace_end',
      choice: 'accepted',
      decidedAt: shanghai('2026-04-30 23:59'),
      netSinglePremiumFen: 3_465_500,
    });
    expect(recordReducedPaidUpChoice(offer, 'declined', shanghai('2026-04-26 10:00')).choice).toBe('declined');
    expect(() => recordReducedPaidUpChoice(offer, 'accepted', shanghai('2026-05-01 00:00'))).toThrow('the reduced paid-up offer ended on 2026-04-30; a choice on 2026-05-01 is too late');
    expect(() => recordReducedPaidUpChoice(offer, 'accepted', shanghai('2026-04-24 10:00'))).toThrow(/comes before the offer of 2026-04-25/);
    expect(() => recordReducedPaidUpChoice(offer, 'maybe' as never, shanghai('2026-04-26 10:00'))).toThrow(/choice must be accepted or declined/);
  });
});
