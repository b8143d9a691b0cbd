/**
 * The changes the policy administration system (核心业务系统) must make, as this system reports them
 * (docs/architecture.md#policy-administration), and how often a change that could not be delivered is
 * tried again.
 */
export const POLICY_CHANGE_KINDS = ['policy_suspended', 'suspension_undone', 'policy_reinstated', 'reduced_paid_up_requested', 'premium_loan_booked'] as const;
export type PolicyChangeKind = (typeof POLICY_CHANGE_KINDS)[number];

/** Business facts only: dates, fen, codes. Never a name, mobile, ID number or account. */
export type PolicyChangePayload = Record<string, string | number | boolean | null>;

/** The stable id of a change, derived from the fact: the same fact, the same id, however often it is written. */
export function policyChangeId(kind: PolicyChangeKind, fact: string | number): string {
  return `${kind}:${fact}`;
}

export interface Backoff {
  /** The wait after the first failed attempt; doubled after each further one. */
  baseMs: number;
  /** The longest wait. */
  maxMs: number;
}

/**
 * The wait before attempt `failedAttempts + 1`: exponential from `baseMs`, capped at `maxMs`, with
 * "full jitter" in its upper half (`random` in [0, 1)) so relays that failed together do not retry
 * together.
 */
export function backoffMs(failedAttempts: number, backoff: Backoff, random: number): number {
  const exponent = Math.max(0, failedAttempts - 1);
  const ceiling = Math.min(backoff.maxMs, backoff.baseMs * 2 ** Math.min(exponent, 30));
  return Math.round(ceiling / 2 + (ceiling / 2) * random);
}
