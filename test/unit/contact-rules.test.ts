import { describe, expect, it } from 'vitest';
import type { ContactChannel } from '../../domain/channels';
import type { HoldKind } from '../../domain/holds';
import { shanghaiInstant } from '../../domain/civil-date';
import {
  CAPPED_CHANNELS,
  checkContact,
  contactWindowOpening,
  DEFAULT_CONTACT_LIMITS,
  QUIET_HOURS_CHANNELS,
  routeCallTask,
  SHARED_CONTACT_THRESHOLD,
  type ContactCheck,
  type ContactLimits,
  type SentContact,
} from '../../domain/contact-rules';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** An instant in Shanghai, optionally nudged by ms (e.g. -1 for 08:59:59.999). */
const sh = (date: string, time: string, nudgeMs = 0): number => shanghaiInstant(date, time) + nudgeMs;

const TODAY = '2026-12-24';
const NOON = sh(TODAY, '12:00');
const valid = { status: 'valid', flags: {} } as const;

function check(overrides: Partial<ContactCheck> = {}) {
  return checkContact({
    channel: 'sms',
    now: NOON,
    contactPoint: valid,
    recentContacts: [],
    holds: [],
    serviceNotice: true,
    limits: DEFAULT_CONTACT_LIMITS,
    ...overrides,
  });
}

const sent = (channel: ContactChannel, at: number): SentContact => ({ channel, at });

describe('contact limits and channel sets', () => {
  it('defaults to 09:00–21:00, 1 per channel per day, 3 per rolling 7 days', () => {
    expect(DEFAULT_CONTACT_LIMITS).toEqual({ windowStart: '09:00', windowEnd: '21:00', maxPerChannelPerDay: 1, maxPerRolling7Days: 3 });
  });

  it('restricts the hours of channels that reach a person at once, and caps only automated messages', () => {
    expect([...QUIET_HOURS_CHANNELS].sort()).toEqual(['phone', 'sms', 'wechat']);
    expect([...CAPPED_CHANNELS].sort()).toEqual(['email', 'sms', 'wechat']);
    expect(SHARED_CONTACT_THRESHOLD).toBe(2);
  });
});

describe('contactWindowOpening', () => {
  const limits = DEFAULT_CONTACT_LIMITS;

  describe.each(['sms', 'wechat', 'phone'] as const)('%s (quiet hours apply)', (channel) => {
    it.each([
      ['midnight', sh(TODAY, '00:00'), sh(TODAY, '09:00')],
      ['06:00', sh(TODAY, '06:00'), sh(TODAY, '09:00')],
      ['08:59:59.999', sh(TODAY, '09:00', -1), sh(TODAY, '09:00')],
      ['09:00', sh(TODAY, '09:00'), sh(TODAY, '09:00')],
      ['12:00', NOON, NOON],
      ['20:59', sh(TODAY, '20:59'), sh(TODAY, '20:59')],
      ['20:59:59.999', sh(TODAY, '21:00', -1), sh(TODAY, '21:00', -1)],
      ['21:00', sh(TODAY, '21:00'), sh('2026-12-25', '09:00')],
      ['22:00', sh(TODAY, '22:00'), sh('2026-12-25', '09:00')],
      ['23:59:59.999', sh('2026-12-25', '00:00', -1), sh('2026-12-25', '09:00')],
    ])('due at %s', (_label, due, expected) => {
      expect(contactWindowOpening(due, limits, channel)).toBe(expected);
    });
  });

  it('moves a night-time contact across month and year ends', () => {
    expect(contactWindowOpening(sh('2026-12-31', '22:00'), limits, 'sms')).toBe(sh('2027-01-01', '09:00'));
    expect(contactWindowOpening(sh('2028-02-28', '21:30'), limits, 'sms')).toBe(sh('2028-02-29', '09:00'));
  });

  it.each(['email', 'letter'] as const)('sends %s at any hour', (channel) => {
    for (const due of [sh(TODAY, '23:00'), sh(TODAY, '03:00'), sh(TODAY, '21:00'), NOON]) {
      expect(contactWindowOpening(due, limits, channel)).toBe(due);
    }
  });

  it('honours a configured window', () => {
    const custom: ContactLimits = { ...limits, windowStart: '08:30', windowEnd: '20:00' };
    expect(contactWindowOpening(sh(TODAY, '08:29'), custom, 'sms')).toBe(sh(TODAY, '08:30'));
    expect(contactWindowOpening(sh(TODAY, '08:30'), custom, 'sms')).toBe(sh(TODAY, '08:30'));
    expect(contactWindowOpening(sh(TODAY, '20:00'), custom, 'sms')).toBe(sh('2026-12-25', '08:30'));
  });

  it('rejects malformed limits, whatever the channel', () => {
    expect(() => contactWindowOpening(NOON, { ...limits, windowStart: '21:00', windowEnd: '09:00' }, 'sms')).toThrow('must open before it closes');
    expect(() => contactWindowOpening(NOON, { ...limits, windowEnd: '09:00' }, 'email')).toThrow('must open before it closes');
    expect(() => contactWindowOpening(NOON, { ...limits, windowStart: '9:00' }, 'sms')).toThrow('not a time');
    expect(() => contactWindowOpening(NOON, { ...limits, windowEnd: '24:00' }, 'sms')).toThrow('no such time');
    expect(() => contactWindowOpening(NOON, { ...limits, maxPerChannelPerDay: 0 }, 'sms')).toThrow('maxPerChannelPerDay');
    expect(() => contactWindowOpening(NOON, { ...limits, maxPerRolling7Days: 2.5 }, 'sms')).toThrow('maxPerRolling7Days');
  });
});

