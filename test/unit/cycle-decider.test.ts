import { describe, expect, it } from 'vitest';
import { cnMainlandCalendar } from '../../domain/business-calendar';
import { STANDARD_60 } from '../../domain/collection-plan';
import { decide, DEBIT_CHECK_INTERVAL_MS, DEBIT_STUCK_AFTER_MS, lapseNoticesOwed, RETURN_WINDOW_DAYS } from '../../domain/cycle-decider';
import { cycleSchedule, debitSchedule } from '../../domain/cycle-schedule';
import {
  accountUpdated,
  customerRefused,
  debitResolved,
  debitStarted,
  debitWithdrawn,
  holdPlaced,
  holdReleased,
  initialCycleState,
  operatorDecided,
  paymentReceived,
  promiseMade,
} from '../../domain/cycle-state';
import type { DebitResult } from '../../domain/cycle-state';
import { actions, samplePolicy, shanghai, simulate } from '../support/cycle-simulation';

const insufficient: DebitResult = { status: 'failed', reason: 'INSUFFICIENT_FUNDS', retryable: true, customerFault: true };
const closed: DebitResult = { status: 'failed', reason: 'ACCOUNT_CLOSED', retryable: false, customerFault: true };
const bankError: DebitResult = { status: 'failed', reason: 'BANK_ERROR', retryable: true, customerFault: false };
const calendar = cnMainlandCalendar();

function withDone(...steps: string[]) {
  const state = initialCycleState();
  state.done.push(...steps);
  return state;
}

