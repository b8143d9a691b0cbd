import { describe, expect, it } from 'vitest';
import { shanghaiInstant } from '../../domain/civil-date';
import {
  contactQualityFlags,
  DEFAULT_QUALITY_OPTIONS,
  qualityFlagsOf,
  withQualityFlags,
  type HeldContactPoint,
} from '../../domain/contact-quality';
import { checkContact, DEFAULT_CONTACT_LIMITS, SHARED_CONTACT_THRESHOLD } from '../../domain/contact-rules';

let nextId = 1;
const point = (customerId: number, valueHash: string, type: HeldContactPoint['type'] = 'mobile'): HeldContactPoint => ({
  id: nextId++,
  customerId,
  type,
  valueHash,
});
const flagsOf = (result: Map<number, unknown>, p: HeldContactPoint) => result.get(p.id);

describe('agent_number', () => {
  it('flags a customer mobile equal to an agent’s, naming the agent', () => {
    const mine = point(1, 'h-agent');
    const other = point(2, 'h-own');
    const result = contactQualityFlags([mine, other], [{ agentCode: 'A0042', mobileHash: 'h-agent' }], []);
    expect(flagsOf(result, mine)).toEqual({ same_as_agent: 'A0042' });
    expect(flagsOf(result, other)).toBeUndefined();
  });

  it('names the same agent on every run when two agents share the number', () => {
    const p = point(1, 'h');
    const agents = [
      { agentCode: 'A0900', mobileHash: 'h' },
      { agentCode: 'A0100', mobileHash: 'h' },
    ];
    expect(flagsOf(contactQualityFlags([p], agents, []), p)).toEqual({ same_as_agent: 'A0100' });
    expect(flagsOf(contactQualityFlags([p], [...agents].reverse(), []), p)).toEqual({ same_as_agent: 'A0100' });
  });

  it('compares mobiles only: agents register no email or WeChat', () => {
    const email = point(1, 'h', 'email');
    expect(contactQualityFlags([email], [{ agentCode: 'A1', mobileHash: 'h' }], []).size).toBe(0);
  });
});

describe('shared_number', () => {
  it('flags a value held by 3 unrelated customers, each with the count of the others', () => {
    const points = [point(1, 'h'), point(2, 'h'), point(3, 'h')];
    const result = contactQualityFlags(points, [], []);
    for (const p of points) expect(flagsOf(result, p)).toEqual({ shared_by: 2 });
  });

  it('does not flag a value held by 2 customers', () => {
    expect(contactQualityFlags([point(1, 'h'), point(2, 'h')], [], []).size).toBe(0);
  });

  it('counts one customer once, however many points they hold with the value', () => {
    expect(contactQualityFlags([point(1, 'h'), point(1, 'h'), point(2, 'h')], [], []).size).toBe(0);
  });

  it('compares values of the same type only', () => {
    expect(contactQualityFlags([point(1, 'h', 'mobile'), point(2, 'h', 'email'), point(3, 'h', 'wechat')], [], []).size).toBe(0);
  });

  it('counts holder and insured of one policy as one household', () => {
    const points = [point(1, 'h'), point(2, 'h'), point(3, 'h')];
    const family = [{ holderCustomerId: 1, insuredCustomerId: 2 }];
    expect(contactQualityFlags(points, [], family).size).toBe(0);

    const stranger = point(4, 'h');
    const result = contactQualityFlags([...points, stranger], [], family);
    expect(flagsOf(result, stranger)).toEqual({ shared_by: 2 });
    expect(flagsOf(result, points[0]!)).toEqual({ shared_by: 2 });
  });

  it('follows relations through several policies (parent insures two children)', () => {
    const points = [point(1, 'h'), point(2, 'h'), point(3, 'h'), point(4, 'h')];
    const relations = [
      { holderCustomerId: 1, insuredCustomerId: 2 },
      { holderCustomerId: 1, insuredCustomerId: 3 },
    ];
    expect(contactQualityFlags(points, [], relations).size).toBe(0);
  });

  it('takes a higher threshold, and refuses one the contact rules would not honour', () => {
    const three = [point(1, 'h'), point(2, 'h'), point(3, 'h')];
    expect(contactQualityFlags(three, [], [], { sharedThreshold: 4 }).size).toBe(0);
    const four = [...three, point(4, 'h')];
    expect(flagsOf(contactQualityFlags(four, [], [], { sharedThreshold: 4 }), four[0]!)).toEqual({ shared_by: 3 });
    expect(() => contactQualityFlags(three, [], [], { sharedThreshold: 2 })).toThrow(/sharedThreshold must be a whole number >= 3/);
    expect(() => contactQualityFlags(three, [], [], { sharedThreshold: 3.5 })).toThrow(RangeError);
  });

  it('carries both flags when both are true', () => {
    const points = [point(1, 'h'), point(2, 'h'), point(3, 'h')];
    expect(flagsOf(contactQualityFlags(points, [{ agentCode: 'A1', mobileHash: 'h' }], []), points[1]!)).toEqual({
      same_as_agent: 'A1',
      shared_by: 2,
    });
  });
});

describe('stored flags', () => {
  it('replace the quality flags and keep every other key', () => {
    const stored = { same_as_agent: 'A1', shared_by: 5, bounced: true };
    expect(withQualityFlags(stored, { shared_by: 2 })).toEqual({ shared_by: 2, bounced: true });
    expect(withQualityFlags(stored, {})).toEqual({ bounced: true });
    expect(qualityFlagsOf(stored)).toEqual({ same_as_agent: 'A1', shared_by: 5 });
    expect(qualityFlagsOf({ shared_by: 'many' })).toEqual({});
  });

  it('are refused by the contact rules at the default threshold, as contactPointFor hands them over', () => {
    expect(DEFAULT_QUALITY_OPTIONS.sharedThreshold).toBe(SHARED_CONTACT_THRESHOLD + 1);
    const points = [point(1, 'h'), point(2, 'h'), point(3, 'h'), point(4, 'agent')];
    const result = contactQualityFlags(points, [{ agentCode: 'A7', mobileHash: 'agent' }], []);
    for (const p of points) {
      const stored = qualityFlagsOf(withQualityFlags({}, result.get(p.id) ?? {}));
      const decision = checkContact({
        channel: 'sms',
        now: shanghaiInstant('2026-12-24', '12:00'),
        contactPoint: { status: 'valid', flags: { sameAsAgent: stored.same_as_agent, sharedBy: stored.shared_by } },
        recentContacts: [],
        holds: [],
        serviceNotice: true,
        limits: DEFAULT_CONTACT_LIMITS,
      });
      expect(decision).toEqual({ allowed: false, rule: 'flagged_number' });
    }
  });
});