describe('checkContact: each rule alone', () => {
  it('allows a service notice to a valid, unflagged contact point inside the window with no history', () => {
    expect(check()).toEqual({ allowed: true });
  });

  describe('hold', () => {
    it.each(['claim', 'servicing', 'dispute', 'moratorium', 'payment_review'] as const)('a %s hold suppresses contacts, with no retry time', (kind) => {
      expect(check({ holds: [kind] })).toEqual({ allowed: false, rule: 'hold' });
    });

    it('applies to every channel and to service notices', () => {
      for (const channel of ['sms', 'wechat', 'email', 'phone', 'letter'] as const) {
        expect(check({ channel, holds: ['claim'], serviceNotice: true })).toEqual({ allowed: false, rule: 'hold' });
      }
      expect(check({ holds: ['servicing', 'dispute'] satisfies HoldKind[] })).toEqual({ allowed: false, rule: 'hold' });
    });
  });

  describe('promise to pay', () => {
    const promised = '2026-12-24';
    const resumes = sh('2026-12-26', '00:00');

    it.each([
      ['the day before the promised date', sh('2026-12-23', '12:00')],
      ['the promised date', sh(promised, '12:00')],
      ['the promised date + 1, morning', sh('2026-12-25', '09:00')],
      ['the last moment of the promised date + 1', sh('2026-12-26', '00:00', -1)],
    ])('suppresses on %s, until 00:00 of the promised date + 2', (_label, now) => {
      expect(check({ promiseUntil: promised, now })).toEqual({ allowed: false, rule: 'promise_to_pay', retryAt: resumes });
    });

    it('lets contacts resume on the promised date + 2 and after', () => {
      expect(check({ promiseUntil: promised, channel: 'email', now: resumes })).toEqual({ allowed: true });
      expect(check({ promiseUntil: promised, now: sh('2026-12-26', '09:00') })).toEqual({ allowed: true });
      expect(check({ promiseUntil: '2026-11-01', now: NOON })).toEqual({ allowed: true });
    });

    it('applies to service notices too (every renewal notice is one)', () => {
      expect(check({ promiseUntil: promised, serviceNotice: true, channel: 'letter' })).toMatchObject({ rule: 'promise_to_pay' });
    });
  });

  describe('no verified contact point', () => {
    it.each([
      ['none on file', undefined],
      ['invalid', { status: 'invalid', flags: {} } as const],
      ['unverified', { status: 'unverified', flags: {} } as const],
    ])('%s', (_label, contactPoint) => {
      expect(check({ contactPoint })).toEqual({ allowed: false, rule: 'no_verified_contact' });
    });
  });

  describe('flagged number', () => {
    it("refuses an agent's registered number", () => {
      expect(check({ contactPoint: { status: 'valid', flags: { sameAsAgent: 'A0001' } } })).toEqual({ allowed: false, rule: 'flagged_number' });
    });

    it.each([
      [0, true],
      [1, true],
      [2, false],
      [3, false],
    ])('shared with %i other customers: allowed %s', (sharedBy, allowed) => {
      const decision = check({ contactPoint: { status: 'valid', flags: { sharedBy } } });
      expect(decision).toEqual(allowed ? { allowed: true } : { allowed: false, rule: 'flagged_number' });
    });
  });

  describe('marketing opt-out', () => {
    it('blocks marketing', () => {
      expect(check({ optedOut: true, serviceNotice: false })).toEqual({ allowed: false, rule: 'opt_out' });
    });

    it('never blocks a service notice', () => {
      expect(check({ optedOut: true, serviceNotice: true })).toEqual({ allowed: true });
    });

    it('lets marketing through when the customer has not opted out', () => {
      expect(check({ optedOut: false, serviceNotice: false })).toEqual({ allowed: true });
      expect(check({ serviceNotice: false })).toEqual({ allowed: true });
    });
  });

  describe('quiet hours', () => {
    it.each([
      ['sms', sh(TODAY, '22:00'), sh('2026-12-25', '09:00')],
      ['wechat', sh(TODAY, '06:00'), sh(TODAY, '09:00')],
      ['phone', sh(TODAY, '21:00'), sh('2026-12-25', '09:00')],
      ['sms', sh(TODAY, '09:00', -1), sh(TODAY, '09:00')],
    ] as const)('holds %s due at night until the window opens', (channel, now, retryAt) => {
      expect(check({ channel, now })).toEqual({ allowed: false, rule: 'quiet_hours', retryAt });
    });

    it('allows the edges inside the window', () => {
      expect(check({ now: sh(TODAY, '09:00') })).toEqual({ allowed: true });
      expect(check({ now: sh(TODAY, '20:59') })).toEqual({ allowed: true });
    });

    it('does not restrict email or letters: email at 23:00 goes out', () => {
      expect(check({ channel: 'email', now: sh(TODAY, '23:00') })).toEqual({ allowed: true });
      expect(check({ channel: 'letter', now: sh(TODAY, '03:00') })).toEqual({ allowed: true });
    });
  });

  describe('daily cap per channel', () => {
    it('suppresses a second message on the same channel the same Shanghai day, until the next window opening', () => {
      const decision = check({ now: sh(TODAY, '15:00'), recentContacts: [sent('sms', sh(TODAY, '09:00'))] });
      expect(decision).toEqual({ allowed: false, rule: 'daily_cap', retryAt: sh('2026-12-25', '09:00') });
    });

    it('lets email retry from midnight, since it has no window', () => {
      const decision = check({ channel: 'email', now: sh(TODAY, '00:30'), recentContacts: [sent('email', sh(TODAY, '00:10'))] });
      expect(decision).toEqual({ allowed: false, rule: 'daily_cap', retryAt: sh('2026-12-25', '00:00') });
    });

    it('counts each channel separately', () => {
      expect(check({ channel: 'wechat', recentContacts: [sent('sms', sh(TODAY, '09:00'))] })).toEqual({ allowed: true });
    });

    it('uses the Shanghai calendar day: 23:30 and 00:30 the next day are different days (same UTC day)', () => {
      const evening = sh('2026-12-23', '23:30');
      const afterMidnight = sh(TODAY, '00:30');
      expect(new Date(evening).toISOString().slice(0, 10)).toBe(new Date(afterMidnight).toISOString().slice(0, 10));
      expect(check({ channel: 'email', now: afterMidnight, recentContacts: [sent('email', evening)] })).toEqual({ allowed: true });
    });

    it('uses the Shanghai calendar day: 07:30 and 09:00 are the same day (different UTC days)', () => {
      const early = sh(TODAY, '07:30');
      const nine = sh(TODAY, '09:00');
      expect(new Date(early).toISOString().slice(0, 10)).not.toBe(new Date(nine).toISOString().slice(0, 10));
      expect(check({ channel: 'email', now: nine, recentContacts: [sent('email', early)] })).toMatchObject({ rule: 'daily_cap' });
    });

    it('allows yesterday evening followed by this morning', () => {
      expect(check({ now: sh(TODAY, '09:00'), recentContacts: [sent('sms', sh('2026-12-23', '20:30'))] })).toEqual({ allowed: true });
    });

    it('honours a configured cap', () => {
      const limits = { ...DEFAULT_CONTACT_LIMITS, maxPerChannelPerDay: 2 };
      const one = [sent('sms', sh(TODAY, '09:00'))];
      const two = [...one, sent('sms', sh(TODAY, '10:00'))];
      expect(check({ limits, recentContacts: one })).toEqual({ allowed: true });
      expect(check({ limits, recentContacts: two })).toMatchObject({ rule: 'daily_cap' });
    });

    it.each(['letter', 'phone'] as const)('does not cap %s', (channel) => {
      const recentContacts = [sent(channel, sh(TODAY, '09:00')), sent(channel, sh(TODAY, '10:00'))];
      expect(check({ channel, recentContacts })).toEqual({ allowed: true });
    });

    it('ignores contacts recorded after now', () => {
      expect(check({ now: sh(TODAY, '10:00'), recentContacts: [sent('sms', sh(TODAY, '11:00'))] })).toEqual({ allowed: true });
    });
  });

  describe('rolling 7-day cap', () => {
    const now = sh(TODAY, '10:00');
    const threeInWeek = [sent('sms', sh('2026-12-18', '10:00')), sent('wechat', sh('2026-12-20', '10:00')), sent('email', sh('2026-12-22', '10:00'))];

    it('suppresses the 4th contact of any capped channel in 7×24h, until the oldest leaves the window', () => {
      const decision = check({ now, recentContacts: threeInWeek });
      expect(decision).toEqual({ allowed: false, rule: 'weekly_cap', retryAt: sh('2026-12-25', '10:00') });
    });

    it('allows the contact again at retryAt', () => {
      expect(check({ now: sh('2026-12-25', '10:00'), recentContacts: threeInWeek })).toEqual({ allowed: true });
    });

    it('counts a contact 7×24h − 1 ms ago and not one exactly 7×24h ago', () => {
      const others = threeInWeek.slice(1);
      expect(check({ now, recentContacts: [sent('sms', now - 7 * DAY + 1), ...others] })).toEqual({
        allowed: false,
        rule: 'weekly_cap',
        retryAt: now + 1,
      });
      expect(check({ now, recentContacts: [sent('sms', now - 7 * DAY), ...others] })).toEqual({ allowed: true });
    });

    it('allows 2 contacts in the window', () => {
      expect(check({ now, recentContacts: threeInWeek.slice(1) })).toEqual({ allowed: true });
    });

    it('waits for as many to leave as needed when over the cap (e.g. after a cap was lowered)', () => {
      const four = [sent('email', sh('2026-12-17', '12:00')), ...threeInWeek];
      expect(check({ now, recentContacts: four })).toMatchObject({ rule: 'weekly_cap', retryAt: sh('2026-12-25', '10:00') });
      const limits = { ...DEFAULT_CONTACT_LIMITS, maxPerRolling7Days: 2 };
      expect(check({ now, limits, recentContacts: threeInWeek })).toMatchObject({ rule: 'weekly_cap', retryAt: sh('2026-12-27', '10:00') });
    });

    it('honours a configured higher cap', () => {
      const limits = { ...DEFAULT_CONTACT_LIMITS, maxPerRolling7Days: 4 };
      expect(check({ now, limits, recentContacts: threeInWeek })).toEqual({ allowed: true });
    });

    it('lets news of a change in the contract past both caps, and only past the caps', () => {
      // Lapse notice on a day that already had an SMS, in a week that already had three contacts.
      const busy = [...threeInWeek, sent('sms', sh(TODAY, '09:00'))];
      expect(check({ now, recentContacts: busy })).toMatchObject({ allowed: false, rule: 'daily_cap' });
      expect(check({ now, recentContacts: busy, statusChange: true })).toEqual({ allowed: true });
      expect(check({ now, recentContacts: threeInWeek, statusChange: true })).toEqual({ allowed: true });
      expect(check({ now: sh(TODAY, '22:00'), recentContacts: busy, statusChange: true })).toMatchObject({ allowed: false, rule: 'quiet_hours' });
      expect(check({ now, holds: ['claim'], statusChange: true })).toEqual({ allowed: false, rule: 'hold' });
      expect(check({ now, contactPoint: undefined, statusChange: true })).toEqual({ allowed: false, rule: 'no_verified_contact' });
    });

    it('neither counts nor caps letters and call tasks', () => {
      const withLetterAndCall = [...threeInWeek.slice(1), sent('letter', sh('2026-12-23', '10:00')), sent('phone', sh('2026-12-23', '11:00'))];
      expect(check({ now, recentContacts: withLetterAndCall })).toEqual({ allowed: true });
      expect(check({ now, channel: 'letter', recentContacts: threeInWeek })).toEqual({ allowed: true });
      expect(check({ now, channel: 'phone', recentContacts: threeInWeek })).toEqual({ allowed: true });
    });

    it('caps email like the other messages', () => {
      expect(check({ now, channel: 'email', recentContacts: threeInWeek.slice(0, 2).concat(sent('sms', sh('2026-12-22', '10:00'))) })).toMatchObject({
        rule: 'weekly_cap',
      });
    });
  });
});

