import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Whether a presented secret (a push token, a signature) equals the expected one, in constant time:
 * both are hashed first, so neither their contents nor their lengths show in the timing.
 */
export function sameSecret(given: string, expected: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected));
}
