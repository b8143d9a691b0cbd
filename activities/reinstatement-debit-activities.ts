import { ApplicationFailure } from '@temporalio/activity';
import type { Knex } from 'knex';
import { appendAudit } from '../db/repositories/audit';
import { loadMandateAccount } from '../db/repositories/debits';
import { PersonalDataUnreadable, type PiiCipher } from '../db/pii-cipher';
import type { BankPort } from '../integrations/bank/port';
import { activityOrigin, type CycleRef } from './origin';
import { reportUnreadable } from './personal-data-unreadable';
import { applicationAudit } from './reinstatement-records';
import { submitOnce } from './submit-once';

export type ReinstatementDebitResult = { status: 'succeeded'; reference: string; at: number } | { status: 'failed'; reason: string };

/** Back premiums of an approved application collected from the mandate. */
export function createReinstatementDebitActivities({ db, cipher, bank }: { db: Knex; cipher: PiiCipher; bank: BankPort }) {
  return {
    /**
     * One debit of the quoted back premiums from the mandate. Its key is stored nowhere else: the bank
     * is asked about it before anything is sent, so a retried activity never debits twice.
     */
    async collectReinstatementDebit(ref: CycleRef, d: { suspensionId: number; attemptNo: number; amountFen: number; collectionDate: string }): Promise<ReinstatementDebitResult> {
      const o = activityOrigin();
      // Unique per suspension, application (its workflow ID ends in its number) and attempt; ≤ 35 characters.
      const key = `RI${d.suspensionId}-${o.workflowId.split('-').at(-1)!}-${d.attemptNo}`;
      const mandate = await loadMandateAccount(db, ref.policyNo);
      const audit = applicationAudit(ref, o);
      const record = async (result: ReinstatementDebitResult) => {
        await appendAudit(db, {
          ...audit,
          kind: result.status === 'succeeded' ? 'reinstatement_debit_succeeded' : 'reinstatement_debit_failed',
          detail: { idempotencyKey: key, amountFen: d.amountFen, ...(result.status === 'failed' ? { reason: result.reason } : {}), account: mandate?.accountMasked ?? null },
        });
        return result;
      };
      if (!mandate) return record({ status: 'failed', reason: 'NO_MANDATE' });
      let answer;
      try {
        answer = await submitOnce({ bank, cipher }, { idempotencyKey: key, mandate, amountFen: d.amountFen, collectionDate: d.collectionDate });
      } catch (error) {
        if (!(error instanceof PersonalDataUnreadable)) throw error;
        // The account cannot be decrypted: never sent; operations get a task, the applicant can still pay at the counter.
        await reportUnreadable(db, ref, o, error, 'reinstatement_debit');
        return record({ status: 'failed', reason: 'NO_MANDATE' });
      }
      if (answer.status === 'succeeded') return record({ status: 'succeeded', reference: answer.bankRef, at: o.at.getTime() });
      if (answer.status === 'failed') return record({ status: 'failed', reason: bank.classify(answer.rawCode).reason });
      // Accepted or unknown: the answer comes later; Temporal retries and the retry asks the bank first.
      throw ApplicationFailure.retryable(`reinstatement debit ${key}: the bank has not answered yet (${answer.status})`, 'DebitPending');
    },
  };
}
