import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import type { Knex } from 'knex';
import { startRenewalCycle } from '../application/renewal-cycles';
import { addDays, shanghaiDate } from '../domain/civil-date';
import { choosePlan, PERIODS_PER_YEAR } from '../domain/collection-plan';
import type { ApplicationStatus, DeclineReason, EvidenceKind } from '../domain/reinstatement-application';
import { quoteArrears, type ArrearsQuote } from '../domain/reinstatement-arrears';
import { reducedPaidUpOffer, type ReducedPaidUpStage, type ReinstatementRecord } from '../domain/reinstatement';
import { reinstatementWindow, windowConfig, type WindowConfig } from '../domain/reinstatement-window';
import { appendAudit } from '../db/repositories/audit';
import { loadCollectionPlans } from '../db/repositories/cycles';
import { loadMandateAccount } from '../db/repositories/debits';
import type { PiiCipher } from '../db/pii-cipher';
import { applicationByWorkflow, arrearsTerms, openApplication, reinstatePolicy, updateApplication } from '../db/repositories/reinstatements';
import { endSuspension, openSuspension, suspensionById } from '../db/repositories/suspensions';
import { completeTask, openAuditedTask } from '../db/repositories/tasks';
import { FileBatchBank } from '../integrations/bank/file-bank';
import type { BankPort } from '../integrations/bank/port';
import type { PolicyAdminPort } from '../integrations/policy-admin/port';
import type { ArrearsTerms, PaymentMethod } from '../workflows/reinstatement-messages';
import { requireCycle } from './cycle-activities';
import { activityOrigin, auditOf, type CycleRef, type Origin } from './origin';

export interface OpenedWindow {
  config: WindowConfig;
  suspensionId: number;
}

/** The status change an application went through, as the workflow saw it. */
export interface ApplicationChange {
  status: ApplicationStatus;
  approvedBy?: 'underwriter' | 'deemed_consent';
  approvedAt?: number;
  payBy?: string;
  declineReason?: DeclineReason;
  evidence?: EvidenceKind[];
  closedAt?: number;
}

export type ReinstatementDebitResult = { status: 'succeeded'; reference: string; at: number } | { status: 'failed'; reason: string };

const AUDIT_KIND: Record<ApplicationStatus, string> = {
  under_review: 'reinstatement_applied',
  evidence_requested: 'reinstatement_evidence_requested',
  approved: 'reinstatement_approved',
  declined: 'reinstatement_declined',
  withdrawn: 'reinstatement_withdrawn',
  approval_expired: 'reinstatement_approval_expired',
  reinstated: 'policy_reinstated',
};

/** How a closed application leaves its underwriting task. */
const UNDERWRITING_OUTCOME: Partial<Record<ApplicationStatus, string>> = {
  approved: 'approved',
  declined: 'declined',
  withdrawn: 'withdrawn',
};

const DECLARATION_STEP = 'reinstatement_declaration';
const UNDERWRITING_STEP = 'reinstatement_underwriting';
/** An underwriter has until the deemed-consent day; a declaration is captured within two days. */
const DECLARATION_DAYS = 2;

/** Audit rows of the application carry the reinstatement workflow's IDs and say so. */
function applicationAudit(ref: CycleRef, o: Origin) {
  return { ...auditOf(ref, o), actor: 'reinstatement' };
}

