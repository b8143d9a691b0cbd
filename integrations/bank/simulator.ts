import { classifyIsoReason, type Classified } from '../../domain/debit-reasons';
import type { BankAnswer, BankPort, BankQueryAnswer, DebitInstruction } from './port';
import { BankCore, type LedgerEntry, type ReturnNotice } from './simulator/core';
import type { SimulatedAccount } from './simulator/accounts';

export type { AccountClass, AccountStatus, Mandate, SimulatedAccount } from './simulator/accounts';
export type { LedgerEntry, ReturnNotice } from './simulator/core';

/**
 * The simulated bank in process, answering synchronously in ISO 20022 reason codes: what workflow
 * tests and the demo use. The books live in BankCore (integrations/bank/simulator/core.ts), which
 * the HTTP service (gateway and admin endpoints) and the ISO file flow share.
 */
export class SimulatedBank implements BankPort {
  readonly core: BankCore;
  /** The next N debits are booked, but their answer is lost: the caller hears 'unknown'. */
  lostAnswers = 0;

  constructor(accounts: SimulatedAccount[] = [], options: { creditorId?: string } = {}) {
    this.core = new BankCore({ ...options, accounts });
  }

  get ledger(): readonly LedgerEntry[] {
    return this.core.ledger;
  }

  openAccount(account: SimulatedAccount): void {
    this.core.openAccount(account);
  }

  balanceOf(bankCode: string, accountNo: string): number | undefined {
    return this.core.balanceOf(bankCode, accountNo);
  }

  deposit(bankCode: string, accountNo: string, amountFen: number, valueDate: string): void {
    this.core.deposit(bankCode, accountNo, amountFen, valueDate);
  }

  returnDebit(idempotencyKey: string, reasonCode: string, onDate: string): ReturnNotice {
    return this.core.returnDebit(idempotencyKey, reasonCode, onDate);
  }

  successfulDebits(idempotencyKey?: string): LedgerEntry[] {
    return this.core.successfulDebits(idempotencyKey);
  }

  submitDebit(instruction: DebitInstruction): Promise<BankAnswer> {
    const { entry } = this.core.debit(instruction, 'iso', 'direct');
    if (this.lostAnswers > 0) {
      this.lostAnswers -= 1;
      return Promise.resolve({ status: 'unknown', rawCode: 'NARR' });
    }
    return Promise.resolve(answerOf(entry));
  }

  queryDebit(idempotencyKey: string): Promise<BankQueryAnswer> {
    const entry = this.core.outcomeOf(idempotencyKey);
    return Promise.resolve(entry ? answerOf(entry) : { status: 'not_found' });
  }

  classify(rawCode: string): Classified {
    return classifyIsoReason(rawCode);
  }
}

function answerOf(entry: LedgerEntry): BankAnswer {
  return entry.outcome === 'rejected'
    ? { status: 'failed', rawCode: entry.rawCode ?? 'NARR', bankRef: entry.bankRef }
    : { status: 'succeeded', bankRef: entry.bankRef };
}
