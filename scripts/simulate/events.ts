import { parse } from 'csv-parse/sync';
import iconv from 'iconv-lite';
import { isCivilDate, shanghaiTimeInstant, type CivilDate } from '../../domain/civil-date';
import { yuanToFen } from '../../domain/money';
import { isReturnReason, RETURN_REASONS, type ReturnReason } from '../../domain/letters';
import { isNonPaymentReason, type NonPaymentReasonCode } from '../../domain/non-payment-reasons';
import type { PaymentMethod } from '../../domain/reinstatement-application';
import { isPaymentProvider, PAYMENT_PROVIDERS, type PaymentProviderName } from '../../integrations/payments/port';

/**
 * events.csv of a scenario: `date, policy_no, event, value`, one thing a customer, the bank or a
 * claims desk does on a day, applied at 08:00 Asia/Shanghai of that day in simulated time (before the
 * day's debits and contacts).
 */
export const EVENT_COLUMNS = ['date', 'policy_no', 'event', 'value'] as const;

export type ScenarioEvent = { row: number; date: CivilDate; policyNo: string } & (
  | { kind: 'deposit'; amountFen: number }
  /** At the counter: an amount (none: all that is owed) and, reported late, when it was paid (Shanghai time). */
  | { kind: 'pay_counter'; amountFen?: number; paidAt?: number }
  /** Through the premium's payment link at WeChat Pay (default) or Alipay (the simulators'): all that is due. */
  | { kind: 'pay_online'; provider: PaymentProviderName }
  | { kind: 'promise'; until: CivilDate }
  | { kind: 'refuse'; reasonCode: NonPaymentReasonCode }
  | { kind: 'claim_open' }
  | { kind: 'claim_close' }
  | { kind: 'account_update'; accountNo: string }
  /** The application to reinstate a suspended policy, its back premiums to be paid by debit (default) or at the counter. */
  | { kind: 'apply_reinstatement'; paymentMethod: PaymentMethod }
  /** The post brings the policy's latest letter back (why: a return reason, unknown_address when empty). */
  | { kind: 'letter_returned'; reason: ReturnReason }
);

export type EventKind = ScenarioEvent['kind'];
export const EVENT_KINDS: readonly EventKind[] = ['deposit', 'pay_counter', 'pay_online', 'promise', 'refuse', 'claim_open', 'claim_close', 'account_update', 'apply_reinstatement', 'letter_returned'];

export interface ScenarioRowError {
  file: string;
  row: number;
  /** The row's policy number, agent or product code, for rows of the import files that have a valid one. */
  key?: string | null;
  column: string;
  reason: string;
}

/** Reads events.csv: good rows in date order (file order within a day), each bad row named. */
export function parseEvents(bytes: Buffer, file = 'events.csv'): { events: ScenarioEvent[]; errors: ScenarioRowError[] } {
  const text = decode(bytes);
  const errors: ScenarioRowError[] = [];
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, { bom: true, info: true, relax_column_count: true, skip_empty_lines: true, trim: true }) as unknown as typeof records;
  } catch (error) {
    return { events: [], errors: [{ file, row: (error as { lines?: number }).lines ?? 1, column: '(file)', reason: `not valid CSV: ${(error as Error).message}` }] };
  }
  const [header, ...rows] = records;
  if (!header) return { events: [], errors: [] };
  const names = header.record.map((n) => n.toLowerCase());
  const missing = EVENT_COLUMNS.filter((c) => !names.includes(c));
  if (missing.length > 0) return { events: [], errors: missing.map((column) => ({ file, row: 1, column, reason: 'required column is missing from the header' })) };

  const events: ScenarioEvent[] = [];
  for (const { record, info } of rows) {
    const cell = (column: (typeof EVENT_COLUMNS)[number]) => record[names.indexOf(column)] ?? '';
    const fail = (column: string, reason: string) => errors.push({ file, row: info.lines, column, reason });
    const date = cell('date');
    const policyNo = cell('policy_no');
    const kind = cell('event').toLowerCase();
    const value = cell('value');
    let bad = false;
    if (!isCivilDate(date)) {
      fail('date', `must be a date YYYY-MM-DD, got ${JSON.stringify(date)}`);
      bad = true;
    }
    if (!/^[A-Za-z0-9_-]{1,32}$/.test(policyNo)) {
      fail('policy_no', 'must be a policy number of 1 to 32 letters or digits');
      bad = true;
    }
    const detail = eventDetail(kind, value, (reason) => fail(kind && EVENT_KINDS.includes(kind as EventKind) ? 'value' : 'event', reason));
    if (bad || !detail) continue;
    events.push({ row: info.lines, date, policyNo, ...detail });
  }
  // Stable: file order within a day.
  events.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  return { events, errors };
}