describe('standard-60 on a premium due Thursday 2026-12-24', () => {
  it('reminds at D-30, D-15 and D-3, debits on D, and closes when the return window has passed', () => {
    const { log, end, state } = simulate({ policy: samplePolicy(), start: '2026-11-01 08:00' });
    expect(actions(log)).toEqual([
      '2026-11-24 09:00 contact reminder_d-30',
      '2026-12-09 09:00 contact reminder_d-15',
      '2026-12-21 09:00 contact reminder_d-3',
      '2026-12-24 10:00 debit debit_1#1@2026-12-24',
      `2027-02-22 10:00 close`, // 60 days after the debit, no return heard
    ]);
    expect(end).toBe('closed');
    expect(state.paid?.via).toBe('debit');
    expect(RETURN_WINDOW_DAYS).toBe(60);
  });

  it('moves stages PRE_DUE → DEBITING → PAID', () => {
    const { log } = simulate({ policy: samplePolicy(), start: '2026-11-01 08:00' });
    expect(log.find((e) => e.action.type === 'debit')!.stage).toBe('DEBITING');
    expect(log[0]!.stage).toBe('PRE_DUE');
    expect(log[log.length - 1]!.stage).toBe('PAID');
  });

  it('adds the agent call at D-15 for high-value policies (annualised premium ≥ 10,000 yuan or segment A)', () => {
    const byPremium = simulate({ policy: samplePolicy({ premiumFen: 250_000, paymentFrequency: 'quarterly' }), start: '2026-11-01 08:00' });
    expect(actions(byPremium.log)).toContain('2026-12-09 09:00 task call_d-15→agent');
    const bySegment = simulate({ policy: samplePolicy({ segment: 'A' }), start: '2026-11-01 08:00' });
    expect(actions(bySegment.log)).toContain('2026-12-09 09:00 task call_d-15→agent');
    const ordinary = simulate({ policy: samplePolicy({ premiumFen: 999_999 }), start: '2026-11-01 08:00' });
    expect(actions(ordinary.log).some((a) => a.includes('call_d-15'))).toBe(false);
  });

  it('never paid: every planned attempt on a business day, follow-ups, suspension at 00:00 of D+61, lapse notices', () => {
    const { log, end, state } = simulate({ policy: samplePolicy(), start: '2026-11-01 08:00', world: { debit: () => insufficient } });
    expect(actions(log).slice(3)).toEqual([
      '2026-12-24 10:00 debit debit_1#1@2026-12-24',
      '2026-12-25 09:00 contact debit_failed_notice_1',
      '2026-12-28 10:00 debit debit_2#2@2026-12-28', // D+3 is a Sunday
      '2026-12-29 09:00 contact debit_failed_notice_2',
      '2026-12-31 09:00 task call_d+7→agent',
      '2026-12-31 10:00 debit debit_3#3@2026-12-31',
      '2027-01-01 09:00 contact debit_failed_notice_3',
      '2027-01-07 10:00 debit debit_4#4@2027-01-07',
      '2027-01-08 09:00 contact lapse_risk_d+15',
      '2027-01-08 09:00 contact debit_failed_notice_4',
      '2027-01-14 10:00 debit debit_5#5@2027-01-14',
      '2027-01-15 09:00 contact debit_failed_notice_5',
      '2027-01-23 09:00 task call_d+30→agent',
      '2027-01-25 10:00 debit debit_6#6@2027-01-25', // D+30 is a Saturday
      '2027-01-26 09:00 contact debit_failed_notice_6',
      '2027-02-02 10:00 debit debit_7#7@2027-02-02',
      '2027-02-03 09:00 contact debit_failed_notice_7',
      '2027-02-07 09:00 task escalation_d+45→team_lead',
      '2027-02-12 10:00 debit debit_8#8@2027-02-12',
      '2027-02-13 09:00 contact debit_failed_notice_8',
      '2027-02-17 09:00 contact final_notice_d+55',
      '2027-02-22 10:00 debit debit_9#9@2027-02-22', // final sweep on the last grace day
      '2027-02-23 00:00 lapse reason 11',
      '2027-02-23 09:00 contact lapse_sms_d+61',
      '2027-02-23 10:00 contact lapse_letter',
      '2027-02-23 10:00 enter_reinstatement_window',
    ]);
    expect(end).toBe('reinstatement_window');
    expect(state.lapsedAt).toBe(shanghai('2027-02-23 00:00'));
    expect(log.find((e) => e.action.type === 'lapse')!.stage).toBe('IN_GRACE');
    expect(log[log.length - 1]!.stage).toBe('LAPSED');
  });

  it('the late check: after a final sweep short of funds, one more debit at 22:00 of the last grace day collects a later deposit', () => {
    // Money arrived after the final sweep at 10:00: the tenth attempt finds it.
    const { log, state } = simulate({ policy: samplePolicy(), start: '2026-11-01 08:00', lateCheck: true, world: { debit: (attemptNo) => (attemptNo === 10 ? { status: 'succeeded', at: 0 } : insufficient) } });
    const tail = actions(log).slice(actions(log).indexOf('2027-02-22 10:00 debit debit_9#9@2027-02-22'));
    expect(tail.slice(0, 2)).toEqual(['2027-02-22 10:00 debit debit_9#9@2027-02-22', '2027-02-22 22:00 debit debit_late_check#10@2027-02-22']);
    expect(actions(log).some((a) => a.includes('lapse reason'))).toBe(false);
    expect(state.paid).toEqual({ via: 'debit', at: shanghai('2027-02-22 22:00') });
  });

  it('the late check finds nothing: suspension at 00:00 as before, once', () => {
    const { log, state } = simulate({ policy: samplePolicy(), start: '2026-11-01 08:00', lateCheck: true, world: { debit: () => insufficient } });
    expect(actions(log).filter((a) => a.includes('debit_late_check'))).toEqual(['2027-02-22 22:00 debit debit_late_check#10@2027-02-22']);
    expect(actions(log)).toContain('2027-02-23 00:00 lapse reason 11');
    expect(state.lapsedAt).toBe(shanghai('2027-02-23 00:00'));
  });

  it('no late check when the last failure was not for want of money, or the bank answers by files', () => {
    const limit: DebitResult = { status: 'failed', reason: 'LIMIT_EXCEEDED', retryable: true, customerFault: true };
    const { log } = simulate({ policy: samplePolicy(), start: '2026-11-01 08:00', lateCheck: true, world: { debit: () => limit } });
    expect(actions(log).some((a) => a.includes('debit_late_check'))).toBe(false);
    // A file bank: the same state at 22:00 of the last grace day only waits for grace to end.
    const state = withDone(...cycleSchedule(STANDARD_60, samplePolicy(), calendar, initialCycleState()).map((d) => d.step));
    state.debits.push({ attemptNo: 9, step: 'debit_9', collectionDate: '2027-02-22', outcome: 'failed', reason: 'INSUFFICIENT_FUNDS', retryable: true, customerFault: true });
    const at2200 = shanghai('2027-02-22 22:00');
    const input = { plan: STANDARD_60, policy: samplePolicy(), calendar, state, now: at2200, lateCheck: true };
    expect(decide(input).action).toMatchObject({ type: 'debit', step: 'debit_late_check' });
    expect(decide({ ...input, resultFile: { businessDaysAfter: 1, at: '07:00' } }).action).toMatchObject({ type: 'wait' });
    expect(decide({ ...input, lateCheck: false }).action).toMatchObject({ type: 'wait', why: 'grace ends' });
  });

  it('with the window opening at suspension: the window is entered at 00:00 and owes both lapse notices', () => {
    const { log, end, state } = simulate({ policy: samplePolicy(), start: '2026-11-01 08:00', world: { debit: () => insufficient }, windowAtLapse: true });
    expect(end).toBe('reinstatement_window');
    expect(actions(log).slice(-2)).toEqual(['2027-02-23 00:00 lapse reason 11', '2027-02-23 00:00 enter_reinstatement_window']);
    expect(log[log.length - 1]!.stage).toBe('LAPSED');
    expect(lapseNoticesOwed(STANDARD_60, samplePolicy(), calendar, state)).toEqual([
      { step: 'lapse_sms_d+61', at: shanghai('2027-02-23 09:00'), template: 'lapse_notice', channels: ['sms'], allChannels: false },
      { step: 'lapse_letter', at: shanghai('2027-02-23 10:00'), template: 'lapse_letter', channels: ['letter'], allChannels: false },
    ]);
  });

  it('histories from before it (flag off) send the lapse notices first and hand none over', () => {
    const { state } = simulate({ policy: samplePolicy(), start: '2026-11-01 08:00', world: { debit: () => insufficient } });
    expect(lapseNoticesOwed(STANDARD_60, samplePolicy(), calendar, state)).toEqual([]);
  });

  it('records the customer’s refusal reason as the non-payment reason', () => {
    const { state } = simulate({
      policy: samplePolicy(),
      start: '2026-11-01 08:00',
      world: { debit: () => insufficient, events: [{ at: '2027-01-10 15:00', apply: (s) => customerRefused(s, 8) }] },
    });
    expect(state.nonPaymentReason).toBe(8);
  });
});

