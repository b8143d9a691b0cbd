import type { Logger as TemporalLogger, LogLevel, LogMetadata } from '@temporalio/common';
import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import { maskEmail, maskMobile, maskName, maskNumber, maskOpenId } from '../domain/masking';

/**
 * Structured logging (pino) that never writes personal data (PIPL; domain.md "Personal data"):
 * - known personal fields are masked by name wherever they sit: redact paths for pino's fast path
 *   (four levels deep, child bindings included) and a walk of every logged object for deeper ones;
 * - mainland mobiles, ID numbers, 16–19 digit account numbers and email addresses are masked inside
 *   any string: the message, its format arguments, string fields, error messages and stacks.
 * Masks follow domain/masking.ts (138****8000; first 6 + last 4), so a log line still tells an
 * engineer which customer or account it was about without saying who.
 */

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

// Digits glued to letters or other digits are part of something else (a hash, a reference), so
// they are left alone; the ID number may end in X. Order matters: the longest shapes first.
const ID_NUMBER = /(?<![\dA-Za-z])\d{17}[\dXx](?![\dA-Za-z])/g;
const ACCOUNT_NUMBER = /(?<![\dA-Za-z])(?:\d{16,19}|\d{4}(?:[ -]\d{4}){3}(?:[ -]\d{1,3})?)(?![\dA-Za-z])/g;
const MOBILE = /(?<![\dA-Za-z])(\+?86[ -]?)?(1[3-9]\d[ -]?\d{4}[ -]?\d{4})(?![\dA-Za-z])/g;
const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+/g;

/** Masks mobiles, ID numbers, account numbers and email addresses inside free text. Idempotent. */
export function maskPersonalText(text: string): string {
  return text
    .replace(ID_NUMBER, (id) => maskNumber(id))
    .replace(ACCOUNT_NUMBER, (account) => maskNumber(account))
    .replace(MOBILE, (_match, prefix: string | undefined, mobile: string) => `${prefix ?? ''}${maskMobile(mobile)}`)
    .replace(EMAIL, (email) => maskEmail(email));
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

/** Redact paths for every personal field at the top and up to three levels below. */
function redactPaths(): string[] {
  const paths: string[] = [];
  for (const field of PERSONAL_FIELDS) {
    paths.push(field, `*.${field}`, `*.*.${field}`, `*.*.*.${field}`, `*[*].${field}`, `*.*[*].${field}`);
  }
  return paths;
}

export interface CreateLoggerOptions {
  /** pino level; default LOG_LEVEL or 'info'. */
  level?: string;
  /** Where lines go; default stdout (synchronously flushed pino destination). */
  destination?: DestinationStream;
  /** Fields on every line (e.g. { taskQueue }). Masked like everything else. */
  bindings?: Record<string, unknown>;
}

/**
 * A pino logger whose lines carry no personal data. The component name is written as `logger`,
 * not pino's `name`, because `name` is itself a personal field and is masked wherever it appears.
 */
export function createLogger(name: string, options: CreateLoggerOptions = {}): Logger {
  const config: LoggerOptions = {
    level: options.level ?? process.env.LOG_LEVEL ?? 'info',
    base: { logger: name, pid: process.pid, ...redactPersonalData(options.bindings ?? {}) },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: {
      paths: redactPaths(),
      censor: (value: unknown, path: string[]) => maskPersonalField(path[path.length - 1] ?? '', value),
    },
    hooks: {
      // Every argument of every call: the message, printf arguments, merged objects and errors.
      logMethod(args, method) {
        return method.apply(this, args.map((arg) => redactPersonalData(arg)) as Parameters<typeof method>);
      },
    },
  };
  const logger = options.destination ? pino(config, options.destination) : pino(config);
  maskChildBindings(logger);
  return logger;
}

/**
 * pino passes child bindings through neither the logMethod hook nor formatters.bindings, and its
 * redact paths reach only the named fields: mask them on the way in. Children inherit this child()
 * through the prototype chain, so grandchildren are covered too.
 */
function maskChildBindings(logger: Logger): void {
  // Taken unbound on purpose: each child calls it with itself as `this`.
  const inherited = Reflect.get(logger, 'child') as unknown as (this: Logger, ...args: Parameters<Logger['child']>) => Logger;
  Object.defineProperty(logger, 'child', {
    value: function child(this: Logger, bindings: Parameters<Logger['child']>[0], childOptions?: Parameters<Logger['child']>[1]) {
      return inherited.call(this, redactPersonalData(bindings), childOptions);
    },
    writable: true,
    configurable: true,
  });
}

const TEMPORAL_TIMESTAMP = Symbol.for('log_timestamp');

const LEVELS: Readonly<Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'>> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

/**
 * The Temporal SDK's Logger on top of a masking pino logger, for Runtime.install({ logger }).
 * Core's forwarded lines arrive late with their own timestamp (nanoseconds under a symbol key):
 * it is kept as `at` so the line says when it happened, not when it was forwarded.
 */
export function temporalLogger(logger: Logger): TemporalLogger {
  const write = (level: LogLevel, message: string, meta?: LogMetadata): void => {
    const fields: Record<string, unknown> = {};
    if (meta) {
      for (const [key, value] of Object.entries(meta)) fields[key] = value;
      const nanos: unknown = meta[TEMPORAL_TIMESTAMP];
      if (typeof nanos === 'bigint') fields.at = new Date(Number(nanos / 1_000_000n)).toISOString();
    }
    logger[LEVELS[level] ?? 'info'](fields, message);
  };
  return {
    log: write,
    trace: (message, meta) => write('TRACE', message, meta),
    debug: (message, meta) => write('DEBUG', message, meta),
    info: (message, meta) => write('INFO', message, meta),
    warn: (message, meta) => write('WARN', message, meta),
    error: (message, meta) => write('ERROR', message, meta),
  };
}
