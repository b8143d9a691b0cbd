import type { Knex } from 'knex';
import { ApplicationFailure } from '@temporalio/activity';
import { choosePlan, PERIODS_PER_YEAR, UnknownPlanError, type CollectionPlan } from '../domain/collection-plan';
import { windowConfig, type WindowConfig } from '../domain/reinstatement-window';
import { appendAudit, hasAuditRow } from '../db/repositories/audit';
import { loadCollectionPlans } from '../db/repositories/cycles';
import { cashValueOf, endPremiumPayments, reinstatementYearsOf } from '../db/repositories/policies';
import { endSuspension, openSuspension, suspensionById } from '../db/repositories/suspensions';
import { preferredNoticeChannel, type NoticeChannel } from '../domain/channels';
import { shanghaiDate } from '../domain/civil-date';
import { owedAfter, undoesSuspension } from '../domain/payment-amounts';
import type { ReportedVia } from '../domain/payments';
import { policyChangeId } from '../domain/policy-changes';
import { recordPayment } from '../db/repositories/cycles';
import { enqueuePolicyChange } from '../db/repositories/policy-admin-outbox';
import { putInSuspense, receivedFen } from '../db/repositories/suspense-ledger';
import { requireCycle } from './cycle-activities';
import { activityOrigin, auditOf, type CycleRef } from './origin';

/** A payment reported to the window stage: one made within grace counts (docs/business-rules.md#payment-amounts). */
export interface LatePayment {
  suspensionId: number;
  via: ReportedVia;
  reference: string;
  amountFen?: number;
  paidAt: string;
  by?: string;
}

export interface LatePaymentOutcome {
  /** The suspension was undone: the premium is paid, the policy in force. */
  undone: boolean;
  /** The customer's channel for the notice that says so. */
  channel: NoticeChannel;
}

export interface OpenedWindow {
  config: WindowConfig;
  suspensionId: number;
}

/** The plan as openCycle chooses it; a code nobody stored cannot be fixed by retrying. */
function chooseKnownPlan(plans: readonly CollectionPlan[], planCode: string, segment: string | null): CollectionPlan {
  try {
    return choosePlan(plans, { planCode }, segment);
  } catch (error) {
    if (error instanceof UnknownPlanError) throw ApplicationFailure.nonRetryable(error.message, 'UnknownPlan');
    throw error;
  }
}

