import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import { countSignInFailures, deleteSignInFailures, insertSignInFailures, pruneSignInFailures, someKeyAtLimit } from '../db/repositories/console-sign-in';

/**
 * Rate-limited sign-in (docs/architecture.md#console): failures are counted per login and per client
 * address in a sliding window; at the limit further attempts are refused (429) until the oldest
 * failure leaves the window. Kept in PostgreSQL (`console_sign_in_failures`), so every console process
 * on one database counts the same failures; a key is stored only as its SHA-256.
 */
export interface LimiterOptions {
  maxFailures: number;
  windowMs: number;
  /** The clock the window is judged by (Date.now unless a test moves it). */
  now?: () => number;
}

export const DEFAULT_LIMITS: LimiterOptions = { maxFailures: 5, windowMs: 15 * 60_000 };

function keyHash(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export class SignInLimiter {
  constructor(
    private readonly db: Knex,
    private readonly options: LimiterOptions = DEFAULT_LIMITS,
  ) {}

  /** The time the window is judged at. */
  now(): number {
    return (this.options.now ?? Date.now)();
  }

  private since(now: number): Date {
    return new Date(now - this.options.windowMs);
  }

  /** Whether any of the keys has reached the limit. */
  async locked(keys: readonly string[], now: number): Promise<boolean> {
    return someKeyAtLimit(this.db, keys.map(keyHash), this.since(now), this.options.maxFailures);
  }

  /**
   * Counts a failure against each key; true when one of them reaches the limit with it (a lockout
   * begins). Each failure counts only the rows before it, so of two processes failing the same key at
   * once one sees the limit reached, and the lockout is audited once.
   */
  async fail(keys: readonly string[], now: number): Promise<boolean> {
    // Guessed logins are new keys each: failures out of every window go on each failure.
    await pruneSignInFailures(this.db, this.since(now));
    const hashes = keys.map(keyHash);
    const ids = await insertSignInFailures(this.db, hashes, new Date(now));
    let reached = false;
    for (const [i, hash] of hashes.entries()) {
      if ((await countSignInFailures(this.db, hash, this.since(now), ids[i])) === this.options.maxFailures) reached = true;
    }
    return reached;
  }

  /** A successful sign-in clears the login's failures (not the address's, nor another login's). */
  async clear(key: string): Promise<void> {
    await deleteSignInFailures(this.db, keyHash(key));
  }
}
