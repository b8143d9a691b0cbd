import { createHmac } from 'node:crypto';
import type { Knex } from 'knex';
import { countSignInFailures, deleteSignInFailures, insertSignInFailures, pruneSignInFailures, someKeyAtLimit } from '../db/repositories/console-sign-in';

/**
 * Rate-limited sign-in (docs/architecture.md#console): failures are counted per login and per client
 * address in a sliding window; at the limit further attempts are refused (429) until the oldest
 * failure leaves the window. Kept in PostgreSQL (`console_sign_in_failures`), so every console process
 * on one database counts the same failures. A key (a login, a client address) is stored only as its
 * HMAC-SHA256 under a key derived from the current data key (`DataKey.limiterKey`): a plain hash of an
 * IPv4 address or a likely login is undone by trying them all.
 */
export interface LimiterOptions {
  maxFailures: number;
  windowMs: number;
  /** The clock the window is judged by (Date.now unless a test moves it). */
  now?: () => number;
}

export const DEFAULT_LIMITS: LimiterOptions = { maxFailures: 5, windowMs: 15 * 60_000 };

/**
 * Company-account flows begun from one client address in 15 minutes. Generous, as an office behind one
 * NAT address signs in together at nine; a flood is thousands a minute.
 */
export const OIDC_FLOW_LIMITS: LimiterOptions = { maxFailures: 60, windowMs: 15 * 60_000 };

export class SignInLimiter {
  constructor(
    private readonly db: Knex,
    /** Every console process on the database must be given the same key, or each counts apart. */
    private readonly hashKey: Buffer,
    private readonly options: LimiterOptions = DEFAULT_LIMITS,
  ) {}

  private keyHash(key: string): string {
    return createHmac('sha256', this.hashKey).update(key, 'utf8').digest('hex');
  }

  /** The time the window is judged at. */
  now(): number {
    return (this.options.now ?? Date.now)();
  }

  private since(now: number): Date {
    return new Date(now - this.options.windowMs);
  }

  /** Whether any of the keys has reached the limit. */
  async locked(keys: readonly string[], now: number): Promise<boolean> {
    return someKeyAtLimit(this.db, keys.map((key) => this.keyHash(key)), this.since(now), this.options.maxFailures);
  }

  /**
   * Counts a failure against each key; true when one of them reaches the limit with it (a lockout
   * begins). Each failure counts only the rows before it, so of two processes failing the same key at
   * once one sees the limit reached, and the lockout is audited once.
   */
  async fail(keys: readonly string[], now: number): Promise<boolean> {
    // Guessed logins are new keys each: failures out of every window go on each failure.
    await pruneSignInFailures(this.db, this.since(now));
    const hashes = keys.map((key) => this.keyHash(key));
    const ids = await insertSignInFailures(this.db, hashes, new Date(now));
    let reached = false;
    for (const [i, hash] of hashes.entries()) {
      if ((await countSignInFailures(this.db, hash, this.since(now), ids[i])) === this.options.maxFailures) reached = true;
    }
    return reached;
  }

  /** A successful sign-in clears the login's failures (not the address's, nor another login's). */
  async clear(key: string): Promise<void> {
    await deleteSignInFailures(this.db, this.keyHash(key));
  }
}
