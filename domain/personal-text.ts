/**
 * Personal data inside free text (log messages, failure messages, a reason typed by an operator):
 * mobiles, ID card numbers (18 and 15 digits), bank account numbers, passports and travel permits,
 * and email addresses, masked as masking.ts masks them (138****8000; first 6 + last 4).
 *
 * What is not personal must come through unchanged: policy numbers (P3201000101), idempotency keys,
 * ISO timestamps, amounts, UUIDs and hashes. So a number is masked only in the shapes personal data
 * takes, and a bare run of 12 to 15 digits (an order number, milliseconds since 1970) only when it is
 * labelled as an account.
 */
import { maskEmail, maskMobile, maskNumber, maskTravelDocument } from './masking';

type Mask = (match: RegExpExecArray) => string;

// Around a number: nothing alphanumeric (the number is part of something else: a hash, a key), or a
// word glued to it: "ID11010519491231002X", "tel13800138000". A word of letters only, so a hex hash
// such as 3f9a13812348000ab (letters and digits mixed) is still left alone. The look back starts
// only at a digit, so a long run of letters is not scanned again at every position.
const GLUED_BEFORE = String.raw`(?=\d)(?<=(?:^|[^0-9A-Za-z])[A-Za-z]*)`;
const GLUED_AFTER = String.raw`(?=[A-Za-z]*(?:[^0-9A-Za-z]|$))`;
const ALONE_BEFORE = String.raw`(?<![0-9A-Za-z])`;
const ALONE_AFTER = String.raw`(?![0-9A-Za-z])`;

// First-generation ID cards (before 1999): 6-digit region, YYMMDD, 3-digit sequence. The date keeps
// other 15-digit numbers out.
const ID_15 = String.raw`[1-9]\d{5}\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}`;

// "account", "acct", "a/c", "card", 账号, 账户, 卡号, 银行卡, optionally "no", "number", "id", then at
// most a few separators: "account no. 622202123456", "卡号：622202123456", "acct622202123456".
const ACCOUNT_LABEL = String.raw`(?=\d)(?<=(?:account|acct|a\/c|card|iban|账号|账户|卡号|银行卡)(?:[ _.-]?(?:no|num|number|id)\.?)?[为是]?[\s:=#"'>]{0,3})`;

/** The shapes, longest first: an ID number's 18 digits must not be taken for an account's. */
const RULES: readonly { pattern: RegExp; mask: Mask }[] = [
  { pattern: new RegExp(String.raw`${GLUED_BEFORE}\d{17}[\dXx]${GLUED_AFTER}`, 'g'), mask: (m) => maskNumber(m[0]) },
  { pattern: new RegExp(String.raw`${GLUED_BEFORE}(?:\d{16,19})${GLUED_AFTER}`, 'g'), mask: (m) => maskNumber(m[0]) },
  { pattern: new RegExp(String.raw`${ALONE_BEFORE}\d{4}(?:[ -]\d{4}){3}(?:[ -]\d{1,3})?${ALONE_AFTER}`, 'g'), mask: (m) => maskNumber(m[0]) },
  { pattern: new RegExp(String.raw`${GLUED_BEFORE}${ID_15}${GLUED_AFTER}`, 'g'), mask: (m) => maskNumber(m[0]) },
  {
    pattern: new RegExp(String.raw`${ACCOUNT_LABEL}(?:\d{12,15}|\d{4}(?:[ -]\d{4}){2}(?:[ -]\d{1,3})?)${ALONE_AFTER}`, 'gi'),
    mask: (m) => maskNumber(m[0]),
  },
  // Written apart with spaces, dashes or dots: 138 0013 8000, 138-0013-8000, 138.0013.8000.
  {
    pattern: new RegExp(String.raw`${ALONE_BEFORE}(\+?86[ .-]?)?(1[3-9]\d[ .-]?\d{4}[ .-]?\d{4})${ALONE_AFTER}`, 'g'),
    mask: ([, prefix, mobile]) => `${prefix ?? ''}${maskMobile(mobile!)}`,
  },
  { pattern: new RegExp(String.raw`${GLUED_BEFORE}(86)?(1[3-9]\d{9})${GLUED_AFTER}`, 'g'), mask: ([, prefix, mobile]) => `${prefix ?? ''}${maskMobile(mobile!)}` },
  // Passports: E or G + 8 digits, E + letter + 7 (EA1234567), official D/S/P + E + 7. Travel permits
  // to Hong Kong and Macau: C + 8; home-return permits: H or M + 8, or + 10 (with the issue count).
  // Capitals only and never glued: the letter is the document's, and P3201000101 is a policy.
  {
    pattern: new RegExp(String.raw`${ALONE_BEFORE}(?:[EG]\d{8}|E[A-HJ-NP-Z]\d{7}|[DSP]E\d{7}|C\d{8}|[HM]\d{8}(?:\d{2})?)${ALONE_AFTER}`, 'g'),
    mask: (m) => maskTravelDocument(m[0]),
  },
  // Starting only where a local part can start: otherwise a long word with no @ is scanned again from
  // each of its letters (seconds for a 200 000-character line).
  { pattern: /(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+/g, mask: (m) => maskEmail(m[0]) },
];

/**
 * Full-width forms (１３８００１３８０００, ＩＤ) as their ASCII twins, one UTF-16 unit for one, so a
 * match in the folded text sits at the same place in the original.
 */
function halfWidth(text: string): string {
  return text.replace(/[\uFF01-\uFF5E\u3000]/g, (c) => (c === '\u3000' ? ' ' : String.fromCharCode(c.charCodeAt(0) - 0xfee0)));
}

function maskMatches(text: string, { pattern, mask }: { pattern: RegExp; mask: Mask }): string {
  const folded = halfWidth(text);
  let masked = '';
  let from = 0;
  for (const match of folded.matchAll(pattern)) {
    masked += text.slice(from, match.index) + mask(match);
    from = match.index + match[0].length;
  }
  return masked + text.slice(from);
}

/** Masks personal data inside free text. Idempotent: a mask holds * and matches no shape again. */
export function maskPersonalText(text: string): string {
  return RULES.reduce(maskMatches, text);
}
