import { describe, expect, it } from 'vitest';
import { isHighValue, STANDARD_60 } from '../../domain/collection-plan';
import { DEFAULT_SEGMENT_RULE, segmentOf, tenureYears, type SegmentInputs } from '../../domain/segments';

/** In force, annual ¥5,000, six policy years in, no history: B. */
const base: SegmentInputs = { premiumFen: 500_000, paymentFrequency: 'annual', issueDate: '2020-03-15', nextDueDate: '2026-03-15', status: 'in_force', history: [] };
const policy = (changes: Partial<SegmentInputs>) => segmentOf({ ...base, ...changes });

describe('the segment rule (docs/business-rules.md#segments)', () => {
  it('counts whole policy years from issue to the next due date', () => {
    expect(tenureYears('2020-03-15', '2026-03-15')).toBe(6);
    expect(tenureYears('2020-03-15', '2026-03-14')).toBe(5);
    expect(tenureYears('2025-03-15', '2026-03-15')).toBe(1);
    expect(tenureYears('2025-04-01', '2025-05-01')).toBe(0);
    expect(tenureYears('2020-02-29', '2021-02-28')).toBe(1);
    expect(tenureYears('2020-02-29', '2024-02-28')).toBe(3);
    expect(tenureYears('2020-02-29', '2024-02-29')).toBe(4);
  });

  it('gives B to an ordinary policy in force with a clean record', () => {
    expect(policy({})).toBe('B');
  });

  it('gives A from an annualised premium of ¥10,000, whatever the frequency', () => {
    expect(policy({ premiumFen: 1_000_000 })).toBe('A');
    expect(policy({ premiumFen: 999_999 })).toBe('B');
    expect(policy({ premiumFen: 83_334, paymentFrequency: 'monthly' })).toBe('A');
    expect(policy({ premiumFen: 83_333, paymentFrequency: 'monthly' })).toBe('B');
    expect(policy({ premiumFen: 250_000, paymentFrequency: 'quarterly' })).toBe('A');
    expect(policy({ premiumFen: 500_000, paymentFrequency: 'semiannual' })).toBe('A');
    // A never widens who is high value under standard-60: its threshold is the rule's.
    for (const premiumFen of [999_999, 1_000_000]) {
      const segment = policy({ premiumFen });
      expect(isHighValue(STANDARD_60, { premiumFen, paymentFrequency: 'annual', segment })).toBe(isHighValue(STANDARD_60, { premiumFen, paymentFrequency: 'annual', segment: null }));
    }
  });

  it('gives C to a policy in grace or lapsed by the file, even a large one', () => {
    expect(policy({ status: 'grace' })).toBe('C');
    expect(policy({ status: 'lapsed' })).toBe('C');
    expect(policy({ status: 'grace', premiumFen: 5_000_000 })).toBe('C');
  });

  it('gives C to a policy in its first two policy years (the 13-month persistency premiums), unless it is A', () => {
    expect(policy({ issueDate: '2025-03-15' })).toBe('C');
    expect(policy({ issueDate: '2024-03-16' })).toBe('C');
    expect(policy({ issueDate: '2024-03-15' })).toBe('B');
    expect(policy({ issueDate: '2025-03-15', premiumFen: 1_000_000 })).toBe('A');
    expect(policy({ issueDate: '2025-04-15', nextDueDate: '2025-05-15', paymentFrequency: 'monthly', premiumFen: 40_000 })).toBe('C');
  });

  it('gives C for a premium due in the last two years that lapsed or was paid more than 7 days late', () => {
    expect(policy({ history: [{ dueDate: '2025-03-15', paidOn: '2025-03-23', lapsed: false }] })).toBe('C');
    expect(policy({ history: [{ dueDate: '2025-03-15', paidOn: '2025-03-22', lapsed: false }] })).toBe('B');
    expect(policy({ history: [{ dueDate: '2024-03-15', paidOn: null, lapsed: true }] })).toBe('C');
    expect(policy({ history: [{ dueDate: '2024-03-14', paidOn: null, lapsed: true }] })).toBe('B');
    expect(policy({ premiumFen: 2_000_000, history: [{ dueDate: '2025-03-15', paidOn: '2025-05-01', lapsed: false }] })).toBe('C');
    // Only earlier premiums count: the next due itself (a row re-imported while its cycle runs) does not.
    expect(policy({ history: [{ dueDate: '2026-03-15', paidOn: '2026-05-01', lapsed: false }] })).toBe('B');
    // A premium still due is no history yet.
    expect(policy({ history: [{ dueDate: '2025-03-15', paidOn: null, lapsed: false }] })).toBe('B');
  });

  it('takes its numbers from the rule', () => {
    expect(segmentOf({ ...base, premiumFen: 500_000 }, { ...DEFAULT_SEGMENT_RULE, highValueFen: 500_000 })).toBe('A');
    expect(segmentOf({ ...base, history: [{ dueDate: '2025-03-15', paidOn: '2025-03-23', lapsed: false }] }, { ...DEFAULT_SEGMENT_RULE, lateAfterDays: 10 })).toBe('B');
    expect(segmentOf(base, { ...DEFAULT_SEGMENT_RULE, earlyYears: 7 })).toBe('C');
  });
});
