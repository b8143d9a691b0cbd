import type { Knex } from 'knex';
import { maskName, maskNumber } from '../../domain/masking';
import { accountIndexInput } from '../personal-data-columns';
import type { PiiCipher } from '../pii-cipher';

export interface MandateAccount {
  bankCode: string;
  accountNo: string;
  accountName: string;
}

/**
 * The policyholder authorised a new account (a servicing change, 保全, or a policy file naming a new
 * one): the active mandate is marked replaced and the new one becomes active, in one transaction (a
 * savepoint inside the caller's), so the next debit goes to exactly one account. Returns false when
 * that account is already the active one.
 */
export async function replaceMandate(db: Knex, cipher: PiiCipher, policyNo: string, account: MandateAccount): Promise<boolean> {
  const accountHash = cipher.hash(accountIndexInput(account.bankCode, account.accountNo));
  return db.transaction(async (trx) => {
    const active = await trx('mandates').where({ policy_no: policyNo, status: 'active' }).forUpdate().first<{ account_hash: string } | undefined>('account_hash');
    if (active?.account_hash === accountHash) return false;
    await trx('mandates').where({ policy_no: policyNo, status: 'active' }).update({ status: 'replaced' });
    await trx('mandates').insert({
      policy_no: policyNo,
      bank_code: account.bankCode,
      account_masked: maskNumber(account.accountNo),
      account_enc: cipher.encrypt(account.accountNo),
      account_hash: accountHash,
      account_name_masked: maskName(account.accountName),
      account_name_enc: cipher.encrypt(account.accountName),
      status: 'active',
    });
    return true;
  });
}

/** The active mandate's account in clear: for the bank side of a simulation, never for display. */
export async function activeMandateAccount(db: Knex, cipher: PiiCipher, policyNo: string): Promise<MandateAccount | undefined> {
  const row = await db('mandates')
    .where({ policy_no: policyNo, status: 'active' })
    .first<{ id: number; bank_code: string; account_enc: string; account_name_enc: string } | undefined>('id', 'bank_code', 'account_enc', 'account_name_enc');
  const ref = row && { table: 'mandates', id: row.id };
  return row && { bankCode: row.bank_code, accountNo: cipher.decrypt(row.account_enc, ref), accountName: cipher.decrypt(row.account_name_enc, ref) };
}
