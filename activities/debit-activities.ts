import { ApplicationFailure } from '@temporalio/activity';
import type { Knex } from 'knex';
import type { DebitResult } from '../domain/cycle-state';
import { REASON_RULES, type DebitReason } from '../domain/debit-reasons';
import { appendAudit } from '../db/repositories/audit';
import {
  loadMandateAccount,
  markSubmitted,
  markUnknown,
  prepareAttempt,
  recordFailure,
  recordSuccess,
  type DebitAttemptRow,
} from '../db/repositories/debits';
import type { PiiCipher } from '../db/pii-cipher';
import type { BankAnswer, BankPort } from '../integrations/bank/port';
import { requireCycle } from './cycle-activities';
import { activityOrigin, auditOf, type CycleRef } from './origin';

export function createDebitActivities({ db, cipher, bank }: { db: Knex; cipher: PiiCipher; bank: BankPort }) {
  return {
    /**
     * One debit attempt. The attempt row and its idempotency key are stored before submission; a
     * retry of this activity after a crash or an unknown answer queries the bank by that key and
     * never submits a second time.
     */
    async collectDebit(ref: CycleRef, attemptNo: number, collectionDate: string): Promise<DebitResult> {
      const cycle = await requireCycle(db, ref);
      const mandate = await loadMandateAccount(db, ref.policyNo);
      // Revoked since the cycle opened: a failed attempt the cycle can act on, not a crash.
      if (!mandate) return { status: 'failed', ...REASON_RULES.NO_MANDATE, reason: 'NO_MANDATE' };
      const o = activityOrigin();
      const attempt = await prepareAttempt(db, {
        premiumDueId: cycle.premiumDueId,
        attemptNo,
        bankCode: mandate.bankCode,
        amountFen: cycle.amountFen,
        collectionDate,
        workflowId: o.workflowId,
        runId: o.runId,
        activityId: o.activityId,
      });
      if (attempt.status === 'succeeded') return { status: 'succeeded', at: (attempt.resolved_at ?? o.at).getTime() };
      if (attempt.status === 'failed') return failedOutcome(attempt);

      let answer: BankAnswer;
      if (attempt.status === 'prepared') {
        // A crash may have come between submission and recording it: ask before submitting.
        const known = await bank.queryDebit(attempt.idempotency_key);
        if (known.status === 'not_found') {
          await markSubmitted(db, attempt.id, o.at);
          answer = await bank.submitDebit({
            idempotencyKey: attempt.idempotency_key,
            bankCode: mandate.bankCode,
            accountNo: cipher.decrypt(mandate.accountEnc),
            accountName: cipher.decrypt(mandate.accountNameEnc),
            amountFen: cycle.amountFen,
            collectionDate,
          });
        } else {
          answer = known;
        }
      } else {
        const known = await bank.queryDebit(attempt.idempotency_key);
        answer = known.status === 'not_found' ? { status: 'unknown' } : known;
      }

      const audit = auditOf(ref, o);
      if (answer.status === 'unknown') {
        await markUnknown(db, attempt.id, answer.rawCode);
        // Retried by Temporal with backoff; the retry queries, it does not resubmit.
        throw ApplicationFailure.retryable(`bank answer unknown for ${attempt.idempotency_key}`, 'DebitOutcomeUnknown');
      }
      if (answer.status === 'succeeded') {
        await recordSuccess(db, attempt, answer.bankRef, cycle.amountFen, o.at);
        await appendAudit(db, {
          ...audit,
          kind: 'premium_paid',
          detail: { via: 'debit', attemptNo, idempotencyKey: attempt.idempotency_key, account: mandate.accountMasked },
        });
        return { status: 'succeeded', at: o.at.getTime() };
      }
      const classified = bank.classify(answer.rawCode);
      await recordFailure(db, attempt.id, answer.bankRef, classified, o.at);
      await appendAudit(db, {
        ...audit,
        kind: 'debit_failed',
        detail: { attemptNo, idempotencyKey: attempt.idempotency_key, rawCode: classified.rawCode, reason: classified.reason },
      });
      return { status: 'failed', reason: classified.reason, retryable: classified.retryable, customerFault: classified.customerFault };
    },
  };
}

/** The outcome a retried activity reports for an attempt an earlier try already resolved. */
function failedOutcome(attempt: DebitAttemptRow): DebitResult {
  const reason = (attempt.reason ?? 'UNKNOWN') as DebitReason;
  const rule = REASON_RULES[reason] ?? REASON_RULES.UNKNOWN;
  return { status: 'failed', reason, retryable: rule.retryable, customerFault: attempt.customer_fault ?? rule.customerFault };
}
