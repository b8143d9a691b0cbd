import { isCivilDate } from '../../../domain/civil-date';
import type { DebitInstruction } from '../port';
import { maskNumber } from '../../../domain/masking';
import { accountKey, effectiveDailyLimitFen, type Mandate, type SimulatedAccount } from './accounts';
import { refusalCode, type Refusal, type SimulatorCodeFamily } from './refusals';

/** The way a debit reached the bank; kept on the ledger so tests can tell the flows apart. */
export type DebitChannel = 'direct' | 'gateway' | 'file';

/**
 * One debit as the bank's core books it, whatever channel carried it: the instruction the insurer
 * sends (the key is EndToEndId or the gateway's E_USER_CODE; the bank never books one twice).
 */
export interface DebitRequest extends DebitInstruction {
  /** The collecting creditor; omitted: the bank's own creditor. */
  creditorId?: string;
  /** When given (ISO MndtId), only that mandate authorises the debit. */
  mandateId?: string;
}

export interface LedgerEntry {
  /** Position in the ledger, from 1. */
  entryNo: number;
  idempotencyKey: string;
  bankRef: string;
  bankCode: string;
  accountNo: string;
  amountFen: number;
  /** The collection date of the debit (for a return: of the debit it reverses). */
  collectionDate: string;
  /** The day the entry was booked: the collection date, or the return date for a return. */
  bookedOn: string;
  /** debited: money taken; rejected: refused, nothing taken; returned: an earlier debit paid back. */
  outcome: 'debited' | 'rejected' | 'returned';
  /** Rejection code in the family of the channel that carried the debit; return reason for a return. */
  rawCode?: string;
  refusal?: Refusal;
  channel: DebitChannel;
}

export interface DebitOutcome {
  entry: LedgerEntry;
  /** The key was seen before: this is the first outcome again, nothing was booked now. */
  duplicate: boolean;
}

/** A return (退票 / R-transaction) the creditor has not been told about yet. */
export interface ReturnNotice {
  idempotencyKey: string;
  /** The bank reference of the debit being returned. */
  bankRef: string;
  returnRef: string;
  bankCode: string;
  accountNo: string;
  amountFen: number;
  collectionDate: string;
  returnedOn: string;
  reasonCode: string;
  channel: DebitChannel;
}

/** One item of a file batch (pain.008 DrctDbtTxInf), answered in ISO 20022 codes. */
export interface FileDebitItem {
  endToEndId: string;
  bankCode: string;
  accountNo: string;
  accountName: string;
  amountFen: number;
  mandateId?: string;
}

export interface FileDebitOutcome {
  endToEndId: string;
  /** ACSC settled, RJCT rejected (pain.002 TxSts). */
  status: 'ACSC' | 'RJCT';
  reasonCode?: string;
  bankRef: string;
  duplicate: boolean;
}

interface DatedDeposit {
  amountFen: number;
  valueDate: string;
}

export const DEFAULT_CREDITOR_ID = 'INSURER01';

/**
 * The id of the mandate an account gets when none are listed: our creditor's authorisation on
 * file under whatever id the creditor's file names (explicit mandates must match MndtId exactly).
 */
export const ANY_MANDATE_ID = '*';

/**
 * The simulated bank's books: accounts, mandates, dated deposits, and an append-only ledger of
 * every debit, rejection and return. Channels (in-process port, HTTP gateway, ISO files) sit on
 * top and only translate. Never debits part of an amount; never books one key twice.
 */
export class BankCore {
  readonly creditorId: string;
  private readonly accounts = new Map<string, SimulatedAccount>();
  private readonly deposits = new Map<string, DatedDeposit[]>();
  private readonly entries: LedgerEntry[] = [];
  private readonly byKey = new Map<string, LedgerEntry>();
  private readonly returned = new Map<string, LedgerEntry>();
  private notices: ReturnNotice[] = [];
  private readonly returnListeners: ((notice: ReturnNotice) => void)[] = [];
  private nextRef = 1;

  constructor(options: { creditorId?: string; accounts?: SimulatedAccount[] } = {}) {
    this.creditorId = options.creditorId ?? DEFAULT_CREDITOR_ID;
    for (const account of options.accounts ?? []) this.openAccount(account);
  }

