import { randomUUID } from 'node:crypto';
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Knex } from 'knex';
import { REASON_RULES, type DebitReason } from '../domain/debit-reasons';
import type { RenewalStage } from '../domain/renewal-stage';
import { appendAudit } from '../db/repositories/audit';
import { linkWorkflow, loadCycleContext, type CycleContext } from '../db/repositories/cycles';
import {
  findVerifiedContact,
  markContactSent,
  markContactSuppressed,
  openContactAttempt,
} from '../db/repositories/contacts';
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
import type { EmailPort } from '../integrations/messaging/port';
import { PRE_DUE_REMINDER, renderPreDueReminder } from '../integrations/messaging/templates/pre-due-reminder';

export interface RenewalActivityDeps {
  db: Knex;
  cipher: PiiCipher;
  bank: BankPort;
  email: EmailPort;
}

export interface CycleRef {
  policyNo: string;
  dueDate: string;
}

export type ReminderOutcome = { status: 'sent' | 'suppressed'; channel: 'email'; rule?: string };

export type DebitOutcome =
  | { status: 'succeeded'; attemptNo: number }
  | { status: 'failed'; attemptNo: number; reason: string; retryable: boolean; customerFault: boolean };

/** The IDs that link every row an activity writes back to the workflow history. */
function origin() {
  const info = Context.current().info;
  const execution = info.workflowExecution;
  if (!execution) throw ApplicationFailure.nonRetryable('renewal activities run only inside a workflow');
  return {
    workflowId: execution.workflowId,
    runId: execution.runId,
    activityId: info.activityId,
    // Business time is the server's clock when it scheduled this attempt: in production that is
    // now, on the time-skipping server it is the simulated date the cycle has reached.
    at: new Date(info.currentAttemptScheduledTimestampMs),
  };
}

