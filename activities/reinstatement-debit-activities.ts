import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Knex } from 'knex';
import type { DebitAnswer } from '../domain/reinstatement-case';
import { appendAuditOnce } from '../db/repositories/audit';
import { loadMandateAccount, type MandateAccount } from '../db/repositories/debits';
import { prepareReinstatementDebit, reinstatementDebitKey } from '../db/repositories/reinstatement-debits';
import { PersonalDataUnreadable, type PiiCipher } from '../db/pii-cipher';
import type { BankPort } from '../integrations/bank/port';
import { activityOrigin, type CycleRef } from './origin';
import { reportUnreadable } from './personal-data-unreadable';
import { recordIfRefused } from './refused-answers';
import { applicationAudit } from './reinstatement-records';
import { submitOnce } from './submit-once';

interface ReinstatementDebit {
  suspensionId: number;
  attemptNo: number;
  amountFen: number;
  collectionDate: string;
}

/** Back premiums of an approved application collected from the mandate. */
export function createReinstatementDebitActivities({ db, cipher, bank }: { db: Knex; cipher: PiiCipher; bank: BankPort }) {
  /**
   * The attempt's key, stored before anything is sent: a retry reuses it. A retry of a debit begun
   * before keys were stored (they were derived from the suspension, application and attempt) keeps
   * the derived key if the bank knows it, so a debit already sent is never sent again under another.
   */
  async function keyOf(workflowId: string, d: ReinstatementDebit, mandate: MandateAccount): Promise<string> {
    const stored = await reinstatementDebitKey(db, workflowId, d.attemptNo);
    if (stored) return stored;
    const debit = { applicationWorkflowId: workflowId, attemptNo: d.attemptNo, amountFen: d.amountFen };
    if (Context.current().info.attempt > 1) {
      const derived = `RI${d.suspensionId}-${workflowId.split('-').at(-1)!}-${d.attemptNo}`;
      const known = await bank.queryDebit(derived, { amountFen: d.amountFen, accountMasked: mandate.accountMasked });
      await recordIfRefused(db, derived, known);
      if (known.status !== 'not_found') return prepareReinstatementDebit(db, debit, derived);
    }
    return prepareReinstatementDebit(db, debit);
  }

  return {
    /**
     * One debit of the quoted back premiums from the mandate, under a random key stored before
     * submission. The bank is asked about that key before anything is sent, so a retried activity
     * never debits twice.
     */
    async collectReinstatementDebit(ref: CycleRef, d: ReinstatementDebit): Promise<DebitAnswer> {
      const o = activityOrigin();
      const mandate = await loadMandateAccount(db, ref.policyNo);
      const audit = applicationAudit(ref, o);
      const record = async (result: DebitAnswer, key: string | null) => {
        await appendAuditOnce(db, {
          ...audit,
          kind: result.status === 'succeeded' ? 'reinstatement_debit_succeeded' : 'reinstatement_debit_failed',
          detail: { idempotencyKey: key, amountFen: d.amountFen, ...(result.status === 'failed' ? { reason: result.reason } : {}), account: mandate?.accountMasked ?? null },
        });
        return result;
      };
      if (!mandate) return record({ status: 'failed', reason: 'NO_MANDATE' }, null);
      const key = await keyOf(o.workflowId, d, mandate);
      let answer;
      try {
        answer = await submitOnce({ bank, cipher }, { idempotencyKey: key, mandate, amountFen: d.amountFen, collectionDate: d.collectionDate });
      } catch (error) {
        if (!(error instanceof PersonalDataUnreadable)) throw error;
        // The account cannot be decrypted: never sent; operations get a task, the applicant can still pay at the counter.
        await reportUnreadable(db, ref, o, error, 'reinstatement_debit');
        return record({ status: 'failed', reason: 'NO_MANDATE' }, key);
      }
      await recordIfRefused(db, key, answer);
      if (answer.status === 'succeeded') return record({ status: 'succeeded', reference: answer.bankRef, at: o.at.getTime() }, key);
      if (answer.status === 'failed') return record({ status: 'failed', reason: bank.classify(answer.rawCode).reason }, key);
      // Accepted or unknown: the answer comes later; Temporal retries and the retry asks the bank first.
      throw ApplicationFailure.retryable(`reinstatement debit ${key}: the bank has not answered yet (${answer.status})`, 'DebitPending');
    },
  };
}