  /** Opens (or replaces) an account. Without mandates it gets one active mandate for our creditor. */
  openAccount(account: SimulatedAccount): void {
    if (!Number.isSafeInteger(account.balanceFen) || account.balanceFen < 0) {
      throw new RangeError(`balanceFen must be a whole, non-negative number of fen (account ${maskNumber(account.accountNo)})`);
    }
    const mandates: Mandate[] = (account.mandates ?? [{ mandateId: ANY_MANDATE_ID, status: 'active' }]).map((m) => ({
      ...m,
      creditorId: m.creditorId ?? this.creditorId,
    }));
    this.accounts.set(accountKey(account.bankCode, account.accountNo), { ...account, mandates });
  }

  account(bankCode: string, accountNo: string): Readonly<SimulatedAccount> | undefined {
    return this.accounts.get(accountKey(bankCode, accountNo));
  }

  accountCount(): number {
    return this.accounts.size;
  }

  balanceOf(bankCode: string, accountNo: string): number | undefined {
    return this.account(bankCode, accountNo)?.balanceFen;
  }

  /** Deposits not yet counted: they count from their value date on. */
  pendingDeposits(bankCode: string, accountNo: string): readonly DatedDeposit[] {
    return this.deposits.get(accountKey(bankCode, accountNo)) ?? [];
  }

  /** A bank-side fault on one account (every debit rejected with `code`); undefined clears it. */
  setAccountFault(bankCode: string, accountNo: string, code: string | undefined): void {
    const account = this.requireAccount(bankCode, accountNo);
    account.faultCode = code;
  }

  setStatus(bankCode: string, accountNo: string, status: SimulatedAccount['status']): void {
    this.requireAccount(bankCode, accountNo).status = status;
  }

  /** Adds a mandate, or changes the status of the one with the same creditor and id. */
  setMandate(bankCode: string, accountNo: string, mandate: Mandate): void {
    const account = this.requireAccount(bankCode, accountNo);
    const creditorId = mandate.creditorId ?? this.creditorId;
    const mandates = (account.mandates ?? []).filter((m) => !(m.creditorId === creditorId && m.mandateId === mandate.mandateId));
    account.mandates = [...mandates, { ...mandate, creditorId }];
  }

  /**
   * Money paid into the account, available for debits collected on or after `valueDate` (a
   * deposit made the evening before the collection date counts; one made the day after does not).
   */
  deposit(bankCode: string, accountNo: string, amountFen: number, valueDate: string): void {
    this.requireAccount(bankCode, accountNo);
    if (!Number.isSafeInteger(amountFen) || amountFen <= 0) throw new RangeError(`amountFen must be a positive whole number of fen, got ${amountFen}`);
    if (!isCivilDate(valueDate)) throw new RangeError(`valueDate must be YYYY-MM-DD, got ${JSON.stringify(valueDate)}`);
    const key = accountKey(bankCode, accountNo);
    this.deposits.set(key, [...(this.deposits.get(key) ?? []), { amountFen, valueDate }]);
  }

  /**
   * Books one debit, or answers the first outcome again when the key is known. Checks, in the
   * order a bank meets them: the account exists, no bank-side fault, its status, the holder's
   * name, an active mandate for the creditor, the daily limit, then the balance (whole amount or
   * nothing).
   */
  debit(request: DebitRequest, family: SimulatorCodeFamily, channel: DebitChannel): DebitOutcome {
    const seen = this.byKey.get(request.idempotencyKey);
    if (seen) return { entry: seen, duplicate: true };
    if (!Number.isSafeInteger(request.amountFen) || request.amountFen <= 0) {
      throw new RangeError(`amountFen must be a positive whole number of fen, got ${request.amountFen}`);
    }
    if (!isCivilDate(request.collectionDate)) throw new RangeError(`collectionDate must be YYYY-MM-DD, got ${JSON.stringify(request.collectionDate)}`);

    const account = this.accounts.get(accountKey(request.bankCode, request.accountNo));
    if (account) this.applyDeposits(account, request.collectionDate);
    let rawCode: string | undefined;
    let refusal: Refusal | undefined;
    if (account?.faultCode) {
      rawCode = account.faultCode;
    } else {
      refusal = this.refusalFor(account, request);
      rawCode = refusal ? refusalCode(refusal, family) : undefined;
    }
    const entry = this.book({
      idempotencyKey: request.idempotencyKey,
      bankCode: request.bankCode,
      accountNo: request.accountNo,
      amountFen: request.amountFen,
      collectionDate: request.collectionDate,
      bookedOn: request.collectionDate,
      outcome: rawCode ? 'rejected' : 'debited',
      rawCode,
      refusal,
      channel,
    });
    if (account && !rawCode) account.balanceFen -= request.amountFen;
    this.byKey.set(entry.idempotencyKey, entry);
    return { entry, duplicate: false };
  }