export function createRenewalActivities({ db, cipher, bank, email }: RenewalActivityDeps) {
  async function requireCycle(ref: CycleRef): Promise<CycleContext> {
    const cycle = await loadCycleContext(db, ref.policyNo, ref.dueDate);
    if (!cycle) {
      throw ApplicationFailure.nonRetryable(
        `no premium due for policy ${ref.policyNo} on ${ref.dueDate}`,
        'PremiumNotFound',
      );
    }
    return cycle;
  }

  return {
    /** Links the premium to its cycle and returns the non-personal facts the workflow routes on. */
    async openCycle(ref: CycleRef, runMonth?: string): Promise<CycleContext> {
      const cycle = await requireCycle(ref);
      const { workflowId } = origin();
      await linkWorkflow(db, cycle.premiumDueId, workflowId, runMonth);
      return cycle;
    },

    async recordStage(ref: CycleRef, stage: RenewalStage): Promise<void> {
      const o = origin();
      await appendAudit(db, {
        kind: 'stage_changed',
        actor: 'renewal-cycle',
        policyNo: ref.policyNo,
        dueDate: ref.dueDate,
        workflowId: o.workflowId,
        runId: o.runId,
        activityId: o.activityId,
        occurredAt: o.at,
        detail: { stage },
      });
    },

    /** Sends the pre-due reminder by email, once, or records why it was not sent. */
    async sendPreDueReminder(ref: CycleRef, step: string): Promise<ReminderOutcome> {
      const cycle = await requireCycle(ref);
      const o = origin();
      const recipient = await findVerifiedContact(db, ref.policyNo, 'email');
      const attempt = await openContactAttempt(db, {
        id: randomUUID(),
        policyNo: ref.policyNo,
        dueDate: ref.dueDate,
        step,
        channel: 'email',
        templateCode: PRE_DUE_REMINDER.code,
        templateVersion: PRE_DUE_REMINDER.version,
        recipientMasked: recipient?.valueMasked ?? null,
        workflowId: o.workflowId,
        runId: o.runId,
        activityId: o.activityId,
        plannedAt: o.at,
      });
      if (attempt.status === 'sent' || attempt.status === 'delivered') return { status: 'sent', channel: 'email' };
      if (attempt.status === 'suppressed') {
        return { status: 'suppressed', channel: 'email', rule: attempt.suppressed_rule ?? undefined };
      }
      const audit = {
        actor: 'renewal-cycle',
        policyNo: ref.policyNo,
        dueDate: ref.dueDate,
        workflowId: o.workflowId,
        runId: o.runId,
        activityId: o.activityId,
        occurredAt: o.at,
      };
      if (!recipient) {
        await markContactSuppressed(db, attempt.id, 'no_verified_contact');
        await appendAudit(db, {
          ...audit,
          kind: 'contact_suppressed',
          detail: { contactId: attempt.id, step, channel: 'email', rule: 'no_verified_contact' },
        });
        return { status: 'suppressed', channel: 'email', rule: 'no_verified_contact' };
      }
      const message = renderPreDueReminder({ policyNo: ref.policyNo, dueDate: ref.dueDate, amountFen: cycle.amountFen });
      // The Message-ID carries the attempt ID; an SMTP relay that accepted it once is not asked twice
      // because the row is marked sent right after, and a retry returns above.
      const sent = await email.send({ contactId: attempt.id, to: cipher.decrypt(recipient.valueEnc), ...message });
      await markContactSent(db, attempt.id, 'smtp', sent.providerMessageId, o.at);
      await appendAudit(db, {
        ...audit,
        kind: 'contact_sent',
        detail: {
          contactId: attempt.id,
          step,
          channel: 'email',
          template: `${PRE_DUE_REMINDER.code}@${PRE_DUE_REMINDER.version}`,
          recipient: recipient.valueMasked,
          providerMessageId: sent.providerMessageId,
        },
      });
      return { status: 'sent', channel: 'email' };
    },

    /**
     * One debit attempt. The attempt row and its idempotency key are stored before submission; a
     * retry of this activity after a crash or an unknown answer queries the bank by that key and
     * never submits a second time.
     */
    async collectDebit(ref: CycleRef, attemptNo: number, collectionDate: string): Promise<DebitOutcome> {
      const cycle = await requireCycle(ref);
      const mandate = await loadMandateAccount(db, ref.policyNo);
      if (!mandate) throw ApplicationFailure.nonRetryable(`policy ${ref.policyNo} has no active mandate`, 'NoMandate');
      const o = origin();
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
      if (attempt.status === 'succeeded') return { status: 'succeeded', attemptNo };
      if (attempt.status === 'failed') return failedOutcome(attempt, attemptNo);

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

      const audit = {
        actor: 'renewal-cycle',
        policyNo: ref.policyNo,
        dueDate: ref.dueDate,
        workflowId: o.workflowId,
        runId: o.runId,
        activityId: o.activityId,
        occurredAt: o.at,
      };
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
        return { status: 'succeeded', attemptNo };
      }
      const classified = bank.classify(answer.rawCode);
      await recordFailure(db, attempt.id, answer.bankRef, classified, o.at);
      await appendAudit(db, {
        ...audit,
        kind: 'debit_failed',
        detail: { attemptNo, idempotencyKey: attempt.idempotency_key, rawCode: classified.rawCode, reason: classified.reason },
      });
      return {
        status: 'failed',
        attemptNo,
        reason: classified.reason,
        retryable: classified.retryable,
        customerFault: classified.customerFault,
      };
    },
  };
}

/** The outcome a retried activity reports for an attempt an earlier try already resolved. */
function failedOutcome(attempt: DebitAttemptRow, attemptNo: number): DebitOutcome {
  const reason = (attempt.reason ?? 'UNKNOWN') as DebitReason;
  const rule = REASON_RULES[reason] ?? REASON_RULES.UNKNOWN;
  return { status: 'failed', attemptNo, reason, retryable: rule.retryable, customerFault: rule.customerFault };
}

export type RenewalActivities = ReturnType<typeof createRenewalActivities>;
