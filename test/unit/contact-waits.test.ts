import { describe, expect, it } from 'vitest';
import { CONTACT_RETRY_DELAYS_MS, contactRetryDelay, nextTry } from '../../domain/contact-waits';
import { contactWaiting, initialCycleState, paymentReceived, retryWaitingContactsNow, waitingContact } from '../../domain/cycle-state';
import { actions, samplePolicy, shanghai, simulate } from '../support/cycle-simulation';

const SMS_DOWN = 'alibaba-sms:isv.AMOUNT_NOT_ENOUGH';

describe('a contact that waits for its provider never holds up the cycle', () => {
  it('the D-3 reminder waits, the debit still goes on the due date, and the reminder expires at D unsent', () => {
    const { log, state, end } = simulate({
      policy: samplePolicy(),
      start: '2026-11-01 08:00',
      world: { contactWaits: (step) => (step === 'reminder_d-3' ? SMS_DOWN : undefined) },
    });
    const lines = actions(log);
    const expired = lines.findIndex((l) => l.includes('expire_contact reminder_d-3 [expired]'));
    const debit = lines.indexOf('2026-12-24 10:00 debit debit_1#1@2026-12-24');
    expect(debit).toBeGreaterThan(-1);
    expect(expired).toBeGreaterThan(-1);
    expect(expired).toBeLessThan(debit);
    expect(lines[expired]!.startsWith('2026-12-24')).toBe(true); // its moment was the due date
    // Tried again on the schedule, never in quiet hours.
    const tries = lines.filter((l) => l.endsWith('contact reminder_d-3'));
    expect(tries.slice(0, 5)).toEqual([
      '2026-12-21 09:00 contact reminder_d-3',
      '2026-12-21 09:15 contact reminder_d-3',
      '2026-12-21 09:45 contact reminder_d-3',
      '2026-12-21 10:45 contact reminder_d-3',
      '2026-12-21 12:45 contact reminder_d-3',
    ]);
    for (const line of tries) expect(Number(line.slice(11, 13))).toBeGreaterThanOrEqual(9);
    expect(end).toBe('closed');
    expect(state.contactsWaiting).toEqual([]);
    expect(state.paid?.via).toBe('debit');
  });

  it('the provider back: the waiting reminder goes at its next try', () => {
    const back = shanghai('2026-12-21 12:00');
    const { log, state } = simulate({
      policy: samplePolicy(),
      start: '2026-12-20 08:00',
      world: { contactWaits: (step, now) => (step === 'reminder_d-3' && now < back ? SMS_DOWN : undefined) },
    });
    expect(actions(log).filter((l) => l.endsWith('contact reminder_d-3'))).toEqual([
      '2026-12-21 09:00 contact reminder_d-3',
      '2026-12-21 09:15 contact reminder_d-3',
      '2026-12-21 09:45 contact reminder_d-3',
      '2026-12-21 10:45 contact reminder_d-3',
      '2026-12-21 12:45 contact reminder_d-3',
    ]);
    expect(state.done).toContain('reminder_d-3');
    expect(actions(log)).toContain('2026-12-24 10:00 debit debit_1#1@2026-12-24');
  });

  it('a later contact due supersedes the one still waiting: only the later one is worth sending', () => {
    const { log } = simulate({
      policy: samplePolicy(),
      start: '2026-12-01 08:00',
      world: { contactWaits: (step) => (step === 'reminder_d-15' ? SMS_DOWN : undefined) },
    });
    const lines = actions(log);
    expect(lines).toContain('2026-12-21 09:00 expire_contact reminder_d-15 [superseded]');
    expect(lines.indexOf('2026-12-21 09:00 expire_contact reminder_d-15 [superseded]')).toBeLessThan(lines.indexOf('2026-12-21 09:00 contact reminder_d-3'));
  });

  it('paid while a notice waits: it is recorded expired (paid), not sent', () => {
    const { log } = simulate({
      policy: samplePolicy({ hasMandate: false }),
      start: '2026-12-20 08:00',
      world: {
        contactWaits: (step) => (step === 'reminder_d-3' ? SMS_DOWN : undefined),
        events: [{ at: '2026-12-22 15:00', apply: (state, now) => paymentReceived(state, 'counter', now) }],
      },
    });
    expect(actions(log)).toContain('2026-12-22 15:00 expire_contact reminder_d-3 [paid]');
    expect(actions(log).at(-1)).toBe('2026-12-22 15:00 close');
  });

  it('grace over while the final notice waits: recorded expired (grace ended), and the policy lapses on time', () => {
    const { log, end } = simulate({
      policy: samplePolicy({ hasMandate: false }),
      start: '2027-02-10 08:00',
      world: { contactWaits: (step) => (step === 'final_notice_d+55' ? SMS_DOWN : undefined) },
      windowAtLapse: true,
    });
    const lines = actions(log);
    const expired = lines.findIndex((l) => l.includes('expire_contact final_notice_d+55 [grace_ended]'));
    expect(lines[expired]!.startsWith('2027-02-23 00:00')).toBe(true);
    expect(lines[expired + 1]).toMatch(/^2027-02-23 00:00 lapse reason \d+$/);
    expect(end).toBe('reinstatement_window');
  });
});

describe('the retry schedule of a waiting contact', () => {
  it('backs off 15 min, 30 min, 1 h, 2 h, then every 4 h', () => {
    expect([1, 2, 3, 4, 5, 6, 9].map(contactRetryDelay)).toEqual([...CONTACT_RETRY_DELAYS_MS, 4 * 3_600_000, 4 * 3_600_000]);
  });

  it('is never tried before the provider says its next probe is due', () => {
    const now = shanghai('2026-12-21 09:00');
    expect(nextTry(1, now, [{ until: now + 3_600_000 }])).toBe(now + 3_600_000);
    expect(nextTry(1, now, [])).toBe(now + 15 * 60_000);
  });

  it('counts tries, keeps the first instant it waited, and a contactUpdated signal brings the next try forward', () => {
    const state = initialCycleState();
    const at = shanghai('2026-12-21 09:00');
    contactWaiting(state, 'reminder_d-3', at, SMS_DOWN);
    contactWaiting(state, 'reminder_d-3', at + 15 * 60_000, SMS_DOWN);
    expect(waitingContact(state, 'reminder_d-3')).toEqual({ step: 'reminder_d-3', since: at, tries: 2, retryAt: at + 45 * 60_000, reason: SMS_DOWN });
    retryWaitingContactsNow(state, at + 20 * 60_000);
    expect(waitingContact(state, 'reminder_d-3')?.retryAt).toBe(at + 20 * 60_000);
  });
});