  /** A file batch (pain.008 in): every item booked on `collectionDate`, answered in ISO codes. */
  collectBatch(items: readonly FileDebitItem[], collectionDate: string, creditorId?: string): FileDebitOutcome[] {
    return items.map((item) => {
      const { entry, duplicate } = this.debit(
        {
          idempotencyKey: item.endToEndId,
          bankCode: item.bankCode,
          accountNo: item.accountNo,
          accountName: item.accountName,
          amountFen: item.amountFen,
          collectionDate,
          creditorId,
          mandateId: item.mandateId,
        },
        'iso',
        'file',
      );
      return entry.outcome === 'debited'
        ? { endToEndId: item.endToEndId, status: 'ACSC', bankRef: entry.bankRef, duplicate }
        : { endToEndId: item.endToEndId, status: 'RJCT', reasonCode: entry.rawCode, bankRef: entry.bankRef, duplicate };
    });
  }

  /** The ledger entry that answers for a key (the debit or its rejection), if the bank has one. */
  outcomeOf(idempotencyKey: string): LedgerEntry | undefined {
    return this.byKey.get(idempotencyKey);
  }

  /**
   * Reverses a successful debit (a late return, 退票): the money goes back to the account, the
   * ledger gets a 'returned' entry and a notice waits for the creditor.
   */
  returnDebit(idempotencyKey: string, reasonCode: string, onDate: string): ReturnNotice {
    const debit = this.byKey.get(idempotencyKey);
    if (!debit || debit.outcome !== 'debited') throw new Error(`no successful debit with key ${idempotencyKey}`);
    if (this.returned.has(idempotencyKey)) throw new Error(`debit ${idempotencyKey} was already returned`);
    if (!reasonCode.trim()) throw new RangeError('reasonCode is required');
    if (!isCivilDate(onDate)) throw new RangeError(`onDate must be YYYY-MM-DD, got ${JSON.stringify(onDate)}`);
    const account = this.accounts.get(accountKey(debit.bankCode, debit.accountNo));
    if (account) account.balanceFen += debit.amountFen;
    const entry = this.book({
      idempotencyKey,
      bankCode: debit.bankCode,
      accountNo: debit.accountNo,
      amountFen: debit.amountFen,
      collectionDate: debit.collectionDate,
      bookedOn: onDate,
      outcome: 'returned',
      rawCode: reasonCode.trim(),
      channel: debit.channel,
    });
    this.returned.set(idempotencyKey, entry);
    const notice: ReturnNotice = {
      idempotencyKey,
      bankRef: debit.bankRef,
      returnRef: entry.bankRef,
      bankCode: debit.bankCode,
      accountNo: debit.accountNo,
      amountFen: debit.amountFen,
      collectionDate: debit.collectionDate,
      returnedOn: onDate,
      reasonCode: entry.rawCode ?? reasonCode,
      channel: debit.channel,
    };
    this.notices.push(notice);
    for (const listener of this.returnListeners) listener(notice);
    return notice;
  }

  /** Returns not yet taken by the creditor (for a camt.054), oldest first. */
  pendingReturns(): readonly ReturnNotice[] {
    return [...this.notices];
  }

  /** Hands the pending returns over (once): the next call gives only newer ones. */
  takePendingReturns(): ReturnNotice[] {
    const taken = this.notices;
    this.notices = [];
    return taken;
  }

