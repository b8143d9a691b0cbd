import { createHmac, timingSafeEqual } from 'node:crypto';

/*
 * SIGNED_MSG. The real gateway signs the whole XML text, taken with SIGNED_MSG empty, with the
 * merchant's RSA key (SHA1withRSA, hex) and checks it with the merchant's certificate. The project
 * has no certificates to test with, so both sides use HMAC-SHA256 over the same text with a shared
 * key instead: same field, same place in the message, same failure (1106) when it does not match.
 * Swapping in RSA means changing these two functions only.
 */

const SIGNED_MSG = /<SIGNED_MSG>([^<]*)<\/SIGNED_MSG>|<SIGNED_MSG\s*\/>/;

function emptied(xml: string): string {
  return xml.replace(SIGNED_MSG, '<SIGNED_MSG></SIGNED_MSG>');
}

function digest(xml: string, key: string): string {
  return createHmac('sha256', key).update(emptied(xml), 'utf8').digest('hex');
}

/** The message with its SIGNED_MSG filled in. */
export function signMessage(xml: string, key: string): string {
  if (!SIGNED_MSG.test(xml)) throw new Error('the message has no SIGNED_MSG element to sign');
  return emptied(xml).replace('<SIGNED_MSG></SIGNED_MSG>', `<SIGNED_MSG>${digest(xml, key)}</SIGNED_MSG>`);
}

export function verifyMessage(xml: string, key: string): boolean {
  const given = SIGNED_MSG.exec(xml)?.[1] ?? '';
  const expected = digest(xml, key);
  return given.length === expected.length && timingSafeEqual(Buffer.from(given), Buffer.from(expected));
}
