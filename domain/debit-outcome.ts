import type { DebitResult } from './cycle-state';
import { REASON_RULES, type Classified, type DebitReason } from './debit-reasons';

/** Where a debit attempt stands. */
export type DebitAttemptStatus = 'prepared' | 'submitted' | 'accepted' | 'succeeded' | 'failed' | 'unknown' | 'returned' | 'withdrawn';

/** Statuses an attempt can still leave: a final answer never overwrites another (a late poll, a raced callback). */
export const IN_FLIGHT_STATUSES = ['prepared', 'submitted', 'accepted', 'unknown'] as const satisfies readonly DebitAttemptStatus[];

export function isInFlight(status: DebitAttemptStatus): boolean {
  return (IN_FLIGHT_STATUSES as readonly DebitAttemptStatus[]).includes(status);
}

/** What a stored attempt says about its outcome (the columns of its row). */
export interface StoredAttempt {
  status: DebitAttemptStatus;
  reason: string | null;
  customer_fault: boolean | null;
  resolved_at: Date | null;
}

/**
 * The outcome an attempt already has in the database (an earlier try, a status report, a callback);
 * undefined while it is in flight or was withdrawn. `now` dates a success stored without its time:
 * the caller reads the clock, so this rule stays pure.
 */
export function storedResult(attempt: StoredAttempt, now: number): DebitResult | undefined {
  switch (attempt.status) {
    case 'succeeded':
      return { status: 'succeeded', at: attempt.resolved_at?.getTime() ?? now };
    case 'failed':
    case 'returned': {
      const reason = (attempt.reason ?? 'UNKNOWN') as DebitReason;
      const rule = REASON_RULES[reason] ?? REASON_RULES.UNKNOWN;
      const customerFault = attempt.customer_fault ?? rule.customerFault;
      return attempt.status === 'failed'
        ? { status: 'failed', reason, retryable: rule.retryable, customerFault }
        : { status: 'returned', reason, customerFault };
    }
    default:
      return undefined;
  }
}

/** A final answer for one attempt, as it is recorded: from the bank's reply, a status report, a return file or a callback. */
export type FinalOutcome =
  | { status: 'succeeded'; bankRef: string; at: Date }
  | { status: 'failed'; classified: Classified; bankRef?: string; at: Date }
  /** A return or reversal after a success: the money came back. */
  | { status: 'returned'; classified: Classified; at: Date };

/** What the cycle is told about a final answer just recorded. */
export function resultOf(outcome: FinalOutcome): DebitResult {
  switch (outcome.status) {
    case 'succeeded':
      return { status: 'succeeded', at: outcome.at.getTime() };
    case 'failed': {
      const { reason, retryable, customerFault } = outcome.classified;
      return { status: 'failed', reason, retryable, customerFault };
    }
    case 'returned':
      return { status: 'returned', reason: outcome.classified.reason, customerFault: outcome.classified.customerFault };
  }
}

/**
 * What a reported outcome does to an attempt in a given status:
 * - duplicate: the attempt is in that status already (a file read twice, a callback repeated);
 * - ignored: not a transition the bank can make from there (e.g. a return of a failed debit);
 * - record: the outcome is recorded;
 * - book_success_first: a return that overtook its success (a notification ingested before the
 *   status report, callbacks handled out of order): the money was taken and came back, so the
 *   success is booked before the return.
 */
export type ReportFit = 'duplicate' | 'ignored' | 'record' | 'book_success_first';

/** A success or refusal answers only a debit in flight; a return can also follow (or overtake) its success. */
export function reportFit(status: DebitAttemptStatus, reported: FinalOutcome['status']): ReportFit {
  if (status === reported) return 'duplicate';
  if (reported !== 'returned') return isInFlight(status) ? 'record' : 'ignored';
  if (status === 'succeeded') return 'record';
  return isInFlight(status) ? 'book_success_first' : 'ignored';
}
