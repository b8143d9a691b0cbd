import { describe, expect, it } from 'vitest';
import { SignInLimiter } from '../../console/sign-in-limiter';

/** The sign-in limit's sliding window (docs/architecture.md#console), on its own clock. */
describe('SignInLimiter', () => {
  const minute = 60_000;

  it('locks a key at the fifth failure within 15 minutes and lets it go when the oldest leaves the window', () => {
    const limiter = new SignInLimiter();
    const keys = ['login:wang'];
    for (let i = 0; i < 4; i++) expect(limiter.fail(keys, i * minute)).toBe(false);
    expect(limiter.locked(keys, 4 * minute)).toBe(false);
    expect(limiter.fail(keys, 4 * minute)).toBe(true); // the lockout begins: audited once
    expect(limiter.locked(keys, 5 * minute)).toBe(true);
    expect(limiter.locked(keys, 14 * minute + 59_999)).toBe(true);
    expect(limiter.locked(keys, 15 * minute)).toBe(false); // the failure at 0 has left the window
  });

  it('a success clears the login, not the address', () => {
    const limiter = new SignInLimiter();
    for (let i = 0; i < 5; i++) limiter.fail(['login:li', 'address:10.0.0.1'], i);
    limiter.clear('login:li');
    expect(limiter.locked(['login:li'], 10)).toBe(false);
    expect(limiter.locked(['address:10.0.0.1'], 10)).toBe(true);
  });

  it('forgets guessed logins once their failures are old, so guessing cannot fill memory', () => {
    const limiter = new SignInLimiter();
    for (let i = 0; i < 10_001; i++) limiter.fail([`login:guess-${i}`], 0);
    expect(limiter.size).toBe(10_001);
    limiter.fail(['login:late'], 16 * minute);
    expect(limiter.size).toBe(1);
  });
});
