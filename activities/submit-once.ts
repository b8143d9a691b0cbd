import { Context } from '@temporalio/activity';
import type { PiiCipher } from '../db/pii-cipher';
import type { MandateAccount } from '../db/repositories/debits';
import type { BankPort, BankQueryAnswer } from '../integrations/bank/port';

/** The mandate's account in clear: held in memory for the one call to the bank, never logged or stored. */
export interface AccountInClear {
  accountNo: string;
  accountName: string;
}

/** Decrypts the mandate's account; PersonalDataUnreadable when its key is missing or wrong. */
export function readAccount(cipher: PiiCipher, mandate: MandateAccount): AccountInClear {
  const row = { table: 'mandates', id: mandate.id };
  return { accountNo: cipher.decrypt(mandate.accountEnc, row), accountName: cipher.decrypt(mandate.accountNameEnc, row) };
}

export interface DebitToSend {
  /** The same on every try of this debit: the bank books one key once. */
  idempotencyKey: string;
  mandate: MandateAccount;
  amountFen: number;
  collectionDate: string;
  /**
   * The account (masked) an answer about this debit must name: the one it was first sent to, when
   * the mandate has changed since; default the mandate's.
   */
  sentToAccountMasked?: string;
  /** False keeps a debit the bank has no record of unsent: the answer is then not_found. */
  maySend?: boolean;
  /** Runs just before the debit is sent (the caller records that it went out). */
  beforeSend?: () => Promise<void>;
  /**
   * The key was made by this very try: its row was stored just now (storeAttempt's `fresh`), so no
   * earlier try and no other process can have sent it, and the bank is not asked about it first
   * (docs/architecture.md#hot-paths). Any other try, a retry above all, asks.
   */
  firstSubmission?: boolean;
  /** The account, already read by the caller (readAccount); read here otherwise. */
  account?: AccountInClear;
}

/**
 * Query, then submit under the same key: the bank is asked about the key first, and the debit is
 * sent only when the bank has no record of it, so a retried activity never debits twice (the bank
 * also refuses to book one key twice). A first submission under a key made by this try skips the
 * question: the bank cannot know a key nobody has sent. Returns the bank's answer.
 */
export async function submitOnce({ bank, cipher }: { bank: BankPort; cipher: PiiCipher }, debit: DebitToSend): Promise<BankQueryAnswer> {
  const key = debit.idempotencyKey;
  if (!debit.firstSubmission) {
    // Heartbeat before each call to the bank: a worker that dies mid-call is noticed in seconds.
    Context.current().heartbeat({ key, step: 'query' });
    const known = await bank.queryDebit(key, { amountFen: debit.amountFen, accountMasked: debit.sentToAccountMasked ?? debit.mandate.accountMasked });
    if (known.status !== 'not_found' || debit.maySend === false) return known;
  }
  Context.current().heartbeat({ key, step: 'submit' });
  // Decrypted before the debit is recorded as sent: an account that cannot be read (PersonalDataUnreadable) never reaches the bank.
  const { accountNo, accountName } = debit.account ?? readAccount(cipher, debit.mandate);
  await debit.beforeSend?.();
  return bank.submitDebit({
    idempotencyKey: key,
    bankCode: debit.mandate.bankCode,
    accountNo,
    accountName,
    amountFen: debit.amountFen,
    collectionDate: debit.collectionDate,
  });
}
