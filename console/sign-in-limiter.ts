/**
 * Rate-limited sign-in (docs/architecture.md#console): failures are counted per login and per client
 * address in a sliding window; at the limit further attempts are refused (429) until the oldest
 * failure leaves the window. Kept in the process: one console process per deployment in this slice.
 */
export interface LimiterOptions {
  maxFailures: number;
  windowMs: number;
}

const MAX_KEYS_BEFORE_PRUNE = 10_000;

export const DEFAULT_LIMITS: LimiterOptions = { maxFailures: 5, windowMs: 15 * 60_000 };

export class SignInLimiter {
  private readonly failures = new Map<string, number[]>();

  constructor(private readonly options: LimiterOptions = DEFAULT_LIMITS) {}

  private recent(key: string, now: number): number[] {
    const kept = (this.failures.get(key) ?? []).filter((at) => now - at < this.options.windowMs);
    if (kept.length === 0) this.failures.delete(key);
    else this.failures.set(key, kept);
    return kept;
  }

  /** Whether any of the keys has reached the limit. */
  locked(keys: readonly string[], now: number): boolean {
    return keys.some((key) => this.recent(key, now).length >= this.options.maxFailures);
  }

  /** Counts a failure against each key; true when one of them reaches the limit with it (a lockout begins). */
  fail(keys: readonly string[], now: number): boolean {
    // Guessed logins are new keys each: drop the ones whose failures have all left the window.
    if (this.failures.size > MAX_KEYS_BEFORE_PRUNE) for (const key of [...this.failures.keys()]) this.recent(key, now);
    let reached = false;
    for (const key of keys) {
      const recent = this.recent(key, now);
      recent.push(now);
      this.failures.set(key, recent);
      if (recent.length === this.options.maxFailures) reached = true;
    }
    return reached;
  }

  /** How many logins and addresses have failures counted (for tests and a future metric). */
  get size(): number {
    return this.failures.size;
  }

  /** A successful sign-in clears the login's failures (not the address's). */
  clear(key: string): void {
    this.failures.delete(key);
  }
}
