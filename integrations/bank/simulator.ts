import { classifyIsoReason, type Classified } from '../../domain/debit-reasons';
import type { BankAnswer, BankPort, BankQueryAnswer, DebitInstruction } from './port';

export type AccountStatus = 'active' | 'closed' | 'frozen' | 'lost' | 'dormant';

export interface SimulatedAccount {
  bankCode: string;
  accountNo: string;
  accountName: string;
  balanceFen: number;
  status: AccountStatus;
  /** A bank-side fault on this account: every debit is rejected with this code (e.g. MS03). */
  faultCode?: string;
}

export interface LedgerEntry {
  idempotencyKey: string;
  bankRef: string;
  bankCode: string;
  accountNo: string;
  amountFen: number;
  collectionDate: string;
  outcome: 'debited' | 'rejected';
  rawCode?: string;
}

const STATUS_CODES: Record<Exclude<AccountStatus, 'active'>, string> = {
  closed: 'AC04',
  frozen: 'AC06',
  lost: 'AC06',
  dormant: 'AC06',
};

/**
 * An in-process bank for the first vertical slice: accounts with balances and statuses, answers in
 * ISO 20022 reason codes, deduplicates by idempotency key as a real bank does by EndToEndId, and
 * keeps a ledger tests read to prove nothing was debited twice.
 */
export class SimulatedBank implements BankPort {
  readonly ledger: LedgerEntry[] = [];
  private readonly accounts = new Map<string, SimulatedAccount>();
  private readonly byKey = new Map<string, LedgerEntry>();
  private nextRef = 1;
  /** The next N debits are booked, but their answer is lost: the caller hears 'unknown'. */
  lostAnswers = 0;

  constructor(accounts: SimulatedAccount[] = []) {
    for (const account of accounts) this.openAccount(account);
  }

  openAccount(account: SimulatedAccount): void {
    this.accounts.set(`${account.bankCode}/${account.accountNo}`, { ...account });
  }

  balanceOf(bankCode: string, accountNo: string): number | undefined {
    return this.accounts.get(`${bankCode}/${accountNo}`)?.balanceFen;
  }

  submitDebit(instruction: DebitInstruction): Promise<BankAnswer> {
    const seen = this.byKey.get(instruction.idempotencyKey);
    if (seen) return Promise.resolve(answerOf(seen));
    const account = this.accounts.get(`${instruction.bankCode}/${instruction.accountNo}`);
    const rawCode = !account
      ? 'AC01'
      : account.faultCode
        ? account.faultCode
        : account.status !== 'active'
        ? STATUS_CODES[account.status]
        : account.accountName !== instruction.accountName
          ? 'BE05'
          : account.balanceFen < instruction.amountFen
            ? 'AM04'
            : undefined;
    const entry: LedgerEntry = {
      idempotencyKey: instruction.idempotencyKey,
      bankRef: `SIM${String(this.nextRef++).padStart(10, '0')}`,
      bankCode: instruction.bankCode,
      accountNo: instruction.accountNo,
      amountFen: instruction.amountFen,
      collectionDate: instruction.collectionDate,
      outcome: rawCode ? 'rejected' : 'debited',
      rawCode,
    };
    if (account && !rawCode) account.balanceFen -= instruction.amountFen;
    this.ledger.push(entry);
    this.byKey.set(entry.idempotencyKey, entry);
    if (this.lostAnswers > 0) {
      this.lostAnswers -= 1;
      return Promise.resolve({ status: 'unknown', rawCode: '96' });
    }
    return Promise.resolve(answerOf(entry));
  }

  queryDebit(idempotencyKey: string): Promise<BankQueryAnswer> {
    const seen = this.byKey.get(idempotencyKey);
    return Promise.resolve(seen ? answerOf(seen) : { status: 'not_found' });
  }

  classify(rawCode: string): Classified {
    return classifyIsoReason(rawCode);
  }
}

function answerOf(entry: LedgerEntry): BankAnswer {
  return entry.outcome === 'debited'
    ? { status: 'succeeded', bankRef: entry.bankRef }
    : { status: 'failed', rawCode: entry.rawCode ?? 'NARR', bankRef: entry.bankRef };
}