export function createReinstatementActivities(deps: { db: Knex; cipher: PiiCipher; bank: BankPort; policyAdmin: PolicyAdminPort; client?: Client }) {
  const { db, cipher, bank, policyAdmin, client } = deps;

  async function requireSuspension(id: number) {
    const suspension = await suspensionById(db, id);
    if (!suspension) throw ApplicationFailure.nonRetryable(`no suspension #${id}`, 'SuspensionNotFound');
    return suspension;
  }

  return {
    /**
     * The window stage's facts, fixed for the stage as loaded now: the product's years, the plan's
     * high-value rule; and the suspension row the reports and the lapsed list read.
     */
    async openReinstatementWindow(ref: CycleRef, lapsedAt: number): Promise<OpenedWindow> {
      const cycle = await requireCycle(db, ref);
      const o = activityOrigin();
      const product = await db('products').where({ code: cycle.productCode }).first<{ reinstatement_years: number }>('reinstatement_years');
      const plan = choosePlan(await loadCollectionPlans(db), { planCode: cycle.planCode }, cycle.snapshot.segment);
      const policy = {
        premiumFen: cycle.amountFen,
        paymentFrequency: cycle.snapshot.paymentFrequency,
        segment: cycle.snapshot.segment,
        preferredChannel: cycle.snapshot.preferredChannel,
      };
      const config = windowConfig({ suspendedAt: lapsedAt, reinstatementYears: product.reinstatement_years, plan, policy });
      const suspension = await openSuspension(db, {
        policy_no: ref.policyNo,
        premium_due_id: cycle.premiumDueId,
        lapsed_due_date: ref.dueDate,
        suspended_at: new Date(lapsedAt),
        suspension_date: config.window.suspensionDate,
        window_closes_on: config.window.closingDate,
        annual_premium_fen: cycle.amountFen * PERIODS_PER_YEAR[cycle.snapshot.paymentFrequency],
        high_value: config.highValue,
        workflow_id: o.workflowId,
      });
      const already = await db('audit_events').where({ workflow_id: o.workflowId, kind: 'reinstatement_window_opened' }).first<{ seq: number } | undefined>('seq');
      if (!already) await appendAudit(db, {
        ...auditOf(ref, o),
        kind: 'reinstatement_window_opened',
        detail: { suspensionId: suspension.id, suspensionDate: config.window.suspensionDate, lastDayToApply: config.window.lastDayToApply, highValue: config.highValue },
      });
      return { config, suspensionId: suspension.id };
    },

    /** Art. 37: the window closed unreinstated; the contract ends and its cash value is refunded. */
    async terminateContract(ref: CycleRef, t: { suspensionId: number; at: number; terminationDate: string }): Promise<{ cashValueFen: number; terminated: boolean }> {
      const o = activityOrigin();
      const policy = await db('policies').where({ policy_no: ref.policyNo }).first<{ cash_value_fen: string | number }>('cash_value_fen');
      const cashValueFen = Number(policy.cash_value_fen);
      let terminated = (await suspensionById(db, t.suspensionId))?.outcome === 'terminated'; // a retry finds it done
      await db.transaction(async (trx) => {
        if (!(await endSuspension(trx, t.suspensionId, 'terminated', new Date(t.at)))) return;
        terminated = true;
        await trx('policies').where({ policy_no: ref.policyNo }).update({ status: 'terminated', next_due_date: null, updated_at: trx.fn.now() });
        await appendAudit(trx, {
          ...auditOf(ref, o),
          occurredAt: new Date(t.at),
          kind: 'contract_terminated',
          detail: { terminationDate: t.terminationDate, refund: 'cash_value', cashValueFen },
        });
      });
      return { cashValueFen, terminated };
    },

    /**
     * The application on record with its declaration task (the health and risk declaration is captured
     * by operations into the underwriting file, never into the workflow), and the terms the workflow
     * quotes the back premiums from.
     */
    async openReinstatementApplication(
      ref: CycleRef,
      a: { suspensionId: number; receivedAt: number; decisionDueDate: string; paymentMethod: PaymentMethod },
    ): Promise<ArrearsTerms> {
      const o = activityOrigin();
      await requireSuspension(a.suspensionId);
      const terms = await arrearsTerms(db, ref.policyNo, ref.dueDate);
      if (!terms) throw ApplicationFailure.nonRetryable(`no premium due for policy ${ref.policyNo} on ${ref.dueDate}`, 'PremiumNotFound');
      const existing = await applicationByWorkflow(db, o.workflowId);
      await openApplication(db, {
        suspension_id: a.suspensionId,
        policy_no: ref.policyNo,
        workflow_id: o.workflowId,
        received_at: new Date(a.receivedAt),
        decision_due_date: a.decisionDueDate,
        payment_method: a.paymentMethod,
      });
      if (!existing) {
        await appendAudit(db, {
          ...applicationAudit(ref, o),
          occurredAt: new Date(a.receivedAt),
          kind: AUDIT_KIND.under_review,
          detail: { receivedDate: shanghaiDate(a.receivedAt), decisionDueDate: a.decisionDueDate, paymentMethod: a.paymentMethod },
        });
      }
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
        // A file bank answers days later through the day's files, which carry premium debits only:
        // the back premiums are then paid at the counter.
        hasMandate: terms.hasMandate && !(bank instanceof FileBatchBank),
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
        await trx('tasks').where({ workflow_id: workflowId, status: 'open' }).update({ status: 'cancelled', completed_at: o.at });
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
    async completeApplicationTask(ref: CycleRef, completion: { step: string; outcome: string }): Promise<void> {
      const o = activityOrigin();
      const taskId = await completeTask(db, o.workflowId, completion.step, completion.outcome, o.at);
      await appendAudit(db, { ...applicationAudit(ref, o), kind: 'task_completed', detail: { taskId: taskId ?? null, ...completion } });
    },

    /** The application's new status on record with its audit row; the underwriting task closed when decided. */
    async recordApplicationStatus(ref: CycleRef, change: ApplicationChange): Promise<void> {
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
          ...applicationAudit(ref, o),
          occurredAt: new Date(at),
          kind: AUDIT_KIND[change.status],
          detail: {
            ...(change.approvedBy ? { approvedBy: change.approvedBy, payBy: change.payBy } : {}),
            ...(change.declineReason ? { reasonCode: change.declineReason } : {}),
            ...(change.evidence ? { evidence: change.evidence } : {}),
          },
        });
        const outcome = UNDERWRITING_OUTCOME[change.status];
        if (outcome) await completeTask(trx, o.workflowId, UNDERWRITING_STEP, change.approvedBy === 'deemed_consent' ? 'deemed_consent' : outcome, new Date(at));
        // Deemed consent or a withdrawal leave nothing to capture either.
        if (change.status !== 'evidence_requested') await trx('tasks').where({ workflow_id: o.workflowId, status: 'open' }).update({ status: 'cancelled', completed_at: new Date(at) });
      });
    },

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
      Context.current().heartbeat({ key, step: 'query' });
      let answer = await bank.queryDebit(key);
      if (answer.status === 'not_found') {
        Context.current().heartbeat({ key, step: 'submit' });
        answer = await bank.submitDebit({
          idempotencyKey: key,
          bankCode: mandate.bankCode,
          accountNo: cipher.decrypt(mandate.accountEnc),
          accountName: cipher.decrypt(mandate.accountNameEnc),
          amountFen: d.amountFen,
          collectionDate: d.collectionDate,
        });
      }
      if (answer.status === 'succeeded') return record({ status: 'succeeded', reference: answer.bankRef, at: o.at.getTime() });
      if (answer.status === 'failed') return record({ status: 'failed', reason: bank.classify(answer.rawCode).reason });
      // Accepted or unknown: the answer comes later; Temporal retries and the retry asks the bank first.
      throw ApplicationFailure.retryable(`reinstatement debit ${key}: the bank has not answered yet (${answer.status})`, 'DebitPending');
    },

    /** Reinstated: on record in one transaction, with the restart of the suicide exclusion. */
    async completeReinstatement(
      ref: CycleRef,
      r: { suspensionId: number; record: ReinstatementRecord; quote: ArrearsQuote; via: string; reference: string; at: number },
    ): Promise<void> {
      const o = activityOrigin();
      const terms = await arrearsTerms(db, ref.policyNo, ref.dueDate);
      if (!terms) throw ApplicationFailure.nonRetryable(`no premium due for policy ${ref.policyNo} on ${ref.dueDate}`, 'PremiumNotFound');
      await db.transaction(async (trx) => {
        const done = await reinstatePolicy(trx, {
          workflowId: o.workflowId,
          suspensionId: r.suspensionId,
          policyNo: ref.policyNo,
          at: new Date(r.at),
          paid: { fen: r.record.paidFen, via: r.via, reference: r.reference },
          quote: r.quote,
          effectiveDate: r.record.effectiveDate,
          suicideExclusionEnds: r.record.suicideExclusion.endsOn,
          contestabilityEnds: r.record.contestability.endsOn,
          next: r.record.nextDueDate
            ? { dueDate: r.record.nextDueDate, installmentNo: terms.installmentNo + r.record.installmentsCovered, amountFen: terms.premiumFen }
            : null,
        });
        if (!done) return;
        await appendAudit(trx, {
          ...applicationAudit(ref, o),
          occurredAt: new Date(r.at),
          kind: AUDIT_KIND.reinstated,
          detail: {
            effectiveDate: r.record.effectiveDate,
            approvedBy: r.record.approvedBy,
            paidFen: r.record.paidFen,
            premiumsFen: r.record.premiumsFen,
            interestFen: r.record.interestFen,
            installmentsCovered: r.record.installmentsCovered,
            via: r.via,
            reference: r.reference,
            suicideExclusionEnds: r.record.suicideExclusion.endsOn,
            contestabilityEnds: r.record.contestability.endsOn,
            nextDueDate: r.record.nextDueDate,
          },
        });
      });
    },

    /**
     * The reinstated policy's next premium gets its own cycle now (its month's run may be past), on
     * this worker's task queue; a run that started it first is as good. Started from here rather than
     * as a child so the new cycle does not hang from a window stage that is about to close.
     */
    async startNextCycle(ref: CycleRef, dueDate: string): Promise<{ workflowId: string; started: boolean }> {
      if (!client) throw ApplicationFailure.nonRetryable('the reinstatement activities were built without a Temporal client', 'NoTemporalClient');
      const o = activityOrigin();
      const { handle, started } = await startRenewalCycle(client, { policyNo: ref.policyNo, dueDate }, Context.current().info.taskQueue);
      if (started) await appendAudit(db, { ...auditOf(ref, o), kind: 'next_cycle_started', detail: { dueDate, workflowId: handle.workflowId } });
      return { workflowId: handle.workflowId, started };
    },

    /**
     * Reduced paid-up (减额交清): the offer as the values stand today (cash value less unpaid premiums
     * and interest), the policyholder's choice on record, and when accepted the change requested from
     * the policy administration system. Refused (not retried) when the values leave nothing to buy cover.
     */
    async chooseReducedPaidUp(
      ref: CycleRef,
      c: { stage: ReducedPaidUpStage; choice: 'accepted' | 'declined'; suspensionId?: number; lastGraceDay?: string },
    ): Promise<{ choice: 'accepted' | 'declined'; netSinglePremiumFen: number; reference?: string }> {
      const cycle = await requireCycle(db, ref);
      const o = activityOrigin();
      const today = shanghaiDate(o.at.getTime());
      const policy = await db('policies').where({ policy_no: ref.policyNo }).first<{ cash_value_fen: string | number }>('cash_value_fen');
      let unpaidPremiumFen = cycle.amountFen;
      let unpaidInterestFen = 0;
      let when: Parameters<typeof reducedPaidUpOffer>[1];
      if (c.stage === 'reinstatement_window') {
        const suspension = await requireSuspension(c.suspensionId!);
        if (suspension.outcome !== 'open') throw ApplicationFailure.nonRetryable(`the suspension already ended (${suspension.outcome})`, 'ReducedPaidUpNotOffered');
        const terms = (await arrearsTerms(db, ref.policyNo, ref.dueDate))!;
        const quote = quoteArrears({ ...terms, lapsedDueDate: ref.dueDate, paymentDate: today > ref.dueDate ? today : addDays(ref.dueDate, 1) });
        unpaidPremiumFen = quote.premiumsFen;
        unpaidInterestFen = quote.interestFen;
        when = { stage: 'reinstatement_window', window: reinstatementWindow(suspension.suspension_date, yearsOf(suspension)), today };
      } else {
        when = { stage: 'grace_end', lastGraceDay: c.lastGraceDay!, today };
      }
      let offer;
      try {
        offer = reducedPaidUpOffer({ cashValueFen: Number(policy.cash_value_fen), unpaidPremiumFen, unpaidInterestFen, loansFen: 0 }, when);
      } catch (error) {
        throw ApplicationFailure.nonRetryable((error as Error).message, 'ReducedPaidUpNotOffered');
      }
      if (!offer.eligible) throw ApplicationFailure.nonRetryable(`reduced paid-up cannot be offered: ${offer.message}`, 'ReducedPaidUpNotOffered');
      const requestId = `RPU-${cycle.premiumDueId}-${c.stage}`; // one change per suspension or grace period, however often asked
      const reference = c.choice === 'accepted'
        ? (await policyAdmin.requestReducedPaidUp({ requestId, policyNo: ref.policyNo, netSinglePremiumFen: offer.offer.netSinglePremiumFen, effectiveDate: today })).reference
        : undefined;
      await db.transaction(async (trx) => {
        const inserted = await trx('reduced_paid_up_choices')
          .insert({
            policy_no: ref.policyNo,
            premium_due_id: cycle.premiumDueId,
            stage: c.stage,
            choice: c.choice,
            cash_value_fen: offer.offer.cashValueFen,
            net_single_premium_fen: offer.offer.netSinglePremiumFen,
            decided_at: o.at,
            admin_request_id: reference ?? null,
            workflow_id: o.workflowId,
            // Activity IDs restart in every run of the chain: the run ID makes them unique.
            activity_id: `${o.runId}/${o.activityId}`,
          })
          .onConflict(['workflow_id', 'activity_id'])
          .ignore()
          .returning('id');
        if (inserted.length === 0) return;
        if (c.choice === 'accepted') {
          await trx('policies').where({ policy_no: ref.policyNo }).update({ status: 'paid_up', next_due_date: null, updated_at: trx.fn.now() });
          await trx('premium_dues').where({ id: cycle.premiumDueId }).whereIn('status', ['due', 'lapsed']).update({ status: 'closed', updated_at: trx.fn.now() });
          if (c.suspensionId !== undefined && !(await endSuspension(trx, c.suspensionId, 'reduced_paid_up', o.at))) {
            throw ApplicationFailure.nonRetryable('the suspension ended meanwhile', 'ReducedPaidUpNotOffered');
          }
        }
        await appendAudit(trx, {
          ...auditOf(ref, o),
          kind: c.choice === 'accepted' ? 'reduced_paid_up_accepted' : 'reduced_paid_up_declined',
          detail: { stage: c.stage, cashValueFen: offer.offer.cashValueFen, netSinglePremiumFen: offer.offer.netSinglePremiumFen, adminRequest: reference ?? null },
        });
      });
      return { choice: c.choice, netSinglePremiumFen: offer.offer.netSinglePremiumFen, ...(reference ? { reference } : {}) };
    },
  };
}

/** The window's length in years, from its stored dates (the product may have changed since). */
function yearsOf(s: { suspension_date: string; window_closes_on: string }): number {
  return Number(s.window_closes_on.slice(0, 4)) - Number(s.suspension_date.slice(0, 4));
}
