import { classifyIsoReason, type Classified } from '../../domain/debit-reasons';
import type { BankAnswer, BankPort, BankQueryAnswer } from './port';

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
