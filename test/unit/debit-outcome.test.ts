import { describe, expect, it } from 'vitest';
import {
  IN_FLIGHT_STATUSES,
  isInFlight,
  reportFit,
  resultOf,
  storedResult,
  type DebitAttemptStatus,
  type FinalOutcome,
  type ReportFit,
  type StoredAttempt,
} from '../../domain/debit-outcome';
import { classifyIsoReason } from '../../domain/debit-reasons';

const STATUSES: readonly DebitAttemptStatus[] = ['prepared', 'submitted', 'accepted', 'unknown', 'succeeded', 'failed', 'returned', 'withdrawn'];

/** Every status against every reported outcome, written out independently of the rule. */
const FIT: Record<DebitAttemptStatus, Record<FinalOutcome['status'], ReportFit>> = {
  prepared: { succeeded: 'record', failed: 'record', returned: 'book_success_first' },
  submitted: { succeeded: 'record', failed: 'record', returned: 'book_success_first' },
  accepted: { succeeded: 'record', failed: 'record', returned: 'book_success_first' },
  unknown: { succeeded: 'record', failed: 'record', returned: 'book_success_first' },
  succeeded: { succeeded: 'duplicate', failed: 'ignored', returned: 'record' },
  failed: { succeeded: 'ignored', failed: 'duplicate', returned: 'ignored' },
  returned: { succeeded: 'ignored', failed: 'ignored', returned: 'duplicate' },
  withdrawn: { succeeded: 'ignored', failed: 'ignored', returned: 'ignored' },
};

describe('which reported outcome applies to an attempt in which status', () => {
  const cases = STATUSES.flatMap((status) => (['succeeded', 'failed', 'returned'] as const).map((reported) => ({ status, reported, fit: FIT[status][reported] })));

  it('covers every status and every reported outcome', () => {
    expect(cases).toHaveLength(8 * 3);
  });

  it.each(cases)('$reported reported for a $status attempt: $fit', ({ status, reported, fit }) => {
    expect(reportFit(status, reported)).toBe(fit);
  });
});

describe('in-flight statuses', () => {
  it('are the statuses an attempt can still leave, and only those', () => {
    expect([...IN_FLIGHT_STATUSES]).toEqual(['prepared', 'submitted', 'accepted', 'unknown']);
    expect(STATUSES.filter(isInFlight)).toEqual(['prepared', 'submitted', 'accepted', 'unknown']);
  });
});

describe('the result an attempt already has in the database', () => {
  const resolvedAt = new Date('2025-03-10T02:00:00Z');
  const now = Date.UTC(2025, 2, 12);
  const row = (status: DebitAttemptStatus, over: Partial<StoredAttempt> = {}): StoredAttempt => ({
    status,
    reason: null,
    customer_fault: null,
    resolved_at: null,
    ...over,
  });

  it.each([
    { status: 'prepared', expected: undefined },
    { status: 'submitted', expected: undefined },
    { status: 'accepted', expected: undefined },
    { status: 'unknown', expected: undefined },
    { status: 'withdrawn', expected: undefined },
    { status: 'succeeded', expected: { status: 'succeeded', at: resolvedAt.getTime() } },
    { status: 'failed', expected: { status: 'failed', reason: 'INSUFFICIENT_FUNDS', retryable: true, customerFault: true } },
    { status: 'returned', expected: { status: 'returned', reason: 'INSUFFICIENT_FUNDS', customerFault: true } },
  ] as const)('$status: $expected.status', ({ status, expected }) => {
    const reason = status === 'failed' || status === 'returned' ? 'INSUFFICIENT_FUNDS' : null;
    expect(storedResult(row(status, { reason, resolved_at: resolvedAt }), now)).toEqual(expected);
  });

  it('dates a success stored without its time by the clock passed in', () => {
    expect(storedResult(row('succeeded'), now)).toEqual({ status: 'succeeded', at: now });
  });

  it('keeps the customer fault stored over the reason rule', () => {
    expect(storedResult(row('failed', { reason: 'NAME_MISMATCH', customer_fault: true }), now)).toEqual({
      status: 'failed',
      reason: 'NAME_MISMATCH',
      retryable: false,
      customerFault: true,
    });
    expect(storedResult(row('returned', { reason: 'INSUFFICIENT_FUNDS', customer_fault: false }), now)).toEqual({
      status: 'returned',
      reason: 'INSUFFICIENT_FUNDS',
      customerFault: false,
    });
  });

  it('reads a missing reason as UNKNOWN and an unrecognised one by the UNKNOWN rule', () => {
    expect(storedResult(row('failed'), now)).toEqual({ status: 'failed', reason: 'UNKNOWN', retryable: true, customerFault: false });
    expect(storedResult(row('failed', { reason: 'NOT_A_REASON' }), now)).toEqual({ status: 'failed', reason: 'NOT_A_REASON', retryable: true, customerFault: false });
  });
});

describe('the result of an outcome just recorded', () => {
  const at = new Date('2025-03-10T02:00:00Z');

  it.each([
    { outcome: { status: 'succeeded', bankRef: 'B1', at }, expected: { status: 'succeeded', at: at.getTime() } },
    { outcome: { status: 'failed', classified: classifyIsoReason('AM04'), at }, expected: { status: 'failed', reason: 'INSUFFICIENT_FUNDS', retryable: true, customerFault: true } },
    { outcome: { status: 'failed', classified: classifyIsoReason('BE05'), bankRef: 'B2', at }, expected: { status: 'failed', reason: 'NAME_MISMATCH', retryable: false, customerFault: false } },
    { outcome: { status: 'returned', classified: classifyIsoReason('MD06'), at }, expected: { status: 'returned', reason: 'REFUSED_BY_DEBTOR', customerFault: true } },
  ] satisfies { outcome: FinalOutcome; expected: unknown }[])('$outcome.status → $expected.status', ({ outcome, expected }) => {
    expect(resultOf(outcome)).toEqual(expected);
  });
});
