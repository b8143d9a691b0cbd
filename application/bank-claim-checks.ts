import type { Knex } from 'knex';
import { claimProblems } from '../domain/bank-claims';
import { debitsInSentFiles } from '../db/repositories/bank-files';
import { attemptByKey } from '../db/repositories/debits';
import { gatewayRefOf, SINGLE_ITEM_SN } from '../integrations/bank/gateway/item-locator';
import type { VerifiedNotice } from '../integrations/bank/gateway/notices';
import type { DebitNotification } from '../integrations/bank/iso20022';

/*
 * A message that passed its signature is still believed only about debits we made, as we made them:
 * these say what does not match (nothing: it may be applied). One problem anywhere refuses the whole
 * message, so a file is never half applied.
 */

/** A gateway callback: for our merchant, and each item a debit we sent to that batch item, for its amount, from its account. */
export async function callbackProblems(db: Knex, verified: VerifiedNotice, merchantId: string): Promise<string[]> {
  const problems = verified.merchantId === merchantId ? [] : ['MERCHANT_ID is not ours'];
  for (const [index, claim] of verified.claims.entries()) {
    const where = `item ${index + 1}`;
    const attempt = await attemptByKey(db, claim.idempotencyKey);
    const onRecord = attempt && { idempotencyKey: attempt.idempotency_key, amountFen: attempt.amount_fen, debtorAccountMasked: attempt.debtor_account_masked };
    problems.push(...claimProblems(where, claim, onRecord));
    // A single debit is its own batch (REQ_SN = its key, SN 0001) until the gateway's bankRef says otherwise.
    const sentAs = attempt && (attempt.bank_ref ?? gatewayRefOf({ reqSn: attempt.idempotency_key, sn: SINGLE_ITEM_SN }));
    if (attempt && claim.gatewayRef !== sentAs) problems.push(`${where} (${attempt.idempotency_key}): not the batch item the debit was sent as`);
  }
  return problems;
}

/** A camt.054: on our collection account, and each entry a debit of a file we sent, for its amount. */
export async function notificationProblems(db: Knex, notification: DebitNotification, creditorAccountNo: string): Promise<string[]> {
  const problems = notification.accountNo === creditorAccountNo ? [] : ['Ntfctn/Acct is not our collection account'];
  const sent = await debitsInSentFiles(db, notification.entries.map((e) => e.endToEndId));
  notification.entries.forEach((entry, index) => {
    problems.push(...claimProblems(`entry ${index + 1}`, { idempotencyKey: entry.endToEndId, amountFen: entry.amountFen }, sent.get(entry.endToEndId)));
  });
  return problems;
}
