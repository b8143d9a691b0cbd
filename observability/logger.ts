import type { Logger as TemporalLogger, LogLevel, LogMetadata } from '@temporalio/common';
import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import { maskPersonalField, PERSONAL_FIELDS, redactPersonalData } from '../domain/personal-data';

/**
 * Structured logging (pino) that never writes personal data (PIPL; docs/business-rules.md#personal-data):
 * - known personal fields are masked by name wherever they sit: redact paths for pino's fast path
 *   (four levels deep, child bindings included) and a walk of every logged object for deeper ones;
 * - mainland mobiles, ID numbers, 16–19 digit account numbers and email addresses are masked inside
 *   any string: the message, its format arguments, string fields, error messages and stacks.
 * The rules are domain/personal-data.ts's, so a log line still tells an engineer which customer or
 * account it was about without saying who.
 */

/** Redact paths for every personal field at the top and up to three levels below. */
function redactPaths(): string[] {
  const paths: string[] = [];
  for (const field of PERSONAL_FIELDS) {
    paths.push(field, `*.${field}`, `*.*.${field}`, `*.*.*.${field}`, `*[*].${field}`, `*.*[*].${field}`);
  }
  return paths;
}

export interface CreateLoggerOptions {
  /** pino level (LOG_LEVEL, as the worker is configured); default 'info'. */
  level?: string;
  /** Where lines go; default stderr (synchronously flushed), so stdout stays for a command's output. */
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
    level: options.level ?? 'info',
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
  const logger = pino(config, options.destination ?? pino.destination({ dest: 2, sync: true }));
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