/** The window stage of a cycle after suspension: its facts on record, and the contract's end at the close. */
export function createReinstatementWindowActivities({ db }: { db: Knex }) {
  return {
    /**
     * The window stage's facts, fixed for the stage as loaded now: the product's years, the plan's
     * high-value rule; and the suspension row the reports and the lapsed list read.
     */
    async openReinstatementWindow(ref: CycleRef, lapsedAt: number): Promise<OpenedWindow> {
      const cycle = await requireCycle(db, ref);
      const o = activityOrigin();
      const reinstatementYears = await reinstatementYearsOf(db, cycle.productCode);
      const plan = chooseKnownPlan(await loadCollectionPlans(db), cycle.planCode, cycle.snapshot.segment);
      const policy = {
        premiumFen: cycle.amountFen,
        paymentFrequency: cycle.snapshot.paymentFrequency,
        segment: cycle.snapshot.segment,
        preferredChannel: cycle.snapshot.preferredChannel,
      };
      const config = windowConfig({ suspendedAt: lapsedAt, reinstatementYears, plan, policy });
      // The suspension row and its audit row together; once per window stage, however often opened.
      const suspension = await db.transaction(async (trx) => {
        const opened = await openSuspension(trx, {
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
        if (!(await hasAuditRow(trx, o.workflowId, 'reinstatement_window_opened'))) {
          await appendAudit(trx, {
            ...auditOf(ref, o),
            kind: 'reinstatement_window_opened',
            detail: { suspensionId: opened.id, suspensionDate: config.window.suspensionDate, lastDayToApply: config.window.lastDayToApply, highValue: config.highValue },
          });
        }
        return opened;
      });
      return { config, suspensionId: suspension.id };
    },

    /**
     * A payment reported after the suspension. Made before the suspension instant and enough for
     * what was owed, it undoes the suspension (Art. 36: paid within grace, the policy never lapsed):
     * the payment, the premium paid, the suspension `undone`, the policy in force, the audit row and
     * the policy system's change, together; too much goes to suspense. Anything else is no premium
     * payment and goes to suspense whole (`after_lapse`), for a refund or the reinstatement.
     */
    async recordLatePayment(ref: CycleRef, payment: LatePayment): Promise<LatePaymentOutcome> {
      const cycle = await requireCycle(db, ref);
      const o = activityOrigin();
      const channel = preferredNoticeChannel(cycle.snapshot.preferredChannel);
      const paidAt = new Date(payment.paidAt);
      const actor = payment.by ?? 'renewal-cycle';
      return db.transaction(async (trx) => {
        const suspension = await suspensionById(trx, payment.suspensionId);
        if (suspension?.outcome === 'undone') return { undone: true, channel }; // a retry finds it done
        const owed = owedAfter(cycle.amountFen, await receivedFen(trx, cycle.premiumDueId));
        const amountFen = payment.amountFen ?? owed;
        const money = { policyNo: ref.policyNo, premiumDueId: cycle.premiumDueId, paidAt, via: payment.via, reference: payment.reference, recordedBy: actor };
        const audit = { dueDate: ref.dueDate, workflowId: o.workflowId, runId: o.runId };
        if (suspension?.outcome !== 'open' || !undoesSuspension({ paidAt: paidAt.getTime(), amountFen }, suspension.suspended_at.getTime(), owed)) {
          if (amountFen > 0) await putInSuspense(trx, { ...money, amountFen, reason: 'after_lapse' }, audit);
          return { undone: false, channel };
        }
        await recordPayment(trx, { premiumDueId: cycle.premiumDueId, via: payment.via, reference: payment.reference, amountFen: owed, at: paidAt });
        await endSuspension(trx, suspension.id, 'undone', o.at);
        await trx('policies').where({ policy_no: ref.policyNo, status: 'lapsed' }).update({ status: 'in_force', updated_at: trx.fn.now() });
        await appendAudit(trx, {
          ...auditOf(ref, o, payment.by),
          kind: 'suspension_undone',
          detail: { suspensionId: suspension.id, via: payment.via, reference: payment.reference, amountFen: owed, paidAt: paidAt.toISOString() },
        });
        await enqueuePolicyChange(trx, {
          eventId: policyChangeId('suspension_undone', suspension.id),
          kind: 'suspension_undone',
          policyNo: ref.policyNo,
          payload: { dueDate: ref.dueDate, suspensionDate: suspension.suspension_date, paidOn: shanghaiDate(paidAt.getTime()) },
        });
        if (amountFen > owed) await putInSuspense(trx, { ...money, amountFen: amountFen - owed, reason: 'over_payment' }, audit);
        return { undone: true, channel };
      });
    },

    /** Art. 37: the window closed unreinstated; the contract ends and its cash value is refunded. */
    async terminateContract(ref: CycleRef, t: { suspensionId: number; at: number; terminationDate: string }): Promise<{ cashValueFen: number; terminated: boolean }> {
      const o = activityOrigin();
      const cashValueFen = await cashValueOf(db, ref.policyNo);
      let terminated = (await suspensionById(db, t.suspensionId))?.outcome === 'terminated'; // a retry finds it done
      await db.transaction(async (trx) => {
        if (!(await endSuspension(trx, t.suspensionId, 'terminated', new Date(t.at)))) return;
        terminated = true;
        await endPremiumPayments(trx, ref.policyNo, 'terminated');
        await appendAudit(trx, {
          ...auditOf(ref, o),
          occurredAt: new Date(t.at),
          kind: 'contract_terminated',
          detail: { terminationDate: t.terminationDate, refund: 'cash_value', cashValueFen },
        });
      });
      return { cashValueFen, terminated };
    },
  };
}
