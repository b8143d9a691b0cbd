import { describe, expect, it } from 'vitest';
import { AUDIT_KINDS } from '../../domain/audit-kinds';
import {
  CONTACT_CHANNELS,
  CONTACT_POINT_OF,
  isContactChannel,
  NOTICE_CHANNELS,
  PLAN_CHANNELS,
  PREFERRED_CHANNELS,
  preferredNoticeChannel,
  TEXT_CHANNELS,
} from '../../domain/channels';
import { HOLD_KINDS, isHoldKind } from '../../domain/holds';
import { isNonPaymentReason, NON_PAYMENT_OTHER, NON_PAYMENT_REASON_CODES, NON_PAYMENT_REASONS } from '../../domain/non-payment-reasons';
import { isPaymentReference, isReportedVia, PAYMENT_VIAS, REPORTED_VIAS } from '../../domain/payments';
import { ESCALATION_OUTCOMES, ESCALATION_STEP, outcomesOf, TASK_OUTCOMES } from '../../domain/task-outcomes';

describe('channels', () => {
  it('nest: text channels are notice channels, which are contact channels; plans add only "preferred"', () => {
    for (const c of TEXT_CHANNELS) expect(NOTICE_CHANNELS).toContain(c);
    for (const c of NOTICE_CHANNELS) expect(CONTACT_CHANNELS).toContain(c);
    expect(NOTICE_CHANNELS).not.toContain('phone');
    expect(TEXT_CHANNELS).not.toContain('email');
    expect([...PLAN_CHANNELS]).toEqual(['preferred', ...NOTICE_CHANNELS]);
  });

  it('resolve a preference to the notice channel: WeChat or email as chosen, else SMS', () => {
    expect(PREFERRED_CHANNELS.map((p) => [p, preferredNoticeChannel(p)])).toEqual([
      ['sms', 'sms'],
      ['wechat', 'wechat'],
      ['email', 'email'],
      ['phone', 'sms'],
    ]);
    expect(preferredNoticeChannel(null)).toBe('sms');
  });

  it('send each channel but the letter to a contact point of its own kind', () => {
    expect(CONTACT_POINT_OF).toEqual({ sms: 'mobile', phone: 'mobile', wechat: 'wechat', email: 'email' });
    expect(CONTACT_CHANNELS.filter((c) => !(c in CONTACT_POINT_OF))).toEqual(['letter']);
  });

  it('recognise only their own names', () => {
    for (const c of CONTACT_CHANNELS) expect(isContactChannel(c)).toBe(true);
    for (const v of ['SMS', 'fax', '', 3, null, undefined]) expect(isContactChannel(v)).toBe(false);
  });
});

describe('payments', () => {
  it('people report counter, online and transfer payments; debits and premium loans are the cycle’s own', () => {
    expect([...REPORTED_VIAS]).toEqual(['counter', 'online', 'transfer']);
    for (const via of PAYMENT_VIAS) expect(isReportedVia(via)).toBe(via !== 'debit' && via !== 'apl');
    for (const v of ['cash', 'COUNTER', '', 1, undefined]) expect(isReportedVia(v)).toBe(false);
  });

  it('take a reference of 1–64 letters, digits, - and _ only', () => {
    for (const ok of ['R20270112001', 'a', 'X-1_2', 'A'.repeat(64)]) expect(isPaymentReference(ok)).toBe(true);
    for (const bad of ['', 'R 1', 'A'.repeat(65), '收据1', 'R1;DROP', 42, null]) expect(isPaymentReference(bad)).toBe(false);
  });
});

describe('holds, reasons and task outcomes', () => {
  it('know the four holds', () => {
    expect([...HOLD_KINDS]).toEqual(['claim', 'servicing', 'dispute', 'moratorium', 'payment_review']);
    expect(isHoldKind('claim')).toBe(true);
    expect(isHoldKind('Claim')).toBe(false);
  });

  it('take non-payment reasons 1–12, with 11 (other) when none was given', () => {
    expect(NON_PAYMENT_REASON_CODES).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    for (let code = -1; code <= 14; code += 1) expect(isNonPaymentReason(code)).toBe(code >= 1 && code <= 12);
    for (const v of [1.5, '8', Number.NaN, null]) expect(isNonPaymentReason(v)).toBe(false);
    expect(NON_PAYMENT_REASONS[NON_PAYMENT_OTHER].en).toBe('Other');
  });

  it('accept the escalation’s decisions on its step and call outcomes on every other', () => {
    expect(outcomesOf(ESCALATION_STEP)).toEqual(ESCALATION_OUTCOMES);
    expect(outcomesOf('grace_call_d+7')).toEqual(TASK_OUTCOMES);
    expect(TASK_OUTCOMES).not.toContain('lapse');
  });
});

describe('audit kinds', () => {
  it('are unique snake_case names', () => {
    expect(new Set(AUDIT_KINDS).size).toBe(AUDIT_KINDS.length);
    for (const kind of AUDIT_KINDS) expect(kind).toMatch(/^[a-z]+(_[a-z0-9]+)+$/);
  });
});