describe('retries and account problems', () => {
  it('insufficient funds, then paid at the next attempt after a deposit', () => {
    let attempts = 0;
    const { log, state } = simulate({
      policy: samplePolicy(),
      start: '2026-12-20 08:00',
      world: { debit: () => (++attempts === 1 ? insufficient : { status: 'succeeded', at: 0 }) },
      state: withDone('reminder_d-30', 'reminder_d-15'),
    });
    expect(actions(log)).toEqual([
      '2026-12-21 09:00 contact reminder_d-3',
      '2026-12-24 10:00 debit debit_1#1@2026-12-24',
      '2026-12-25 09:00 contact debit_failed_notice_1',
      '2026-12-28 10:00 debit debit_2#2@2026-12-28',
      '2027-02-26 10:00 close',
    ]);
    expect(state.paid).toEqual({ via: 'debit', at: shanghai('2026-12-28 10:00') });
  });

  it('closed account: debits stop, an account-fix task, and the update brings an immediate attempt', () => {
    let attempts = 0;
    const { log, state } = simulate({
      policy: samplePolicy(),
      start: '2026-12-20 08:00',
      world: {
        debit: () => (++attempts === 1 ? closed : { status: 'succeeded', at: 0 }),
        events: [{ at: '2027-01-05 14:30', apply: accountUpdated }],
      },
      state: withDone('reminder_d-30', 'reminder_d-15'),
    });
    expect(actions(log)).toEqual([
      '2026-12-21 09:00 contact reminder_d-3',
      '2026-12-24 10:00 debit debit_1#1@2026-12-24',
      '2026-12-24 10:00 task fix_account_1→agent',
      '2026-12-25 09:00 contact debit_failed_notice_1',
      '2026-12-31 09:00 task call_d+7→agent', // the ladder of contacts goes on; debits do not
      '2027-01-05 14:30 debit debit_extra_1#2@2027-01-05',
      '2027-03-06 14:30 close',
    ]);
    expect(state.debits.map((d) => d.outcome)).toEqual(['failed', 'succeeded']);
  });

  it('bank faults through grace end do not lapse: operations get an escalation and decide', () => {
    const { log, end, state } = simulate({ policy: samplePolicy(), start: '2027-02-20 08:00', world: { debit: () => bankError }, state: (() => {
      const s = initialCycleState();
      s.done.push(...['reminder_d-30', 'reminder_d-15', 'reminder_d-3', 'call_d+7', 'call_d+30', 'escalation_d+45', 'lapse_risk_d+15', 'final_notice_d+55']);
      s.done.push(...['debit_1', 'debit_2', 'debit_3', 'debit_4', 'debit_5', 'debit_6', 'debit_7', 'debit_8']);
      return s;
    })() });
    expect(actions(log)).toEqual([
      '2027-02-22 10:00 debit debit_9#1@2027-02-22',
      '2027-02-23 00:00 task grace_end_escalation→operations',
    ]);
    expect(end).toBe('blocked');
    expect(state.lapsedAt).toBeUndefined();
    expect(log[log.length - 1]!.action).toMatchObject({ type: 'wait', why: expect.stringContaining('operations decide') });

    operatorDecided(state, 'lapse');
    const after = decide({ plan: STANDARD_60, policy: samplePolicy(), calendar, state, now: shanghai('2027-02-24 10:00') });
    expect(after.action).toEqual({ type: 'lapse', nonPaymentReason: 11, at: shanghai('2027-02-23 00:00') });
  });

  it('operations may ask for one more debit after a bank-fault escalation', () => {
    const state = initialCycleState();
    state.done.push('grace_end_escalation');
    state.debits.push({ attemptNo: 1, step: 'debit_9', collectionDate: '2027-02-22', outcome: 'failed', reason: 'BANK_ERROR', retryable: true, customerFault: false });
    operatorDecided(state, 'retry_debit');
    const next = decide({ plan: STANDARD_60, policy: samplePolicy(), calendar, state, now: shanghai('2027-02-27 11:00') }); // a Saturday
    expect(next.action).toEqual({ type: 'debit', step: 'debit_extra_1', attemptNo: 2, collectionDate: '2027-03-01', covers: [] });
  });

  it('automatic premium loan at grace end when elected and the cash value covers the premium', () => {
    const policy = samplePolicy({ aplElected: true, cashValueFen: 800_000 });
    const { log, state } = simulate({ policy, start: '2027-02-21 08:00', world: { debit: () => insufficient, premiumLoanGranted: true } });
    expect(actions(log).slice(-2)).toEqual(['2027-02-23 00:00 premium_loan', '2027-02-23 00:00 close']);
    expect(state.paid).toEqual({ via: 'apl', at: shanghai('2027-02-23 00:00') });
    expect(state.lapsedAt).toBeUndefined();
  });

  it('no premium loan to cover a bank-side failure: operations are escalated to instead', () => {
    const policy = samplePolicy({ aplElected: true, cashValueFen: 800_000 });
    const { log, state } = simulate({ policy, start: '2027-02-21 08:00', world: { debit: () => bankError, premiumLoanGranted: true } });
    expect(actions(log).slice(-1)).toEqual(['2027-02-23 00:00 task grace_end_escalation→operations']);
    expect(state.paid).toBeUndefined();
  });

  it('a promise for the last grace day does not hold back the lapse notices', () => {
    const { log } = simulate({
      policy: samplePolicy(),
      start: '2027-02-21 08:00',
      world: { debit: () => insufficient, events: [{ at: '2027-02-21 09:30', apply: (s) => promiseMade(s, '2027-02-22') }] },
      state: withDone('final_notice_d+55'),
    });
    expect(actions(log).slice(-3)).toEqual(['2027-02-23 09:00 contact lapse_sms_d+61', '2027-02-23 10:00 contact lapse_letter', '2027-02-23 10:00 enter_reinstatement_window']);
  });

  it('offers reduced paid-up in writing at D+50 to a policy with cash value, and to no other', () => {
    const withValue = simulate({ policy: samplePolicy({ cashValueFen: 300_000 }), start: '2027-02-10 08:00', world: { debit: () => insufficient } });
    expect(actions(withValue.log)).toContain('2027-02-12 09:00 contact reduced_paid_up_offer_d+50');
    const without = simulate({ policy: samplePolicy({ cashValueFen: 0 }), start: '2027-02-10 08:00', world: { debit: () => insufficient } });
    expect(actions(without.log).filter((a) => a.includes('reduced_paid_up'))).toEqual([]);
  });

  it('no premium loan when the cash value falls short: suspension', () => {
    const policy = samplePolicy({ aplElected: true, cashValueFen: 499_999 });
    const { state } = simulate({ policy, start: '2027-02-21 08:00', world: { debit: () => insufficient } });
    expect(state.lapsedAt).toBe(shanghai('2027-02-23 00:00'));
  });
});

