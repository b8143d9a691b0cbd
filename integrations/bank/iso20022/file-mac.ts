import { createHmac, timingSafeEqual } from 'node:crypto';

/*
 * How a file from the bank is authenticated. A pain.002 or camt.054 has no place of its own for a
 * signature (neither schema version has SplmtryData, and an enveloped XML signature would fail the
 * schema check), so the bank sends a detached MAC with each file, as file channels commonly do: a
 * file FILE.mac next to FILE, holding one line `HMAC-SHA256 <64 hex digits>` computed over the file's
 * exact bytes with the key agreed with the bank (BANK_FILE_KEY). A file is read only once its MAC
 * matches; one changed byte, or a MAC made with another key, and it is refused whole.
 */

/** The name of a file's MAC, next to it. */
export const FILE_MAC_SUFFIX = '.mac';

const ALGORITHM = 'HMAC-SHA256';
const LINE = /^HMAC-SHA256 ([0-9a-f]{64})\s*$/;

/** The MAC line the bank sends with `bytes`. */
export function fileMac(bytes: Buffer | string, key: string): string {
  if (!key) throw new Error('a file MAC needs a key');
  return `${ALGORITHM} ${createHmac('sha256', key).update(bytes).digest('hex')}\n`;
}

/** True when `mac` (the text of FILE.mac) is the MAC of exactly these bytes under `key`. */
export function fileMacMatches(bytes: Buffer, mac: string | undefined, key: string): boolean {
  const given = LINE.exec(mac ?? '')?.[1];
  if (!given || !key) return false;
  const expected = fileMac(bytes, key).trim().slice(ALGORITHM.length + 1);
  return timingSafeEqual(Buffer.from(given), Buffer.from(expected));
}
