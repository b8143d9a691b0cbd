import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import iconv from 'iconv-lite';
import { yuanToFen } from '../../domain/money';
import {
  ACCOUNT_CLASSES,
  ACCOUNT_STATUSES,
  accountKey,
  type AccountClass,
  type AccountStatus,
  type Mandate,
  type SimulatedAccount,
} from './simulator/accounts';

/**
 * accounts.csv: the simulated bank's accounts. Header row with
 * `bank_code, account_no, account_name, balance, status, daily_limit` (balance and daily_limit in
 * yuan with up to 2 decimals; daily_limit empty = none), and optionally `account_class` (I, II,
 * III; empty = I) and `mandate` (see parseMandates). UTF-8 with or without BOM, or GBK.
 */
export const REQUIRED_COLUMNS = ['bank_code', 'account_no', 'account_name', 'balance', 'status', 'daily_limit'] as const;
export const OPTIONAL_COLUMNS = ['account_class', 'mandate'] as const;

export interface AccountRowError {
  /** Line number in the file; the header is row 1. */
  row: number;
  column: string;
  message: string;
}

export interface AccountsCsv {
  accounts: SimulatedAccount[];
  errors: AccountRowError[];
}

type Column = (typeof REQUIRED_COLUMNS)[number] | (typeof OPTIONAL_COLUMNS)[number];

/** Reads and checks accounts.csv: good rows load, each bad row is reported and left out. */
export async function readAccountsCsv(path: string): Promise<AccountsCsv> {
  return parseAccountsCsv(await readFile(path));
}

export function parseAccountsCsv(input: Buffer | string): AccountsCsv {
  const text = typeof input === 'string' ? input : decodeCsv(input);
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, { bom: true, info: true, relax_column_count: true, skip_empty_lines: true, trim: true }) as unknown as typeof records;
  } catch (error) {
    const line = (error as { lines?: number }).lines ?? 1;
    return { accounts: [], errors: [{ row: line, column: '(file)', message: `not valid CSV: ${(error as Error).message}` }] };
  }
  const [header, ...rows] = records;
  if (!header) return { accounts: [], errors: [{ row: 1, column: '(header)', message: 'the file is empty: a header row is required' }] };

  const names = header.record.map((name) => name.toLowerCase());
  const headerErrors: AccountRowError[] = [];
  for (const required of REQUIRED_COLUMNS) {
    if (!names.includes(required)) headerErrors.push({ row: 1, column: required, message: 'required column is missing from the header' });
  }
  names.forEach((name) => {
    if (!(REQUIRED_COLUMNS as readonly string[]).includes(name) && !(OPTIONAL_COLUMNS as readonly string[]).includes(name)) {
      headerErrors.push({ row: 1, column: name, message: `unknown column (expected ${[...REQUIRED_COLUMNS, ...OPTIONAL_COLUMNS].join(', ')})` });
    }
  });
  if (headerErrors.length > 0) return { accounts: [], errors: headerErrors };

  const accounts: SimulatedAccount[] = [];
  const errors: AccountRowError[] = [];
  const seen = new Map<string, number>();
  for (const { record, info } of rows) {
    const row = info.lines;
    const cell = (column: Column): string | undefined => {
      const index = names.indexOf(column);
      return index < 0 ? undefined : (record[index] ?? '');
    };
    if (record.length !== names.length) {
      errors.push({ row, column: '(row)', message: `has ${record.length} fields, the header has ${names.length}` });
      continue;
    }
    const rowErrors: AccountRowError[] = [];
    const fail = (column: Column, message: string): undefined => {
      rowErrors.push({ row, column, message });
      return undefined;
    };
    const bankCode = checkBankCode(cell('bank_code') ?? '', fail);
    const accountNo = checkAccountNo(cell('account_no') ?? '', fail);
    const accountName = checkName(cell('account_name') ?? '', fail);
    const balanceFen = yuan(cell('balance') ?? '', 'balance', false, fail);
    const status = oneOf<AccountStatus>((cell('status') ?? '').toLowerCase(), ACCOUNT_STATUSES, 'status', fail);
    const dailyLimitFen = (cell('daily_limit') ?? '') === '' ? null : yuan(cell('daily_limit') ?? '', 'daily_limit', true, fail);
    const classCell = cell('account_class');
    const accountClass = classCell === undefined || classCell === '' ? 'I' : oneOf<AccountClass>(classCell.toUpperCase(), ACCOUNT_CLASSES, 'account_class', fail);
    const mandateCell = cell('mandate');
    const mandates = parseMandates(mandateCell ?? '', (message) => fail('mandate', message));
    if (bankCode && accountNo) {
      const earlier = seen.get(accountKey(bankCode, accountNo));
      if (earlier !== undefined) fail('account_no', `the same bank_code and account_no as row ${earlier}`);
      else seen.set(accountKey(bankCode, accountNo), row);
    }
    if (rowErrors.length > 0 || !bankCode || !accountNo || !accountName || balanceFen === undefined || !status || !accountClass || dailyLimitFen === undefined) {
      errors.push(...rowErrors);
      continue;
    }
    const account: SimulatedAccount = { bankCode, accountNo, accountName, balanceFen, status, accountClass, dailyLimitFen };
    if (mandates) account.mandates = mandates;
    accounts.push(account);
  }
  return { accounts, errors };
}

