import { isCivilDate } from '../../../domain/civil-date';
import { maskNumber } from '../../../domain/masking';
import { parseAccountsCsv } from '../accounts-csv';
import { ACCOUNT_STATUSES, type AccountStatus } from './accounts';
import type { CallbackSender } from './callbacks';
import type { BankCore, LedgerEntry, ReturnNotice } from './core';
import type { FaultSettings, GatewayFaults } from './faults';
import type { SimulatedGateway } from './gateway-service';

export interface AdminContext {
  core: BankCore;
  gateway: SimulatedGateway;
  faults: GatewayFaults;
  callbacks: CallbackSender;
}

export interface AdminRequest {
  method: string;
  url: URL;
  contentType: string;
  body: string;
}

export interface AdminResponse {
  status: number;
  json: unknown;
}

/** A request the caller got wrong: 400 with the message, which names the field. */
export class AdminInputError extends Error {}

/**
 * The simulator's own JSON endpoints under /sim (tests and the demo drive the bank with them).
 * Account numbers leave here masked, as from any bank system that is not the customer's.
 */
export function handleAdmin(ctx: AdminContext, req: AdminRequest): AdminResponse {
  const path = req.url.pathname;
  const route = `${req.method} ${path}`;
  const account = /^\/sim\/accounts\/([^/]+)\/([^/]+)$/.exec(path);
  try {
    switch (route) {
      case 'GET /sim/health':
        return ok({ status: 'ok', accounts: ctx.core.accountCount() });
      case 'POST /sim/accounts':
        return ok(loadAccounts(ctx, req));
      case 'POST /sim/deposits': {
        const body = jsonBody(req);
        ctx.core.deposit(str(body, 'bankCode'), str(body, 'accountNo'), int(body, 'amountFen'), date(body, 'valueDate'));
        return ok({ deposited: true });
      }
      case 'POST /sim/mandates': {
        const body = jsonBody(req);
        const status = str(body, 'status');
        if (status !== 'active' && status !== 'revoked') throw new AdminInputError('status must be active or revoked');
        const creditorId = optionalStr(body, 'creditorId');
        ctx.core.setMandate(str(body, 'bankCode'), str(body, 'accountNo'), { mandateId: str(body, 'mandateId'), status, ...(creditorId ? { creditorId } : {}) });
        return ok({ mandate: status });
      }
      case 'GET /sim/faults':
        return ok(ctx.faults.snapshot());
      case 'PUT /sim/faults':
        return ok(setFaults(ctx, jsonBody(req)));
      case 'GET /sim/config':
        return ok(ctx.gateway.config());
      case 'PUT /sim/config': {
        const body = jsonBody(req);
        const changes: { processingDelayMs?: number; callbackUrl?: string | null } = {};
        if (body.processingDelayMs !== undefined) changes.processingDelayMs = int(body, 'processingDelayMs');
        if (body.callbackUrl !== undefined) changes.callbackUrl = body.callbackUrl === null ? null : str(body, 'callbackUrl');
        return ok(ctx.gateway.configure(changes));
      }
      case 'POST /sim/returns': {
        const body = jsonBody(req);
        return ok(maskedNotice(ctx.core.returnDebit(str(body, 'idempotencyKey'), str(body, 'reasonCode'), date(body, 'onDate'))));
      }
      case 'GET /sim/returns':
        return ok({ returns: ctx.core.pendingReturns().map(maskedNotice) });
      case 'GET /sim/ledger': {
        const key = req.url.searchParams.get('key');
        const entries = ctx.core.ledger.filter((e) => key === null || e.idempotencyKey === key);
        return ok({ entries: entries.map(maskedEntry), debited: entries.filter((e) => e.outcome === 'debited').length });
      }
      case 'GET /sim/callbacks':
        return ok({ deliveries: ctx.callbacks.deliveries });
      case 'POST /sim/process':
        return ok({ processed: ctx.gateway.processAll() });
      case 'POST /sim/reset':
        ctx.gateway.reset();
        ctx.core.reset();
        ctx.faults.reset();
        ctx.callbacks.reset();
        return ok({ reset: true });
    }
    if (account && req.method === 'GET') return accountView(ctx, decodeURIComponent(account[1] ?? ''), decodeURIComponent(account[2] ?? ''));
    if (account && req.method === 'PATCH') return patchAccount(ctx, decodeURIComponent(account[1] ?? ''), decodeURIComponent(account[2] ?? ''), jsonBody(req));
    return { status: 404, json: { error: `no such endpoint: ${route}` } };
  } catch (error) {
    if (error instanceof AdminInputError || error instanceof RangeError) return { status: 400, json: { error: error.message } };
    if (error instanceof Error && /^no (account|successful debit)|already returned/.test(error.message)) return { status: 404, json: { error: error.message } };
    throw error;
  }
}

