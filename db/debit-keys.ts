import { randomBytes } from 'node:crypto';

/**
 * Crockford's base32: digits and capitals without I, L, O and U. Both an ISO 20022 EndToEndId and the
 * gateway's REQ_SN take them, and no two of them are mistaken for each other when read out.
 */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const RANDOM_CHARACTERS = 26;

/**
 * A new idempotency key for a debit: a prefix naming its kind (RNW renewal premium, RI reinstatement)
 * and 26 random characters (130 bits from the system's CSPRNG), so nobody can guess the key of a debit
 * to forge an answer about it. 29 characters at most, within the 35 of an EndToEndId. Callers store it
 * before submission, where a unique index keeps it unique.
 */
export function newDebitKey(prefix: 'RNW' | 'RI'): string {
  // 256 is a multiple of 32, so each byte's low five bits are uniform.
  const random = [...randomBytes(RANDOM_CHARACTERS)].map((byte) => ALPHABET[byte & 31]).join('');
  return `${prefix}${random}`;
}
