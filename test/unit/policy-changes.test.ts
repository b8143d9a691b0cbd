import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY_ADMIN, readSettings, SettingsError } from '../../config/settings';
import { backoffMs, policyChangeId } from '../../domain/policy-changes';
import { signatureMatches, signPolicyChange } from '../../integrations/policy-admin/signing';

describe('the wait before a change is delivered again', () => {
  const backoff = { baseMs: 30_000, maxMs: 3_600_000 };

  it('doubles after each failure from the base, up to the longest wait', () => {
    // random 1: the top of the range, the ceiling itself.
    expect([1, 2, 3, 4, 5, 8, 20].map((n) => backoffMs(n, backoff, 0.999_999_999))).toEqual([30_000, 60_000, 120_000, 240_000, 480_000, 3_600_000, 3_600_000]);
  });

  it('is jittered over the upper half of the ceiling, so relays that failed together do not retry together', () => {
    expect(backoffMs(3, backoff, 0)).toBe(60_000);
    expect(backoffMs(3, backoff, 0.5)).toBe(90_000);
    for (let i = 0; i < 50; i += 1) {
      const wait = backoffMs(4, backoff, Math.random());
      expect(wait).toBeGreaterThanOrEqual(120_000);
      expect(wait).toBeLessThanOrEqual(240_000);
    }
  });
});

describe('a change and its signature', () => {
  it('has an id derived from its fact: the same fact, the same id', () => {
    expect(policyChangeId('policy_suspended', 42)).toBe('policy_suspended:42');
    expect(policyChangeId('reduced_paid_up_requested', '42-grace_end')).toBe(policyChangeId('reduced_paid_up_requested', '42-grace_end'));
  });

  it('signs the timestamp and the body: either changed, or another secret, and it no longer matches', () => {
    const body = '{"eventId":"policy_suspended:42"}';
    const signature = signPolicyChange('s3cret', 1_800_000_000, body);
    expect(signature).toMatch(/^v1=[0-9a-f]{64}$/);
    expect(signatureMatches('s3cret', 1_800_000_000, body, signature)).toBe(true);
    expect(signatureMatches('s3cret', 1_800_000_001, body, signature)).toBe(false);
    expect(signatureMatches('s3cret', 1_800_000_000, `${body} `, signature)).toBe(false);
    expect(signatureMatches('other', 1_800_000_000, body, signature)).toBe(false);
    expect(signatureMatches('s3cret', 1_800_000_000, body, '')).toBe(false);
  });
});

describe('the relay settings', () => {
  it('default when unset, and a malformed value is refused naming its variable', () => {
    expect(readSettings({}).policyAdmin).toEqual({ ...DEFAULT_POLICY_ADMIN });
    expect(readSettings({ POLICY_ADMIN_MAX_ATTEMPTS: '3', POLICY_ADMIN_BACKOFF_MS: '1000' }).policyAdmin).toMatchObject({ maxAttempts: 3, backoffMs: 1000 });
    expect(() => readSettings({ POLICY_ADMIN_MAX_ATTEMPTS: 'many' })).toThrow(new SettingsError('POLICY_ADMIN_MAX_ATTEMPTS must be a whole number from 1 to 100, got "many"'));
    expect(() => readSettings({ POLICY_ADMIN_BACKOFF_MS: '0' })).toThrow(/^POLICY_ADMIN_BACKOFF_MS must be a whole number from 1/);
  });
});