/** Accounts as CSV (text/csv body, or JSON { csv }): good rows open (or replace) accounts, bad rows are listed. */
function loadAccounts(ctx: AdminContext, req: AdminRequest): { loaded: number; errors: unknown[] } {
  const csv = req.contentType.includes('json') ? str(jsonBody(req), 'csv') : req.body;
  const { accounts, errors } = parseAccountsCsv(csv);
  for (const account of accounts) ctx.core.openAccount(account);
  return { loaded: accounts.length, errors };
}

function setFaults(ctx: AdminContext, body: Record<string, unknown>): FaultSettings & { accountFaults: number } {
  const known = ['latencyMs', 'outage', 'outageStatus', 'timeouts', 'hangMs', 'unknownAnswers', 'accountFaults'];
  const unknown = Object.keys(body).filter((key) => !known.includes(key));
  if (unknown.length > 0) throw new AdminInputError(`unknown fault setting(s) ${unknown.join(', ')} (known: ${known.join(', ')})`);
  const { accountFaults, ...settings } = body;
  let changed = 0;
  if (accountFaults !== undefined) {
    if (!Array.isArray(accountFaults)) throw new AdminInputError('accountFaults must be a list of { bankCode, accountNo, code }');
    for (const [index, raw] of accountFaults.entries()) {
      if (raw === null || typeof raw !== 'object') throw new AdminInputError(`accountFaults[${index}] must be an object`);
      const fault = raw as Record<string, unknown>;
      const code = fault.code === null ? undefined : str(fault, 'code', `accountFaults[${index}].code`);
      ctx.core.setAccountFault(str(fault, 'bankCode', `accountFaults[${index}].bankCode`), str(fault, 'accountNo', `accountFaults[${index}].accountNo`), code);
      changed += 1;
    }
  }
  return { ...ctx.faults.update(settings), accountFaults: changed };
}

function accountView(ctx: AdminContext, bankCode: string, accountNo: string): AdminResponse {
  const account = ctx.core.account(bankCode, accountNo);
  if (!account) return { status: 404, json: { error: `no account ${bankCode} ${maskNumber(accountNo)}` } };
  return ok({
    bankCode,
    accountNo: maskNumber(accountNo),
    status: account.status,
    accountClass: account.accountClass ?? 'I',
    dailyLimitFen: account.dailyLimitFen ?? null,
    balanceFen: account.balanceFen,
    pendingDeposits: ctx.core.pendingDeposits(bankCode, accountNo),
    mandates: account.mandates ?? [],
    faultCode: account.faultCode ?? null,
  });
}

function patchAccount(ctx: AdminContext, bankCode: string, accountNo: string, body: Record<string, unknown>): AdminResponse {
  if (!ctx.core.account(bankCode, accountNo)) return { status: 404, json: { error: `no account ${bankCode} ${maskNumber(accountNo)}` } };
  if (body.status !== undefined) {
    const status = str(body, 'status');
    if (!(ACCOUNT_STATUSES as readonly string[]).includes(status)) throw new AdminInputError(`status must be one of ${ACCOUNT_STATUSES.join(', ')}`);
    ctx.core.setStatus(bankCode, accountNo, status as AccountStatus);
  }
  if (body.faultCode !== undefined) ctx.core.setAccountFault(bankCode, accountNo, body.faultCode === null ? undefined : str(body, 'faultCode'));
  return accountView(ctx, bankCode, accountNo);
}

function maskedEntry(entry: LedgerEntry): LedgerEntry {
  return { ...entry, accountNo: maskNumber(entry.accountNo) };
}

function maskedNotice(notice: ReturnNotice): ReturnNotice {
  return { ...notice, accountNo: maskNumber(notice.accountNo) };
}

function ok(json: unknown): AdminResponse {
  return { status: 200, json };
}

function jsonBody(req: AdminRequest): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(req.body === '' ? '{}' : req.body);
  } catch {
    throw new AdminInputError('the body must be JSON');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new AdminInputError('the body must be a JSON object');
  return value as Record<string, unknown>;
}

function str(body: Record<string, unknown>, field: string, label = field): string {
  const value = body[field];
  if (typeof value !== 'string' || value.trim() === '') throw new AdminInputError(`${label} is required (a non-empty string)`);
  return value.trim();
}

function optionalStr(body: Record<string, unknown>, field: string): string | undefined {
  return body[field] === undefined || body[field] === null ? undefined : str(body, field);
}

function int(body: Record<string, unknown>, field: string): number {
  const value = body[field];
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw new AdminInputError(`${field} must be a whole number`);
  return value;
}

function date(body: Record<string, unknown>, field: string): string {
  const value = str(body, field);
  if (!isCivilDate(value)) throw new AdminInputError(`${field} must be a date YYYY-MM-DD`);
  return value;
}