describe('payments, promises and holds', () => {
  it('a counter payment before the due date cancels later reminders and submits no debit', () => {
    const { log, state } = simulate({
      policy: samplePolicy(),
      start: '2026-11-01 08:00',
      world: { events: [{ at: '2026-12-10 11:00', apply: (s) => paymentReceived(s, 'counter', shanghai('2026-12-10 11:00')) }] },
    });
    expect(actions(log)).toEqual([
      '2026-11-24 09:00 contact reminder_d-30',
      '2026-12-09 09:00 contact reminder_d-15',
      '2026-12-10 11:00 close',
    ]);
    expect(state.debits).toEqual([]);
  });

  it('a payment at 23:59 of the last grace day keeps the policy in force (after the final sweep failed)', () => {
    const { log, state } = simulate({
      policy: samplePolicy(),
      start: '2027-02-22 08:00',
      world: {
        debit: () => insufficient,
        events: [{ at: '2027-02-22 23:59', apply: (s) => paymentReceived(s, 'online', shanghai('2027-02-22 23:59')) }],
      },
      state: withDone('reminder_d-30', 'reminder_d-15', 'reminder_d-3', 'call_d+7', 'call_d+30', 'escalation_d+45', 'lapse_risk_d+15', 'final_notice_d+55', 'debit_1', 'debit_2', 'debit_3', 'debit_4', 'debit_5', 'debit_6', 'debit_7', 'debit_8'),
    });
    expect(actions(log)).toEqual(['2027-02-22 10:00 debit debit_9#1@2027-02-22', '2027-02-22 23:59 close']);
    expect(state.lapsedAt).toBeUndefined();
  });

  it('a promise to pay suppresses contacts through the promised date + 1; broken, the ladder resumes', () => {
    const { log } = simulate({
      policy: samplePolicy(),
      start: '2026-12-24 11:00',
      world: {
        debit: () => insufficient,
        events: [{ at: '2026-12-24 15:00', apply: (s) => promiseMade(s, '2027-01-06') }],
      },
      state: (() => {
        const s = initialCycleState();
        s.done.push('reminder_d-30', 'reminder_d-15', 'reminder_d-3', 'debit_1');
        s.debits.push({ attemptNo: 1, step: 'debit_1', collectionDate: '2026-12-24', outcome: 'failed', reason: 'INSUFFICIENT_FUNDS', retryable: true, customerFault: true });
        return s;
      })(),
    });
    const lines = actions(log);
    expect(lines.slice(0, 9)).toEqual([
      '2026-12-25 09:00 contact debit_failed_notice_1 [promise_to_pay]',
      '2026-12-28 10:00 debit debit_2#2@2026-12-28', // debits go on: they are how the promise is kept
      '2026-12-29 09:00 contact debit_failed_notice_2 [promise_to_pay]',
      '2026-12-31 09:00 task call_d+7→agent [promise_to_pay]',
      '2026-12-31 10:00 debit debit_3#3@2026-12-31',
      '2027-01-01 09:00 contact debit_failed_notice_3 [promise_to_pay]',
      '2027-01-07 10:00 debit debit_4#4@2027-01-07', // 1-07 is the promised date + 1: still quiet
      '2027-01-08 00:00 promise_broken',
      '2027-01-08 09:00 contact lapse_risk_d+15',
    ]);
  });

  const heldFromFebruary = (debit: () => DebitResult) =>
    simulate({
      policy: samplePolicy(),
      start: '2027-02-01 08:00',
      world: {
        debit,
        events: [
          { at: '2027-02-01 12:00', apply: (s) => holdPlaced(s, 'claim') },
          { at: '2027-03-10 16:00', apply: (s) => holdReleased(s, 'claim', shanghai('2027-03-10 16:00')) },
        ],
      },
      state: withDone('reminder_d-30', 'reminder_d-15', 'reminder_d-3', 'call_d+7', 'call_d+30', 'lapse_risk_d+15', 'debit_1', 'debit_2', 'debit_3', 'debit_4', 'debit_5', 'debit_6'),
    });

  it('a claim hold pauses debits and contacts, blocks lapse, and on release makes one catch-up attempt', () => {
    const { log, state } = heldFromFebruary(() => ({ status: 'succeeded', at: 0 }));
    expect(actions(log)).toEqual([
      '2027-02-07 09:00 task escalation_d+45→team_lead', // internal: not held
      '2027-02-17 09:00 contact final_notice_d+55 [hold]',
      '2027-03-10 16:00 debit debit_9#1@2027-03-10 covers debit_7,debit_8',
      '2027-05-09 16:00 close',
    ]);
    // Held past grace end, the cycle waited for the release, not for a time.
    expect(log.find((e) => e.action.type === 'wait' && e.action.why.includes('lapse blocked by hold'))).toBeDefined();
    expect(state.lapsedAt).toBeUndefined();
  });

  it('released after grace end and still unpaid, the policy lapses at the end of the release day', () => {
    const { log, state } = heldFromFebruary(() => insufficient);
    expect(actions(log).slice(2, 4)).toEqual(['2027-03-10 16:00 debit debit_9#1@2027-03-10 covers debit_7,debit_8', '2027-03-11 00:00 lapse reason 11']);
    expect(state.lapsedAt).toBe(shanghai('2027-03-11 00:00'));
  });
});