describe('checkContact: precedence', () => {
  it('reports the first rule in order as each is lifted in turn', () => {
    const everything: ContactCheck = {
      channel: 'sms',
      now: sh(TODAY, '22:00'),
      contactPoint: { status: 'unverified', flags: { sameAsAgent: 'A0001', sharedBy: 5 } },
      recentContacts: [sent('sms', sh(TODAY, '10:00')), sent('wechat', sh('2026-12-23', '10:00')), sent('email', sh('2026-12-22', '10:00'))],
      promiseUntil: TODAY,
      holds: ['claim'],
      optedOut: true,
      serviceNotice: false,
      limits: DEFAULT_CONTACT_LIMITS,
    };
    const steps: [Partial<ContactCheck>, string][] = [
      [{}, 'hold'],
      [{ holds: [] }, 'promise_to_pay'],
      [{ promiseUntil: undefined }, 'no_verified_contact'],
      [{ contactPoint: { status: 'valid', flags: { sameAsAgent: 'A0001', sharedBy: 5 } } }, 'flagged_number'],
      [{ contactPoint: valid }, 'opt_out'],
      [{ serviceNotice: true }, 'quiet_hours'],
      [{ now: sh(TODAY, '20:00') }, 'daily_cap'],
      [{ channel: 'wechat' }, 'weekly_cap'],
      [{ recentContacts: [] }, 'allowed'],
    ];
    let input = everything;
    for (const [change, expected] of steps) {
      input = { ...input, ...change };
      const decision = checkContact(input);
      expect(decision.allowed ? 'allowed' : decision.rule).toBe(expected);
    }
  });

  it('a hold outranks a missing contact point', () => {
    expect(check({ holds: ['dispute'], contactPoint: undefined })).toEqual({ allowed: false, rule: 'hold' });
  });

  it('a promise outranks a flagged number', () => {
    expect(check({ promiseUntil: TODAY, contactPoint: { status: 'valid', flags: { sharedBy: 3 } } })).toMatchObject({ rule: 'promise_to_pay' });
  });

  it('an unverified point is reported before its flags', () => {
    expect(check({ contactPoint: { status: 'invalid', flags: { sameAsAgent: 'A0001' } } })).toMatchObject({ rule: 'no_verified_contact' });
  });

  it('opt-out outranks quiet hours, and quiet hours outrank the caps', () => {
    expect(check({ optedOut: true, serviceNotice: false, now: sh(TODAY, '22:00') })).toEqual({ allowed: false, rule: 'opt_out' });
    expect(check({ now: sh(TODAY, '06:00'), recentContacts: [sent('sms', sh(TODAY, '00:10'))] })).toEqual({
      allowed: false,
      rule: 'quiet_hours',
      retryAt: sh(TODAY, '09:00'),
    });
  });

  it('the daily cap outranks the weekly cap and gives its own retry time', () => {
    const recentContacts = [sent('sms', sh(TODAY, '09:30')), sent('wechat', sh('2026-12-23', '10:00')), sent('email', sh('2026-12-22', '10:00'))];
    expect(check({ now: sh(TODAY, '11:00'), recentContacts })).toEqual({ allowed: false, rule: 'daily_cap', retryAt: sh('2026-12-25', '09:00') });
  });

  it('rejects malformed limits even when an earlier rule would suppress', () => {
    expect(() => check({ holds: ['claim'], limits: { ...DEFAULT_CONTACT_LIMITS, maxPerRolling7Days: 0 } })).toThrow('maxPerRolling7Days');
  });
});

