/**
 * Personal data (PIPL) in values that leave the system: which field names hold it and how each is
 * masked, and (personal-text.ts) what is found inside free text. Used by the logger, the audit
 * export and the history timeline, so every output masks alike. The masks are those of masking.ts
 * (138****8000; first 6 + last 4).
 */
import { maskEmail, maskMobile, maskName, maskNumber, maskOpenId, maskPostalAddress } from './masking';
import { maskPersonalText } from './personal-text';

export { maskPersonalText };

type FieldMask = (value: string) => string;

/** Anything shown to a person, or an address: shape decides (an email, a number, an openid). */
function maskAddress(value: string): string {
  if (value.includes('@')) return maskEmail(value);
  if ((value.match(/\d/g) ?? []).length >= 7) return maskMobile(value);
  if (/^[A-Za-z0-9_-]{20,}$/.test(value)) return maskOpenId(value);
  return maskPersonalText(value);
}

/** Personal fields by name (matched case-insensitively, ignoring _ and -) and how each is masked. */
const FIELD_MASKS: Readonly<Record<string, FieldMask>> = {
  mobile: maskMobile,
  phone: maskMobile,
  holdermobile: maskMobile,
  agentmobile: maskMobile,
  idno: maskNumber,
  holderidno: maskNumber,
  insuredidno: maskNumber,
  accountno: maskNumber,
  email: maskEmail,
  holderemail: maskEmail,
  openid: maskOpenId,
  wechatopenid: maskOpenId,
  holderwechatopenid: maskOpenId,
  holderpostaladdress: maskPostalAddress,
  postaladdress: maskPostalAddress,
  name: maskName,
  holdername: maskName,
  insuredname: maskName,
  accountname: maskName,
  customername: maskName,
  agentname: maskName,
  to: maskAddress,
  recipient: maskAddress,
};

/** The field names redacted, as written in code (the redact paths need the exact spelling). */
export const PERSONAL_FIELDS = [
  'mobile',
  'phone',
  'holderMobile',
  'agentMobile',
  'idNo',
  'holderIdNo',
  'insuredIdNo',
  'accountNo',
  'email',
  'holderEmail',
  'openId',
  'wechatOpenId',
  'holderWechatOpenId',
  'holderPostalAddress',
  'postalAddress',
  'name',
  'holderName',
  'insuredName',
  'accountName',
  'customerName',
  'agentName',
  'to',
  'recipient',
] as const;

const normaliseKey = (key: string): string => key.toLowerCase().replace(/[_-]/g, '');

export function isPersonalField(key: string): boolean {
  return fieldMask(key) !== undefined;
}

/** The mask for a field name, if it is a personal one. */
function fieldMask(key: string): FieldMask | undefined {
  return FIELD_MASKS[normaliseKey(key)];
}

/**
 * The value of a personal field, masked. Values already masked (they contain *) are left as they
 * are, so masking twice (the walk, then the redact paths) changes nothing.
 */
export function maskPersonalField(key: string, value: unknown): unknown {
  const mask = fieldMask(key);
  if (!mask) return typeof value === 'string' ? maskPersonalText(value) : value;
  if (typeof value === 'string') return value.includes('*') ? value : mask(value);
  if (typeof value === 'number' || typeof value === 'bigint') return mask(String(value));
  // An object under a personal name (e.g. name: { first, last }): everything in it is personal.
  return value === null || value === undefined ? value : '[redacted]';
}

const MAX_DEPTH = 12;

/**
 * A copy of any value with personal fields and personal text masked, at any depth. Errors become
 * copies of the same class with masked message and stack; cycles and very deep values are cut.
 */
export function redactPersonalData<T>(value: T): T {
  return walk(value, 0, new WeakSet()) as T;
}

function walk(value: unknown, depth: number, seen: WeakSet<object>): unknown {
  if (typeof value === 'string') return maskPersonalText(value);
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return '[circular]';
  if (depth >= MAX_DEPTH) return '[too deep]';
  seen.add(value);
  try {
    if (value instanceof Date) return value;
    if (Array.isArray(value)) return value.map((item) => walk(item, depth + 1, seen));
    if (value instanceof Error) return maskedError(value, depth, seen);
    const copy: Record<string | symbol, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      copy[key] = fieldMask(key) ? maskPersonalField(key, item) : walk(item, depth + 1, seen);
    }
    return copy;
  } finally {
    seen.delete(value);
  }
}

function maskedError(error: Error, depth: number, seen: WeakSet<object>): Error {
  // Same prototype, so pino's err serializer still reports the type and walks the cause.
  const copy = Object.create(Object.getPrototypeOf(error) as object) as Error;
  for (const key of Object.getOwnPropertyNames(error)) {
    const item = (error as unknown as Record<string, unknown>)[key];
    Object.defineProperty(copy, key, {
      value: fieldMask(key) ? maskPersonalField(key, item) : walk(item, depth + 1, seen),
      enumerable: Object.prototype.propertyIsEnumerable.call(error, key),
      writable: true,
      configurable: true,
    });
  }
  return copy;
}