describe('a hold while a debit waits for the bank file', () => {
  // A file bank answers nothing until its report: attempt 1 waits in the day's batch.
  const heldWhileQueued = (options: { withdrawHeldDebits?: boolean; withdraw?: () => boolean } = {}) =>
    simulate({
      policy: samplePolicy(),
      start: '2026-12-23 08:00',
      withdrawHeldDebits: options.withdrawHeldDebits ?? true,
      world: {
        debit: (n) => (n === 1 ? { status: 'pending' } : { status: 'succeeded', at: 0 }),
        // The bank's report (for an attempt it has) settles it on the 28th.
        check: (_n, now) => (now >= shanghai('2026-12-28 10:00') ? { status: 'succeeded', at: now } : { status: 'pending' }),
        withdraw: options.withdraw,
        events: [
          { at: '2026-12-24 12:30', apply: (s) => holdPlaced(s, 'claim') },
          { at: '2026-12-30 16:00', apply: (s, now) => holdReleased(s, 'claim', now) },
        ],
      },
    });

  it('takes the attempt back at once, and on release makes one attempt for it and the plan steps that passed', () => {
    const { log, state } = heldWhileQueued();
    expect(actions(log).filter((a) => a.includes('debit')).slice(0, 5)).toEqual([
      '2026-12-24 10:00 debit debit_1#1@2026-12-24',
      '2026-12-24 11:00 check_debit #1',
      '2026-12-24 12:00 check_debit #1',
      '2026-12-24 12:30 withdraw_debit #1',
      '2026-12-30 16:00 debit debit_2#2@2026-12-30 covers debit_1',
    ]);
    expect(state.debits.map((d) => `${d.attemptNo}:${d.step}:${d.outcome}`)).toEqual(['1:debit_1:withdrawn', '2:debit_2:succeeded']);
    // Withdrawn is not a failure: no failed-debit notice was owed for it.
    expect(actions(log).some((a) => a.includes('debit_failed_notice_1'))).toBe(false);
    expect(state.paid?.via).toBe('debit');
  });

  it('a file already sent keeps the attempt: asked once, then checked as before', () => {
    const { log, state } = heldWhileQueued({ withdraw: () => false });
    const lines = actions(log).filter((a) => a.startsWith('2026-12-24') && a.includes('debit'));
    expect(lines.slice(3, 6)).toEqual(['2026-12-24 12:30 withdraw_debit #1', '2026-12-24 13:00 check_debit #1', '2026-12-24 14:00 check_debit #1']);
    expect(actions(log).filter((a) => a.includes('withdraw_debit'))).toHaveLength(1);
    expect(state.debits.map((d) => `${d.attemptNo}:${d.outcome}`)).toEqual(['1:succeeded']);
  });

  it('a history recorded before the change (flag off) never asks', () => {
    const { log } = heldWhileQueued({ withdrawHeldDebits: false, withdraw: () => { throw new Error('asked'); } });
    expect(actions(log).some((a) => a.includes('withdraw_debit'))).toBe(false);
  });

  it('an extra attempt taken back is requested again; a settled one is left as it is', () => {
    const state = initialCycleState();
    state.extraDebitsRequested = 1;
    debitStarted(state, { attemptNo: 3, step: 'debit_extra_1', collectionDate: '2027-01-05' }, [], shanghai('2027-01-05 10:00'));
    expect(state.extraDebitsRequested).toBe(0);
    debitWithdrawn(state, 3);
    expect(state.extraDebitsRequested).toBe(1);
    expect(state.debits[0]!.outcome).toBe('withdrawn');
    debitWithdrawn(state, 3); // asked twice: nothing more
    expect(state.extraDebitsRequested).toBe(1);
    expect(() => debitWithdrawn(state, 9)).toThrow(/no debit attempt 9/);
  });
});

