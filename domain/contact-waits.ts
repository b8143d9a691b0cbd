/**
 * A contact that could not go when it fell due (a provider down, its circuit open) is owed, not
 * dropped, and never holds up the cycle: the cycle goes on with its debits and lapse and tries the
 * contact again on this schedule, under the contact rules, until it goes or its moment passes
 * (docs/business-rules.md#when-a-provider-fails).
 */

/**
 * Tries of one send activity before the contact is left waiting: a blip is retried within a minute
 * or so (visible as the activity's attempts and last failure), a longer outage waits in the cycle.
 */
export const CONTACT_SEND_ATTEMPTS = 4;

/** Between tries of a waiting contact: quickly at first, then every four hours. */
export const CONTACT_RETRY_DELAYS_MS = [15 * 60_000, 30 * 60_000, 60 * 60_000, 2 * 3_600_000, 4 * 3_600_000] as const;

export function contactRetryDelay(tries: number): number {
  const delays = CONTACT_RETRY_DELAYS_MS;
  return delays[Math.min(Math.max(tries, 1), delays.length) - 1]!;
}

/** Why a channel could not go now: the provider's circuit is open, or it kept failing transiently. */
export interface ChannelWait {
  channel: string;
  provider: string;
  why: 'circuit_open' | 'account_wide' | 'transient';
  /** The provider's code (no personal data). */
  code: string;
  /** The circuit's next probe, when the provider said so; the cycle tries no earlier. */
  until?: number;
}

/** A contact step the cycle owes. */
export interface ContactWait {
  step: string;
  since: number;
  /** Tries made so far (the first send included). */
  tries: number;
  retryAt: number;
  /** provider:code of the last refusal, for the status query and the expiry record. */
  reason: string;
}

/**
 * Why a waiting contact is no longer worth sending. `paid`: the premium is settled; `grace_ended`:
 * the grace period its notice was about is over; `expired`: its own time limit passed (a pre-due
 * reminder at the due date); `superseded`: a later contact of the plan is due or went already.
 */
export type ContactExpiry = 'paid' | 'grace_ended' | 'expired' | 'superseded';

/** The next try: after the schedule's delay, and not before the provider's next probe. */
export function nextTry(tries: number, now: number, waits: readonly Pick<ChannelWait, 'until'>[]): number {
  const notBefore = Math.max(0, ...waits.map((w) => w.until ?? 0));
  return Math.max(now + contactRetryDelay(tries), notBefore);
}
