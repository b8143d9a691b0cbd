import { describe, expect, it } from 'vitest';
import { cnMainlandCalendar } from '../../domain/business-calendar';
import { STANDARD_60 } from '../../domain/collection-plan';
import { decide } from '../../domain/cycle-decider';
import { contactWaiting, initialCycleState, paymentReceived } from '../../domain/cycle-state';
import { PAYMENT_RECEIVED_EXPIRES_MS, PAYMENT_RECEIVED_STEP } from '../../domain/payment-received-notice';
import { actions, samplePolicy, shanghai, simulate } from '../support/cycle-simulation';

/** The payment-received message (domain/payment-received-notice.ts) as the decider schedules it. */
const calendar = cnMainlandCalendar();
const counterAt = (at: string) => ({ events: [{ at, apply: (s: Parameters<typeof paymentReceived>[0]) => paymentReceived(s, 'counter', shanghai(at)) }] });

describe('the payment-received notice', () => {
  it('goes on the customer’s channel once a counter payment settles the premium, then the cycle closes', () => {
    const { log } = simulate({ policy: samplePolicy(), start: '2026-11-01 08:00', world: counterAt('2026-12-10 11:00'), tellPaymentReceived: true });
    expect(actions(log)).toEqual([
      '2026-11-24 09:00 contact reminder_d-30',
      '2026-12-09 09:00 contact reminder_d-15',
      '2026-12-10 11:00 contact payment_received',
      '2026-12-10 11:00 close',
    ]);
    const notice = log.find((e) => e.action.type === 'contact' && e.action.step === PAYMENT_RECEIVED_STEP)!;
    expect(notice.stage).toBe('PAID');
    expect(notice.action).toEqual({
      type: 'contact',
      step: PAYMENT_RECEIVED_STEP,
      template: 'payment_received',
      channels: ['sms'],
      allChannels: false,
      fields: { paidOn: '2026-12-10' },
    });
  });

  it('is sent on WeChat or email when the customer chose it', () => {
    for (const preferredChannel of ['wechat', 'email'] as const) {
      const { log } = simulate({ policy: samplePolicy({ preferredChannel }), start: '2026-12-10 08:00', world: counterAt('2026-12-10 11:00'), tellPaymentReceived: true });
      const notice = log.find((e) => e.action.type === 'contact' && e.action.step === PAYMENT_RECEIVED_STEP)!;
      expect(notice.action).toMatchObject({ channels: [preferredChannel] });
    }
  });

  it('waits for the contact window when the payment comes at night (SMS), and goes at once by email', () => {
    const night = simulate({ policy: samplePolicy(), start: '2026-12-10 08:00', world: counterAt('2026-12-10 22:30'), tellPaymentReceived: true });
    expect(actions(night.log).slice(-2)).toEqual(['2026-12-11 09:00 contact payment_received', '2026-12-11 09:00 close']);
    expect(night.log.find((e) => e.at === '2026-12-10 22:30')!.action).toMatchObject({ type: 'wait', why: "quiet hours: payment_received at the window's opening" });
    const email = simulate({ policy: samplePolicy({ preferredChannel: 'email' }), start: '2026-12-10 08:00', world: counterAt('2026-12-10 22:30'), tellPaymentReceived: true });
    expect(actions(email.log).slice(-2)).toEqual(['2026-12-10 22:30 contact payment_received', '2026-12-10 22:30 close']);
  });

  it('follows a debit too, before the return window is waited out', () => {
    const { log } = simulate({ policy: samplePolicy(), start: '2026-11-01 08:00', tellPaymentReceived: true });
    expect(actions(log).slice(-3)).toEqual(['2026-12-24 10:00 debit debit_1#1@2026-12-24', '2026-12-24 10:00 contact payment_received', '2027-02-22 10:00 close']);
  });

  it('is not scheduled for a history recorded before it (the workflow passes the patch’s answer)', () => {
    const { log } = simulate({ policy: samplePolicy(), start: '2026-11-01 08:00', world: counterAt('2026-12-10 11:00') });
    expect(actions(log).slice(-1)).toEqual(['2026-12-10 11:00 close']);
    expect(log.some((e) => e.action.type === 'contact' && e.action.step === PAYMENT_RECEIVED_STEP)).toBe(false);
  });

  it('expires a reminder that waited for its provider as paid, but not the notice, which is tried again', () => {
    const state = initialCycleState();
    state.done.push('reminder_d-30');
    contactWaiting(state, 'reminder_d-15', shanghai('2026-12-09 09:00'), 'alibaba-sms:isv.AMOUNT_NOT_ENOUGH');
    paymentReceived(state, 'counter', shanghai('2026-12-10 11:00'));
    const policy = samplePolicy();
    const input = { plan: STANDARD_60, policy, calendar, state, tellPaymentReceived: true };
    expect(decide({ ...input, now: shanghai('2026-12-10 11:00') }).action).toMatchObject({ type: 'expire_contact', step: 'reminder_d-15', reason: 'paid' });
    state.contactsWaiting = [];
    state.done.push('reminder_d-15');

    contactWaiting(state, PAYMENT_RECEIVED_STEP, shanghai('2026-12-10 11:00'), 'alibaba-sms:isv.BUSINESS_LIMIT_CONTROL');
    const retryAt = state.contactsWaiting[0]!.retryAt;
    expect(retryAt).toBeGreaterThan(shanghai('2026-12-10 11:00'));
    expect(decide({ ...input, now: shanghai('2026-12-10 11:00') }).action).toEqual({ type: 'wait', until: retryAt, why: 'next try: payment_received' });
    expect(decide({ ...input, now: retryAt }).action).toMatchObject({ type: 'contact', step: PAYMENT_RECEIVED_STEP, channels: ['sms'] });
  });

  it('gives up on a notice still waiting three days after the payment: recorded expired, the cycle closes', () => {
    const state = initialCycleState();
    const paidAt = shanghai('2026-12-10 11:00');
    paymentReceived(state, 'counter', paidAt);
    contactWaiting(state, PAYMENT_RECEIVED_STEP, paidAt + PAYMENT_RECEIVED_EXPIRES_MS - 60_000, 'send_failed');
    const input = { plan: STANDARD_60, policy: samplePolicy(), calendar, state, tellPaymentReceived: true };
    expect(decide({ ...input, now: paidAt + PAYMENT_RECEIVED_EXPIRES_MS - 60_000 }).action).toMatchObject({ type: 'wait', until: paidAt + PAYMENT_RECEIVED_EXPIRES_MS });
    expect(decide({ ...input, now: paidAt + PAYMENT_RECEIVED_EXPIRES_MS }).action).toEqual({
      type: 'expire_contact',
      step: PAYMENT_RECEIVED_STEP,
      reason: 'expired',
      waitedFor: 'send_failed',
    });
    state.contactsWaiting = [];
    state.done.push(PAYMENT_RECEIVED_STEP);
    expect(decide({ ...input, now: paidAt + PAYMENT_RECEIVED_EXPIRES_MS }).action).toEqual({ type: 'close', stage: 'PAID' });
  });
});