type Detail = DistributiveOmit<ScenarioEvent, 'row' | 'date' | 'policyNo'>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

function eventDetail(kind: string, value: string, fail: (reason: string) => void): Detail | undefined {
  switch (kind) {
    case 'deposit': {
      try {
        const amountFen = yuanToFen(value);
        if (amountFen > 0) return { kind, amountFen };
      } catch {
        // reported below
      }
      fail(`a deposit needs an amount in yuan greater than 0 with up to 2 decimals, got ${JSON.stringify(value)}`);
      return undefined;
    }
    case 'pay_counter': {
      // `<yuan>`, `<yuan>@<paid at>` or `@<paid at>`: the amount (empty: all that is owed) and, for a
      // payment reported after the day it was made, when it was made.
      const [amount = '', paid] = value.split('@');
      let amountFen: number | undefined;
      try {
        if (amount !== '') amountFen = yuanToFen(amount);
      } catch {
        // reported below
      }
      const paidAt = paid === undefined ? undefined : shanghaiTimeInstant(paid);
      if ((amount !== '' && !(amountFen! > 0)) || (paid !== undefined && paidAt === undefined)) {
        fail(`a counter payment takes the amount in yuan (empty: all that is owed), optionally @ when it was paid (YYYY-MM-DD HH:MM), got ${JSON.stringify(value)}`);
        return undefined;
      }
      return { kind, ...(amountFen !== undefined ? { amountFen } : {}), ...(paidAt !== undefined ? { paidAt } : {}) };
    }
    case 'pay_online': {
      // A link charges what is due (a part is paid at the counter or by transfer); the value says where
      // the customer pays, WeChat Pay when empty, as files written before Alipay was offered mean.
      const provider = value === '' ? 'wechatpay' : value.toLowerCase();
      if (!isPaymentProvider(provider)) {
        fail(`an online payment pays what is due through the payment link, at ${PAYMENT_PROVIDERS.join(' or ')} (empty: wechatpay), got ${JSON.stringify(value)}`);
        return undefined;
      }
      return { kind, provider };
    }
    case 'promise':
      if (!isCivilDate(value)) {
        fail(`a promise needs the promised date YYYY-MM-DD, got ${JSON.stringify(value)}`);
        return undefined;
      }
      return { kind, until: value };
    case 'refuse': {
      const reasonCode = Number(value);
      if (!/^\d{1,2}$/.test(value) || !isNonPaymentReason(reasonCode)) {
        fail(`a refusal needs a non-payment reason code 1-12, got ${JSON.stringify(value)}`);
        return undefined;
      }
      return { kind, reasonCode };
    }
    case 'claim_open':
    case 'claim_close':
      return { kind };
    case 'apply_reinstatement':
      if (value !== '' && value !== 'debit' && value !== 'counter') {
        fail(`a reinstatement application takes how the back premiums are paid: debit (the default) or counter, got ${JSON.stringify(value)}`);
        return undefined;
      }
      return { kind, paymentMethod: value === 'counter' ? 'counter' : 'debit' };
    case 'letter_returned': {
      const reason = value === '' ? 'unknown_address' : value;
      if (!isReturnReason(reason)) {
        fail(`a returned letter takes why it came back: ${RETURN_REASONS.join(', ')} (or leave it empty for unknown_address), got ${JSON.stringify(value)}`);
        return undefined;
      }
      return { kind, reason };
    }
    case 'account_update':
      if (!/^\d{8,32}$/.test(value)) {
        fail('an account update needs the new account number (8 to 32 digits, present in accounts.csv)');
        return undefined;
      }
      return { kind, accountNo: value };
    default:
      fail(`unknown event ${JSON.stringify(kind)} (expected ${EVENT_KINDS.join(', ')})`);
      return undefined;
  }
}

function decode(bytes: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return iconv.decode(bytes, 'gbk');
  }
}
