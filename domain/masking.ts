/**
 * Masking of personal data for logs, reports, exports and anything shown to people (PIPL; see
 * docs/business-rules.md#masking): mobile 138****8000, ID and bank account numbers first 6 + last 4.
 */

export function maskMobile(mobile: string): string {
  const digits = mobile.replace(/\D/g, '');
  if (digits.length < 7) return '*'.repeat(digits.length);
  return `${digits.slice(0, 3)}${'*'.repeat(digits.length - 7)}${digits.slice(-4)}`;
}

/** ID card and bank account numbers: first 6 and last 4 shown. */
export function maskNumber(value: string): string {
  const compact = value.replace(/\s/g, '');
  if (compact.length <= 10) return `${compact.slice(0, 1)}${'*'.repeat(Math.max(compact.length - 1, 0))}`;
  return `${compact.slice(0, 6)}${'*'.repeat(compact.length - 10)}${compact.slice(-4)}`;
}

/**
 * Passports and travel permits (E12345678, H1234567801) are short: first 6 + last 4 would show
 * nearly all of them, so only the letter that names the kind of document is kept.
 */
export function maskTravelDocument(value: string): string {
  const compact = value.replace(/\s/g, '');
  return `${compact.slice(0, 1)}${'*'.repeat(Math.max(compact.length - 1, 0))}`;
}

/** Names keep the family name (first character): 张三丰 → 张**. Latin names keep the first letter. */
export function maskName(name: string): string {
  const chars = Array.from(name.trim());
  if (chars.length === 0) return '';
  return `${chars[0]}${'*'.repeat(Math.max(chars.length - 1, 1))}`;
}

export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at <= 0) return maskName(email);
  const local = email.slice(0, at);
  return `${local.slice(0, 1)}***@${email.slice(at + 1)}`;
}

/**
 * Postal addresses keep their first characters (province and city, 上海市黄浦区***), never more
 * than a third of the address: the street, number and name on it stay hidden.
 */
export function maskPostalAddress(address: string): string {
  const chars = Array.from(address.trim());
  return `${chars.slice(0, Math.min(6, Math.floor(chars.length / 3))).join('')}***`;
}

/** WeChat openids are pseudonymous but stable: show only a short prefix. */
export function maskOpenId(openId: string): string {
  return `${openId.slice(0, 4)}****`;
}
