import type { ResultFileTiming } from '../../domain/cycle-decider';
import { classifyIsoReason, type Classified } from '../../domain/debit-reasons';
import type { BankAnswer, BankPort, BankQueryAnswer } from './port';

/** When mainland banks commonly return the status report of a day's collection file. */
export const DEFAULT_RESULT_FILE: ResultFileTiming = { businessDaysAfter: 1, at: '10:00' };

/**
 * A bank reached by files (ISO 20022 pain.008 out, pain.002 / camt.054 back). Nothing leaves at
 * submission: the attempt is accepted into the day's batch, which `renewals bank export` writes;
 * the answers arrive when `renewals bank ingest` reads the bank's reports and signals the cycles.
 * So the bank can never be asked directly: every attempt stays "accepted" until a report settles
 * it in the database, where the cycle's checks find it.
 */
export class FileBatchBank implements BankPort {
  readonly queuesUntilFileSent = true;
  readonly premiumDebitsOnly = true;

  /** The status report of a day's file: by default the next bank business day by 10:00 (BANK_RESULT_FILE_*). */
  constructor(readonly resultFile: ResultFileTiming = DEFAULT_RESULT_FILE) {}

  submitDebit(instruction: { collectionDate: string }): Promise<BankAnswer> {
    return Promise.resolve({ status: 'accepted', bankRef: `pain.008:${instruction.collectionDate}` });
  }

  queryDebit(): Promise<BankQueryAnswer> {
    return Promise.resolve({ status: 'not_found' });
  }

  classify(rawCode: string): Classified {
    return classifyIsoReason(rawCode);
  }
}
