import { ApplicationFailure } from '@temporalio/activity';
import type { Knex } from 'knex';
import { shanghaiDate } from '../domain/civil-date';
import {
  DECLARATION_STEP,
  UNDERWRITING_STEP,
  type ApplicationStatus,
  type PaymentMethod,
} from '../domain/reinstatement-application';
import type { ArrearsTerms } from '../domain/reinstatement-arrears';
import type { StatusChange } from '../domain/reinstatement-case-decider';
import { appendAudit, appendAuditOnce } from '../db/repositories/audit';
import { applicationByWorkflow, arrearsTerms, openApplication, updateApplication } from '../db/repositories/reinstatements';
import { cancelOpenTasks, completeTask, openAuditedTask } from '../db/repositories/tasks';
import type { BankPort } from '../integrations/bank/port';
import { activityOrigin, auditOf, type CycleRef } from './origin';
import { APPLICATION_AUDIT_KIND, applicationAudit, requireSuspension } from './reinstatement-records';

/** How a closed application leaves its underwriting task. */
const UNDERWRITING_OUTCOME: Partial<Record<ApplicationStatus, string>> = {
  approved: 'approved',
  declined: 'declined',
  withdrawn: 'withdrawn',
};

/** An underwriter has until the deemed-consent day; a declaration is captured within two days. */
const DECLARATION_DAYS = 2;

