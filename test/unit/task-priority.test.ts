import { describe, expect, it } from 'vitest';
import { MAX_TASK_PRIORITY, taskPriority, type PriorityInput } from '../../domain/task-priority';

const base: PriorityInput = { premiumFen: 0, paymentFrequency: 'annual', daysToLapse: 365, segment: null };
const p = (over: Partial<PriorityInput>) => taskPriority({ ...base, ...over });

describe('task priority', () => {
  it('weighs the annualised premium in bands', () => {
    expect(p({ premiumFen: 99_999 })).toBe(0);
    expect(p({ premiumFen: 100_000 })).toBe(10);
    expect(p({ premiumFen: 500_000 })).toBe(20);
    expect(p({ premiumFen: 1_000_000 })).toBe(30);
    expect(p({ premiumFen: 4_999_999 })).toBe(30);
    expect(p({ premiumFen: 5_000_000 })).toBe(40);
    // A monthly ¥1,000 is ¥12,000 a year.
    expect(p({ premiumFen: 100_000, paymentFrequency: 'monthly' })).toBe(30);
    expect(p({ premiumFen: 250_000, paymentFrequency: 'quarterly' })).toBe(30);
    expect(p({ premiumFen: 250_000, paymentFrequency: 'semiannual' })).toBe(20);
  });

  it('rises as the lapse comes closer; a lapsed policy counts as a month away', () => {
    expect(p({ daysToLapse: 61 })).toBe(0);
    expect(p({ daysToLapse: 60 })).toBe(10);
    expect(p({ daysToLapse: 30 })).toBe(20);
    expect(p({ daysToLapse: 15 })).toBe(30);
    expect(p({ daysToLapse: 7 })).toBe(40);
    expect(p({ daysToLapse: 0 })).toBe(40);
    expect(p({ daysToLapse: -3 })).toBe(40);
    expect(p({ daysToLapse: null })).toBe(20);
  });

  it('adds the segment when known, and the step’s own high urgency', () => {
    expect(p({ segment: 'A' })).toBe(20);
    expect(p({ segment: 'B' })).toBe(10);
    expect(p({ segment: 'C' })).toBe(0);
    expect(p({ segment: 'Z' })).toBe(0);
    expect(p({ hint: 'high' })).toBe(10);
    expect(p({ hint: 'normal' })).toBe(0);
  });

  it('orders a large premium about to lapse above a small one far from it, and never passes 100', () => {
    expect(p({ premiumFen: 1_234_500, daysToLapse: 5 })).toBe(70);
    expect(p({ premiumFen: 1_234_500, daysToLapse: 5 })).toBeGreaterThan(p({ premiumFen: 200_000, daysToLapse: 50 }));
    expect(p({ premiumFen: 9_000_000, daysToLapse: 1, segment: 'A', hint: 'high' })).toBe(MAX_TASK_PRIORITY);
  });
});
