import type { Knex } from 'knex';
import { claimProblems } from '../domain/bank-claims';
import { attemptByKey } from '../db/repositories/debits';
import { gatewayRefOf, SINGLE_ITEM_SN } from '../integrations/bank/gateway/item-locator';
import type { VerifiedNotice } from '../integrations/bank/gateway/notices';

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