  onReturn(listener: (notice: ReturnNotice) => void): void {
    this.returnListeners.push(listener);
  }

  get ledger(): readonly LedgerEntry[] {
    return this.entries;
  }

  /** Debits that took money (returned ones included: the return is its own entry). */
  successfulDebits(idempotencyKey?: string): LedgerEntry[] {
    return this.entries.filter((e) => e.outcome === 'debited' && (idempotencyKey === undefined || e.idempotencyKey === idempotencyKey));
  }

  /** Forgets everything: accounts, deposits, ledger, returns. The creditor stays. */
  reset(): void {
    this.accounts.clear();
    this.deposits.clear();
    this.entries.length = 0;
    this.byKey.clear();
    this.returned.clear();
    this.notices = [];
    this.nextRef = 1;
  }

  private requireAccount(bankCode: string, accountNo: string): SimulatedAccount {
    const account = this.accounts.get(accountKey(bankCode, accountNo));
    if (!account) throw new Error(`no account ${bankCode} ${maskNumber(accountNo)} at the simulated bank`);
    return account;
  }

  private applyDeposits(account: SimulatedAccount, collectionDate: string): void {
    const key = accountKey(account.bankCode, account.accountNo);
    const pending = this.deposits.get(key) ?? [];
    const due = pending.filter((d) => d.valueDate <= collectionDate);
    if (due.length === 0) return;
    account.balanceFen += due.reduce((sum, d) => sum + d.amountFen, 0);
    this.deposits.set(key, pending.filter((d) => d.valueDate > collectionDate));
  }

  private refusalFor(account: SimulatedAccount | undefined, request: DebitRequest): Refusal | undefined {
    if (!account) return 'NO_SUCH_ACCOUNT';
    switch (account.status) {
      case 'closed':
        return 'ACCOUNT_CLOSED';
      case 'frozen':
        return 'ACCOUNT_FROZEN';
      case 'lost':
        return 'CARD_LOST';
      case 'dormant':
        return 'DORMANT';
      case 'expired':
        return 'EXPIRED';
      case 'active':
        break;
    }
    if (normalisedName(account.accountName) !== normalisedName(request.accountName)) return 'NAME_MISMATCH';
    const creditorId = request.creditorId ?? this.creditorId;
    const mandates = (account.mandates ?? []).filter(
      (m) => m.creditorId === creditorId && (request.mandateId === undefined || m.mandateId === ANY_MANDATE_ID || m.mandateId === request.mandateId),
    );
    if (mandates.length === 0) return 'NO_MANDATE';
    if (!mandates.some((m) => m.status === 'active')) return 'MANDATE_REVOKED';
    const limit = effectiveDailyLimitFen(account);
    if (limit !== null && this.debitedOn(account, request.collectionDate) + request.amountFen > limit) return 'DAILY_LIMIT';
    if (account.balanceFen < request.amountFen) return 'INSUFFICIENT_FUNDS';
    return undefined;
  }

  /** What left the account by debit on one day: the daily limit counts outflows, returns or not. */
  private debitedOn(account: SimulatedAccount, date: string): number {
    return this.entries
      .filter((e) => e.outcome === 'debited' && e.bookedOn === date && e.bankCode === account.bankCode && e.accountNo === account.accountNo)
      .reduce((sum, e) => sum + e.amountFen, 0);
  }

  private book(fields: Omit<LedgerEntry, 'entryNo' | 'bankRef'>): LedgerEntry {
    const entryNo = this.entries.length + 1;
    const entry: LedgerEntry = { entryNo, bankRef: `SIM${String(this.nextRef++).padStart(10, '0')}`, ...fields };
    if (entry.rawCode === undefined) delete entry.rawCode;
    if (entry.refusal === undefined) delete entry.refusal;
    this.entries.push(entry);
    return entry;
  }
}

/** Bank name checks ignore surrounding and repeated spaces and Latin letter case, nothing else. */
function normalisedName(name: string): string {
  return name.trim().replace(/\s+/g, ' ').toUpperCase();
}
