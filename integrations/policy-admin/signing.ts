import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * How a delivery to the policy administration system is signed (docs/architecture.md#policy-administration):
 * HMAC-SHA256 under the shared secret (POLICY_ADMIN_SECRET) over `<timestamp>.<body>`, the timestamp
 * in Unix seconds, hex. The timestamp is covered so a captured request cannot be replayed outside the
 * receiver's window; the body is covered byte for byte, so it is signed as sent, never re-serialised.
 */
export const SIGNATURE_HEADERS = {
  eventId: 'x-renewals-event-id',
  timestamp: 'x-renewals-timestamp',
  signature: 'x-renewals-signature',
} as const;

/** The scheme's version prefix: a new scheme gets a new prefix and both can be accepted during a change. */
const VERSION = 'v1=';

export function signPolicyChange(secret: string, timestamp: number, body: string): string {
  return `${VERSION}${createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex')}`;
}

/** Constant-time check of a signature header against the body and timestamp it came with. */
export function signatureMatches(secret: string, timestamp: number, body: string, given: string): boolean {
  const expected = Buffer.from(signPolicyChange(secret, timestamp, body));
  const actual = Buffer.from(given);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