describe('routeCallTask', () => {
  it('gives the task to an active agent', () => {
    expect(routeCallTask({ agentCode: 'A0001', agentStatus: 'active', teamLeadCode: 'L0001', escalation: false })).toEqual({
      assigneeRole: 'agent',
      assigneeCode: 'A0001',
      orphan: false,
    });
  });

  it('gives an orphan policy (agent departed) to the team lead', () => {
    expect(routeCallTask({ agentCode: 'A0001', agentStatus: 'departed', teamLeadCode: 'L0001', escalation: false })).toEqual({
      assigneeRole: 'team_lead',
      assigneeCode: 'L0001',
      orphan: true,
    });
  });

  it('gives an orphan policy (no agent, null or empty CSV cell) to the team lead', () => {
    for (const agentCode of [null, '']) {
      expect(routeCallTask({ agentCode, agentStatus: null, teamLeadCode: 'L0001', escalation: false })).toEqual({
        assigneeRole: 'team_lead',
        assigneeCode: 'L0001',
        orphan: true,
      });
    }
  });

  it('escalates to the team lead even when the agent is active; the policy is not orphan', () => {
    expect(routeCallTask({ agentCode: 'A0001', agentStatus: 'active', teamLeadCode: 'L0001', escalation: true })).toEqual({
      assigneeRole: 'team_lead',
      assigneeCode: 'L0001',
      orphan: false,
    });
  });

  it('falls back to operations when no team lead is known', () => {
    const ops = { assigneeRole: 'operations', assigneeCode: null };
    expect(routeCallTask({ agentCode: 'A0001', agentStatus: 'departed', teamLeadCode: null, escalation: false })).toEqual({ ...ops, orphan: true });
    expect(routeCallTask({ agentCode: null, agentStatus: null, teamLeadCode: '', escalation: false })).toEqual({ ...ops, orphan: true });
    expect(routeCallTask({ agentCode: 'A0001', agentStatus: 'active', teamLeadCode: null, escalation: true })).toEqual({ ...ops, orphan: false });
  });

  it('does not give the task to an agent code missing from the agents file, nor call the policy orphan', () => {
    expect(routeCallTask({ agentCode: 'A9999', agentStatus: null, teamLeadCode: 'L0001', escalation: false })).toEqual({
      assigneeRole: 'team_lead',
      assigneeCode: 'L0001',
      orphan: false,
    });
  });

  it('treats an active status without an agent code as orphan', () => {
    expect(routeCallTask({ agentCode: null, agentStatus: 'active', teamLeadCode: 'L0001', escalation: false })).toMatchObject({
      assigneeRole: 'team_lead',
      orphan: true,
    });
  });
});
