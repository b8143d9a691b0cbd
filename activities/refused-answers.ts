import type { Knex } from 'knex';
import { recordBankRejection } from '../db/repositories/bank-rejections';
import type { BankQueryAnswer } from '../integrations/bank/port';

/**
 * An answer the bank adapter did not believe (not signed with the bank's key, or about another
 * debit) is kept on the audit trail like any refused message; the debit stays unknown and is asked
 * about again.
 */
export async function recordIfRefused(db: Knex, idempotencyKey: string, answer: BankQueryAnswer): Promise<void> {
  if (answer.status !== 'unknown' || !answer.rejected) return;
  await recordBankRejection(db, { source: 'bank:answer', reason: answer.rejected, problems: [`answer about ${idempotencyKey}: ${answer.rawCode ?? 'refused'}`] });
}
