import { describe, expect, it } from 'vitest';
import { choosePlan, isHighValue, STANDARD_60, UnknownPlanError, validatePlan, type CollectionPlan } from '../../domain/collection-plan';

const clone = (): CollectionPlan => JSON.parse(JSON.stringify(STANDARD_60)) as CollectionPlan;

describe('standard-60 as docs/business-rules.md gives it', () => {
  it('is valid', () => {
    expect(validatePlan(clone())).toEqual(STANDARD_60);
  });

  it('reminds at D-30 (preferred channel plus email), D-15 (SMS) and D-3 (SMS, keep funds)', () => {
    expect(STANDARD_60.reminders.map((r) => [r.offsetDays, r.channels.join('+'), r.template])).toEqual([
      [-30, 'preferred+email', 'pre_due_reminder'],
      [-15, 'sms', 'pre_due_reminder'],
      [-3, 'sms', 'debit_tomorrow_keep_funds'],
    ]);
  });

  it('debits on D, D+3, D+7, D+14, D+21, D+30, D+40, D+50 and D+60', () => {
    expect(STANDARD_60.debitOffsets).toEqual([0, 3, 7, 14, 21, 30, 40, 50, 60]);
  });

  it('follows up at D+7, D+15, D+30, D+45, D+55, calls high-value customers at D-15, and sends the lapse SMS at D+61', () => {
    expect(STANDARD_60.tasks.map((t) => [t.step, t.offsetDays, t.kind, t.assignee, t.highValueOnly ?? false])).toEqual([
      ['call_d-15', -15, 'call', 'agent', true],
      ['call_d+7', 7, 'call', 'agent', false],
      ['call_d+30', 30, 'call', 'agent', false],
      ['escalation_d+45', 45, 'escalation', 'team_lead', false],
    ]);
    expect(STANDARD_60.graceNotices.map((n) => [n.offsetDays, n.channels.join('+')])).toEqual([
      [15, 'email+letter'],
      [50, 'email+letter'], // the reduced paid-up offer, only to policies with cash value
      [55, 'sms+wechat+email+letter'],
    ]);
    expect(STANDARD_60.graceNotices.filter((n) => n.withCashValueOnly).map((n) => n.template)).toEqual(['reduced_paid_up_option']);
    expect(STANDARD_60.lapseNotices.map((n) => [n.offsetDays, n.channels.join('+')])).toEqual([[61, 'sms']]);
    expect(STANDARD_60.highValue).toEqual({ annualisedPremiumFen: 1_000_000, segments: ['A'] });
  });
});

describe('validating a plan names the first bad field', () => {
  it.each<[string, (p: CollectionPlan) => void, RegExp]>([
    ['code', (p) => Object.assign(p, { code: 'Standard 60' }), /code must be/],
    ['version', (p) => Object.assign(p, { version: 0 }), /version must be/],
    ['time', (p) => Object.assign(p, { debitTime: '25:00' }), /debitTime must be HH:MM/],
    ['reminder after D', (p) => Object.assign(p.reminders[0]!, { offsetDays: 2 }), /reminders\[0\]\.offsetDays must be a whole number from -90 to -1, got 2/],
    ['unknown channel', (p) => Object.assign(p.reminders[1]!, { channels: ['fax'] }), /reminders\[1\]\.channels\[0\] must be one of/],
    ['repeated step', (p) => Object.assign(p.graceNotices[0]!, { step: 'reminder_d-30' }), /graceNotices\[0\]\.step repeats reminder_d-30/],
    ['debit out of order', (p) => Object.assign(p, { debitOffsets: [0, 7, 3] }), /debitOffsets\[2\] must be later/],
    ['debit past grace', (p) => Object.assign(p, { debitOffsets: [0, 61] }), /debitOffsets\[1\] must be a whole number from 0 to 60/],
    ['task kind', (p) => Object.assign(p.tasks[0]!, { kind: 'visit' }), /tasks\[0\]\.kind must be call or escalation/],
    ['high value', (p) => Object.assign(p.highValue, { annualisedPremiumFen: -1 }), /highValue\.annualisedPremiumFen/],
  ])('%s', (_name, breakIt, message) => {
    const plan = clone();
    breakIt(plan);
    expect(() => validatePlan(plan, 60)).toThrow(message);
    expect(() => validatePlan(plan, 60)).toThrow(/^collection plan /);
  });

  it('checks grace notices against the product’s grace days', () => {
    expect(() => validatePlan(clone(), 30)).toThrow(/graceNotices\[1\]\.offsetDays must be a whole number from 1 to 30, got 50/);
    expect(() => validatePlan(clone(), 90)).toThrow(/lapseNotices\[0\]\.offsetDays must be a whole number from 91 to 121, got 61/);
    // Without a product, only the form is checked: a stored plan for a 90-day product loads.
    const ninety = { ...clone(), code: 'standard-90', debitOffsets: [0, 30, 90], lapseNotices: [{ step: 'lapse_sms_d+91', offsetDays: 91, channels: ['sms'], template: 'lapse_notice' }] };
    expect(validatePlan(ninety)).toBe(ninety);
    expect(validatePlan(ninety, 90)).toBe(ninety);
  });
});

describe('choosing a plan', () => {
  const newer = { ...clone(), version: STANDARD_60.version + 1, debitOffsets: [0, 10, 60] };
  const segmentA = { ...clone(), code: 'standard-60-a', debitOffsets: [0, 1, 2, 60] };
  const short = { ...clone(), code: 'short-30' };

  it('takes the segment plan, then the product plan at its highest version, then standard-60', () => {
    expect(choosePlan([STANDARD_60, newer, segmentA], { planCode: 'standard-60' }, 'A')).toBe(segmentA);
    expect(choosePlan([STANDARD_60, newer, segmentA], { planCode: 'standard-60' }, 'B')).toBe(newer);
    expect(choosePlan([short], { planCode: 'short-30' }, null)).toBe(short);
    expect(choosePlan([], { planCode: 'standard-60' }, 'C')).toBe(STANDARD_60);
    // An unknown code is an error, never standard-60 unseen (imports refuse it first).
    expect(() => choosePlan([STANDARD_60], { planCode: 'unknown' }, null)).toThrow(UnknownPlanError);
    expect(() => choosePlan([STANDARD_60], { planCode: 'unknown' }, null)).toThrow('collection plan unknown is not stored');
  });

  it('calls a policy high-value from its annualised premium or its segment', () => {
    expect(isHighValue(STANDARD_60, { premiumFen: 1_000_000, paymentFrequency: 'annual', segment: null })).toBe(true);
    expect(isHighValue(STANDARD_60, { premiumFen: 83_334, paymentFrequency: 'monthly', segment: null })).toBe(true);
    expect(isHighValue(STANDARD_60, { premiumFen: 83_333, paymentFrequency: 'monthly', segment: null })).toBe(false);
    expect(isHighValue(STANDARD_60, { premiumFen: 100, paymentFrequency: 'annual', segment: 'A' })).toBe(true);
  });
});