/** One reinstatement application on record: opened, its tasks, each status it moves to, closed. */
export function createReinstatementApplicationActivities({ db, bank }: { db: Knex; bank: BankPort }) {
  return {
    /**
     * The application on record with its declaration task (the health and risk declaration is captured
     * by operations into the underwriting file, never into the workflow), and the terms the workflow
     * quotes the back premiums from.
     */
    async openReinstatementApplication(
      ref: CycleRef,
      a: { suspensionId: number; receivedAt: number; decisionDueDate: string; paymentMethod: PaymentMethod; appliedBy?: string },
    ): Promise<ArrearsTerms> {
      const o = activityOrigin();
      await requireSuspension(db, a.suspensionId);
      const terms = await arrearsTerms(db, ref.policyNo, ref.dueDate);
      if (!terms) throw ApplicationFailure.nonRetryable(`no premium due for policy ${ref.policyNo} on ${ref.dueDate}`, 'PremiumNotFound');
      // The application and its audit row together: a retry finds the application and writes neither.
      await db.transaction(async (trx) => {
        const existing = await applicationByWorkflow(trx, o.workflowId);
        await openApplication(trx, {
          suspension_id: a.suspensionId,
          policy_no: ref.policyNo,
          workflow_id: o.workflowId,
          received_at: new Date(a.receivedAt),
          decision_due_date: a.decisionDueDate,
          payment_method: a.paymentMethod,
        });
        if (!existing) {
          await appendAudit(trx, {
            ...applicationAudit(ref, o, a.appliedBy),
            occurredAt: new Date(a.receivedAt),
            kind: APPLICATION_AUDIT_KIND.under_review,
            detail: { receivedDate: shanghaiDate(a.receivedAt), decisionDueDate: a.decisionDueDate, paymentMethod: a.paymentMethod },
          });
        }
      });
      await openAuditedTask(
        db,
        {
          kind: 'declaration',
          step: DECLARATION_STEP,
          policyNo: ref.policyNo,
          dueDate: ref.dueDate,
          assigneeAgentCode: null,
          assigneeRole: 'operations',
          dueAt: new Date(o.at.getTime() + DECLARATION_DAYS * 86_400_000),
          workflowId: o.workflowId,
          runId: o.runId,
          activityId: o.activityId,
        },
        applicationAudit(ref, o),
      );
      return {
        lapsedDueDate: ref.dueDate,
        premiumFen: terms.premiumFen,
        paymentFrequency: terms.paymentFrequency,
        interestRateBp: terms.interestRateBp,
        anchorDay: terms.anchorDay,
        // A file bank's files carry premium debits only: the back premiums are then paid at the counter.
        hasMandate: terms.hasMandate && !bank.premiumDebitsOnly,
      };
    },

    /**
     * An application workflow that failed or was terminated: what it left on record decides. Reinstated
     * stands; anything else is closed as withdrawn, with its open tasks cancelled, so the window goes on.
     */
    async closeFailedApplication(ref: CycleRef, workflowId: string): Promise<{ outcome: 'reinstated' | 'withdrawn'; effectiveDate?: string; nextDueDate?: string | null }> {
      const o = activityOrigin();
      const application = await applicationByWorkflow(db, workflowId);
      if (application?.status === 'reinstated') return { outcome: 'reinstated', effectiveDate: application.effective_date!, nextDueDate: application.next_due_date };
      await db.transaction(async (trx) => {
        if (application) await updateApplication(trx, workflowId, { status: 'withdrawn', closed_at: o.at });
        await cancelOpenTasks(trx, workflowId, o.at);
        await appendAudit(trx, { ...auditOf(ref, o), kind: 'reinstatement_application_failed', detail: { application: workflowId, recordedStatus: application?.status ?? null } });
      });
      return { outcome: 'withdrawn' };
    },

    /** The declaration is captured: the underwriter's task opens, due on the last day to decide. */
    async openUnderwritingTask(ref: CycleRef, decisionDueDate: string): Promise<void> {
      const o = activityOrigin();
      await openAuditedTask(
        db,
        {
          kind: 'underwriting',
          step: UNDERWRITING_STEP,
          policyNo: ref.policyNo,
          dueDate: ref.dueDate,
          assigneeAgentCode: null,
          assigneeRole: 'underwriter',
          dueAt: new Date(`${decisionDueDate}T23:59:59+08:00`),
          workflowId: o.workflowId,
          runId: o.runId,
          activityId: o.activityId,
        },
        applicationAudit(ref, o),
        { decisionDueDate },
      );
    },

    /** A task of the application closed with its outcome (the declaration captured). */
    /** `by`: the person who captured the declaration. */
    async completeApplicationTask(ref: CycleRef, completion: { step: string; outcome: string; by?: string }): Promise<void> {
      const o = activityOrigin();
      const { by, ...done } = completion;
      await db.transaction(async (trx) => {
        const taskId = await completeTask(trx, o.workflowId, done.step, done.outcome, o.at);
        await appendAuditOnce(trx, { ...applicationAudit(ref, o, by), kind: 'task_completed', detail: { taskId: taskId ?? null, ...done } }, { step: done.step });
      });
    },

    /** The application's new status on record with its audit row; the underwriting task closed when decided. */
    /** `by`: the person whose decision or withdrawal moved it (none when the clock or a payment did). */
    async recordApplicationStatus(ref: CycleRef, change: StatusChange, by?: string): Promise<void> {
      const o = activityOrigin();
      await db.transaction(async (trx) => {
        const moved = await updateApplication(trx, o.workflowId, {
          status: change.status,
          ...(change.approvedBy ? { approved_by: change.approvedBy, approved_at: new Date(change.approvedAt!), pay_by: change.payBy! } : {}),
          ...(change.declineReason ? { decline_reason: change.declineReason } : {}),
          ...(change.closedAt !== undefined ? { closed_at: new Date(change.closedAt) } : {}),
        });
        // A second request for evidence keeps the status but is a new event of its own.
        if (!moved && change.status !== 'evidence_requested') return;
        const at = change.approvedAt ?? change.closedAt ?? o.at.getTime();
        await appendAudit(trx, {
          ...applicationAudit(ref, o, by),
          occurredAt: new Date(at),
          kind: APPLICATION_AUDIT_KIND[change.status],
          detail: {
            ...(change.approvedBy ? { approvedBy: change.approvedBy, payBy: change.payBy } : {}),
            ...(change.declineReason ? { reasonCode: change.declineReason } : {}),
            ...(change.evidence ? { evidence: change.evidence } : {}),
          },
        });
        const outcome = UNDERWRITING_OUTCOME[change.status];
        if (outcome) await completeTask(trx, o.workflowId, UNDERWRITING_STEP, change.approvedBy === 'deemed_consent' ? 'deemed_consent' : outcome, new Date(at));
        // Deemed consent or a withdrawal leave nothing to capture either.
        if (change.status !== 'evidence_requested') await cancelOpenTasks(trx, o.workflowId, new Date(at));
      });
    },
  };
}