describe('time rules', () => {
  it('a reminder that falls due at 22:00 goes out at 09:00 the next day', () => {
    const { log } = simulate({ policy: samplePolicy(), start: '2026-12-21 22:00', state: (() => {
      const s = initialCycleState();
      s.done.push('reminder_d-30', 'reminder_d-15');
      return s;
    })() });
    expect(actions(log)[0]).toBe('2026-12-22 09:00 contact reminder_d-3');
  });

  it('a cycle started late records the missed reminders as stale and makes one debit for the missed attempts', () => {
    const { log } = simulate({ policy: samplePolicy(), start: '2027-01-04 11:00', world: { debit: () => ({ status: 'succeeded', at: 0 }) } });
    expect(actions(log)).toEqual([
      '2027-01-04 11:00 contact reminder_d-30 [stale]',
      '2027-01-04 11:00 contact reminder_d-15 [stale]',
      '2027-01-04 11:00 contact reminder_d-3 [stale]', // 'debit tomorrow' makes no sense after the due date
      '2027-01-04 11:00 debit debit_3#1@2027-01-04 covers debit_1,debit_2',
      '2027-03-05 11:00 close',
    ]);
  });

  it('moves debits off the National Day holiday and drops attempts that land on a date already used', () => {
    const steps = debitSchedule(STANDARD_60, samplePolicy({ dueDate: '2026-10-01' }), calendar);
    expect(steps.map((s) => `${s.step}@${s.collectionDate}`)).toEqual([
      'debit_1@2026-10-08', // 1–7 October are holidays
      // D+3 (10-04) and D+7 (10-08) also land on 10-08: dropped
      'debit_4@2026-10-15',
      'debit_5@2026-10-22',
      'debit_6@2026-11-02', // D+30 (10-31) is a Saturday
      'debit_7@2026-11-10',
      'debit_8@2026-11-20',
      'debit_9@2026-11-30',
    ]);
  });

  it('keeps the final sweep inside grace when the last grace day is a weekend', () => {
    const mondayEnd = debitSchedule(STANDARD_60, samplePolicy({ dueDate: '2026-12-03' }), calendar); // D+60 = 2027-02-01, a Monday
    expect(mondayEnd[mondayEnd.length - 1]).toMatchObject({ step: 'debit_9', collectionDate: '2027-02-01' });
    const saturdayEnd = debitSchedule(STANDARD_60, samplePolicy({ dueDate: '2026-12-01' }), calendar); // D+60 = 2027-01-30, a Saturday
    expect(saturdayEnd[saturdayEnd.length - 1]).toMatchObject({ step: 'debit_9', collectionDate: '2027-01-29' });
  });

  it('a due date on a Saturday debits on Monday', () => {
    const steps = debitSchedule(STANDARD_60, samplePolicy({ dueDate: '2026-11-28' }), calendar);
    expect(steps[0]).toMatchObject({ step: 'debit_1', collectionDate: '2026-11-30' });
  });

  it('29 February: due 2028-02-29, the first debit that day (a Tuesday) and grace to 2028-04-29', () => {
    const steps = debitSchedule(STANDARD_60, samplePolicy({ dueDate: '2028-02-29' }), calendar);
    expect(steps[0]!.collectionDate).toBe('2028-02-29');
    expect(steps[steps.length - 1]!.collectionDate).toBe('2028-04-28'); // D+60 = 04-29, a Saturday
  });
});

