/**
 * A bank's message moves money only when it is about a debit we made: our key, the amount we asked
 * for, from the account we sent it to. These checks say what does not match without echoing
 * personal data: an account number is never named, and a key that is not ours is not repeated
 * (anything could be written there).
 */
import { formatYuan } from './money';

/** A debit as we made it. */
export interface DebitOnRecord {
  idempotencyKey: string;
  amountFen: number;
  /** As banks echo it (first 6 and last 4 digits); null for attempts made before it was kept. */
  debtorAccountMasked: string | null;
}

/** What a bank's message says about one debit. */
export interface DebitClaim {
  idempotencyKey: string;
  amountFen: number;
  /** Masked or in full; left out when the message does not name the debtor's account. */
  debtorAccount?: string;
}

/** Two account numbers, each masked (first 6 and last 4 digits shown) or in full: the same account? */
export function sameDebtorAccount(reported: string, ours: string): boolean {
  const ends = (accountNo: string): string | undefined => {
    const compact = accountNo.replace(/\s/g, '');
    return compact.length > 10 ? `${compact.slice(0, 6)}/${compact.slice(-4)}` : undefined;
  };
  const reportedEnds = ends(reported);
  return reportedEnds !== undefined && !reportedEnds.includes('*') && reportedEnds === ends(ours);
}

/** What is wrong with a claim about `where` (e.g. "item 2"): nothing when it matches the debit on record. */
export function claimProblems(where: string, claim: DebitClaim, debit: DebitOnRecord | undefined): string[] {
  if (!debit) return [`${where}: not a debit of ours`];
  const problems: string[] = [];
  if (claim.amountFen !== debit.amountFen) {
    const amount = Number.isSafeInteger(claim.amountFen) ? formatYuan(claim.amountFen) : 'that is not whole fen';
    problems.push(`${where} (${debit.idempotencyKey}): amount ${amount} is not the ${formatYuan(debit.amountFen)} debited`);
  }
  if (claim.debtorAccount !== undefined && (debit.debtorAccountMasked === null || !sameDebtorAccount(claim.debtorAccount, debit.debtorAccountMasked))) {
    problems.push(`${where} (${debit.idempotencyKey}): the debtor account is not the one debited`);
  }
  return problems;
}

/**
 * Why a message from the bank (or one claiming to be) was refused whole: not signed with the bank's
 * key, not readable as its kind, about debits we did not make as it says, or a file id seen before
 * with other content.
 */
export type BankMessageRejection = 'authentication' | 'format' | 'mismatch' | 'replayed_file';
