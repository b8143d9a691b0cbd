import type { BankMessageRejection } from '../../domain/bank-claims';
import type { ResultFileTiming } from '../../domain/cycle-decider';
import type { Classified } from '../../domain/debit-reasons';

/** One debit instruction as the bank sees it. Holds personal data: never logged, never in a workflow. */
export interface DebitInstruction {
  /** Stored before submission; ISO 20022 EndToEndId (max 35 chars) or the gateway's request number. */
  idempotencyKey: string;
  bankCode: string;
  accountNo: string;
  accountName: string;
  amountFen: number;
  /** Requested collection date, YYYY-MM-DD. */
  collectionDate: string;
}

export type BankAnswer =
  | { status: 'succeeded'; bankRef: string }
  /** Taken for processing (an asynchronous gateway, or queued for the day's file): the result comes later. */
  | { status: 'accepted'; bankRef: string }
  | { status: 'failed'; rawCode: string; bankRef?: string }
  /**
   * The bank could not say (timeout, UnionPay 03/04/05/83 style), or its answer could not be believed
   * (`rejected`: not signed with the bank's key, or about another debit): resolve by querying, never
   * resubmit.
   */
  | { status: 'unknown'; rawCode?: string; rejected?: AnswerRejection };

/** Why an answer was not believed: not authenticated as the bank's, or not about the debit asked of. */
export type AnswerRejection = Extract<BankMessageRejection, 'authentication' | 'mismatch'>;

/**
 * What we sent under a key: an answer about it must be for this amount from this account (masked,
 * first 6 and last 4 digits, as banks echo it).
 */
export interface DebitExpectation {
  amountFen: number;
  accountMasked: string;
}

export type BankQueryAnswer = BankAnswer | { status: 'not_found' };

export interface BankPort {
  /**
   * Accepted attempts wait in our database for the day's file until it is sent: until then one can
   * be taken back (a hold came). An online bank has every accepted attempt already.
   */
  readonly queuesUntilFileSent?: boolean;
  /**
   * Only the premium debits of the day's files can be collected: a debit outside the premium
   * schedule (the back premiums of a reinstatement) cannot be sent, and is paid at the counter.
   */
  readonly premiumDebitsOnly?: boolean;
  /**
   * A bank that answers by files at a known time: when its status report for a collection date is
   * expected. A cycle looks at its debit in flight then (and is woken earlier by the ingest's signal),
   * not every hour (docs/business-rules.md#checks-of-a-debit-in-flight).
   */
  readonly resultFile?: ResultFileTiming;
  submitDebit(instruction: DebitInstruction): Promise<BankAnswer>;
  /** With `expected`, an answer about another amount or account is not believed (unknown, rejected). */
  queryDebit(idempotencyKey: string, expected?: DebitExpectation): Promise<BankQueryAnswer>;
  classify(rawCode: string): Classified;
}