describe('debits answered later, and returns after a success', () => {
  const returned = (state: Parameters<typeof debitResolved>[0], at: number) =>
    debitResolved(state, 1, { status: 'returned', reason: 'INSUFFICIENT_FUNDS', customerFault: true }, at);

  it('checks an attempt in flight every hour until the bank answers, and lapse waits for it', () => {
    let checks = 0;
    const { log, state } = simulate({
      policy: samplePolicy(),
      start: '2026-12-23 08:00',
      world: {
        debit: () => ({ status: 'pending' }),
        check: (_n, now) => (++checks < 3 ? { status: 'pending' } : { status: 'succeeded', at: now }),
      },
    });
    expect(actions(log).filter((a) => a.includes('debit')).slice(0, 4)).toEqual([
      '2026-12-24 10:00 debit debit_1#1@2026-12-24',
      '2026-12-24 11:00 check_debit #1',
      '2026-12-24 12:00 check_debit #1',
      '2026-12-24 13:00 check_debit #1',
    ]);
    expect(state.paid?.via).toBe('debit');
    expect(DEBIT_CHECK_INTERVAL_MS).toBe(3_600_000);
  });

  it('an attempt in flight for a day without an answer goes to operations once; checks go on', () => {
    const state = initialCycleState();
    state.done.push(...STANDARD_60.reminders.map((r) => r.step));
    debitStarted(state, { attemptNo: 1, step: 'debit_1', collectionDate: '2026-12-24' }, [], shanghai('2026-12-24 10:00'));
    const input = { plan: STANDARD_60, policy: samplePolicy(), calendar, state };
    expect(decide({ ...input, now: shanghai('2026-12-25 09:59') }).action).toEqual({ type: 'check_debit', attemptNo: 1 });
    expect(decide({ ...input, now: shanghai('2026-12-25 10:00') }).action).toEqual({ type: 'task', step: 'debit_in_flight_1', task: 'escalation', assignee: 'operations' });
    state.done.push('debit_in_flight_1');
    expect(decide({ ...input, now: shanghai('2026-12-25 10:00') }).action).toEqual({ type: 'check_debit', attemptNo: 1 });
    expect(DEBIT_STUCK_AFTER_MS).toBe(86_400_000);
  });

  it('a debit still in flight at grace end is checked, not lapsed', () => {
    const state = initialCycleState();
    state.done.push(...STANDARD_60.reminders.map((r) => r.step));
    debitStarted(state, { attemptNo: 1, step: 'debit_9', collectionDate: '2027-02-22' }, [], shanghai('2027-02-22 10:00'));
    const at = shanghai('2027-02-23 00:30');
    const decision = decide({ plan: STANDARD_60, policy: samplePolicy(), calendar, state, now: at });
    expect(decision.action).toEqual({ type: 'check_debit', attemptNo: 1 });
  });

  it('a return within grace reopens the premium: notice next morning, the ladder goes on', () => {
    const { log, state } = simulate({
      policy: samplePolicy(),
      start: '2026-12-23 08:00',
      world: {
        debit: (n) => (n === 1 ? { status: 'succeeded', at: 0 } : insufficient),
        events: [{ at: '2026-12-29 16:00', apply: returned }],
      },
    });
    const lines = actions(log);
    expect(lines).toContain('2026-12-30 09:00 contact debit_returned_notice_1');
    expect(lines).toContain('2026-12-31 10:00 debit debit_3#2@2026-12-31'); // D+7
    expect(state.debits[0]).toMatchObject({ outcome: 'returned', returnedAt: shanghai('2026-12-29 16:00') });
    expect(lines.find((a) => a.includes(' lapse '))).toMatch(/^2027-02-23 00:00 lapse/); // remedy days ran out before grace did
  });

  it('a return late in grace gives the remedy days before lapse instead of lapsing at grace end', () => {
    const { log, state } = simulate({
      policy: samplePolicy(),
      start: '2026-12-23 08:00',
      world: { debit: () => ({ status: 'succeeded', at: 0 }), events: [{ at: '2027-02-20 15:00', apply: returned }] },
    });
    const lines = actions(log);
    expect(lines).toContain('2027-02-21 09:00 contact debit_returned_notice_1');
    // The final sweep on D+60 still runs, and this time the money stays.
    expect(lines).toContain('2027-02-22 10:00 debit debit_9#2@2027-02-22');
    expect(state.paid?.via).toBe('debit');
  });

  it('a return after grace (of a late success) lapses only after the remedy days, not at once', () => {
    const { log, state } = simulate({
      policy: samplePolicy(),
      start: '2026-12-23 08:00',
      world: {
        debit: (n) => (n < 6 ? insufficient : { status: 'succeeded', at: 0 }), // paid by debit_6 on D+30
        events: [{ at: '2027-02-25 15:00', apply: (s, at) => debitResolved(s, 6, { status: 'returned', reason: 'INSUFFICIENT_FUNDS', customerFault: true }, at) }],
      },
    });
    const lines = actions(log);
    expect(lines).toContain('2027-02-26 09:00 contact debit_returned_notice_6');
    const lapse = log.find((e) => e.action.type === 'lapse')!;
    expect(lapse.at).toBe('2027-03-13 00:00'); // 15 remedy days from 02-25, suspended at 00:00 after the last
    expect(lapse.action).toMatchObject({ at: shanghai('2027-03-13 00:00') });
    expect(state.lapsedAt).toBe(shanghai('2027-03-13 00:00'));
  });

  it('a counter payment in the remedy days keeps the policy in force', () => {
    const { end, state } = simulate({
      policy: samplePolicy(),
      start: '2026-12-23 08:00',
      world: {
        debit: (n) => (n < 6 ? insufficient : { status: 'succeeded', at: 0 }),
        events: [
          { at: '2027-02-25 15:00', apply: (s, at) => debitResolved(s, 6, { status: 'returned', reason: 'INSUFFICIENT_FUNDS', customerFault: true }, at) },
          { at: '2027-03-10 11:00', apply: (s, now) => paymentReceived(s, 'counter', now) },
        ],
      },
    });
    expect(end).toBe('closed');
    expect(state.paid?.via).toBe('counter');
  });
});