/**
 * The `mandate` cell: `;`-separated mandates, each `[creditor/]mandate_id[:active|revoked]`
 * (creditor omitted: the bank's own creditor; status omitted: active). `none`: no mandate at all.
 * Empty (or no such column): one active mandate for the bank's own creditor, the usual case.
 */
export function parseMandates(cell: string, fail: (message: string) => undefined): Mandate[] | undefined {
  if (cell.trim() === '') return undefined;
  if (cell.trim().toLowerCase() === 'none') return [];
  const mandates: Mandate[] = [];
  for (const part of cell.split(';').map((p) => p.trim()).filter((p) => p !== '')) {
    const match = /^(?:([A-Za-z0-9_.-]{1,35})\/)?([A-Za-z0-9_.-]{1,35})(?::(active|revoked))?$/i.exec(part);
    if (!match) return fail(`not a mandate ([creditor/]mandate_id[:active|revoked]): ${JSON.stringify(part)}`);
    const mandate: Mandate = { mandateId: match[2] ?? '', status: (match[3]?.toLowerCase() ?? 'active') as Mandate['status'] };
    if (match[1]) mandate.creditorId = match[1];
    mandates.push(mandate);
  }
  return mandates;
}

/** UTF-8 when the bytes are valid UTF-8 (BOM or not), otherwise GBK as Chinese spreadsheets save it. */
function decodeCsv(bytes: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return iconv.decode(bytes, 'gbk');
  }
}

type Fail = (column: Column, message: string) => undefined;

function checkBankCode(value: string, fail: Fail): string | undefined {
  if (value === '') return fail('bank_code', 'is required');
  if (!/^[A-Za-z0-9]{2,20}$/.test(value)) return fail('bank_code', 'must be 2-20 letters or digits');
  return value;
}

function checkAccountNo(value: string, fail: Fail): string | undefined {
  if (value === '') return fail('account_no', 'is required');
  // The number itself is personal data: the message says what is wrong, not what was there.
  if (!/^\d{6,32}$/.test(value)) return fail('account_no', 'must be 6-32 digits');
  return value;
}

function checkName(value: string, fail: Fail): string | undefined {
  if (value === '') return fail('account_name', 'is required');
  if (Array.from(value).length > 60) return fail('account_name', 'is longer than 60 characters');
  return value;
}

function yuan(value: string, column: Column, positive: boolean, fail: Fail): number | undefined {
  if (value === '') return fail(column, 'is required (yuan, up to 2 decimals)');
  try {
    const fen = yuanToFen(value);
    if (positive && fen === 0) return fail(column, 'must be greater than 0');
    return fen;
  } catch {
    return fail(column, `not an amount in yuan with at most 2 decimals: ${JSON.stringify(value)}`);
  }
}

function oneOf<T extends string>(value: string, allowed: readonly T[], column: Column, fail: Fail): T | undefined {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  return fail(column, `must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
}
