import { ApplicationFailure } from '@temporalio/activity';
import type { Knex } from 'knex';
import { cnMainlandCalendar, cycleCalendarYears, type BusinessCalendarJSON } from '../domain/business-calendar';
import { choosePlan, UnknownPlanError, validatePlan, type CollectionPlan } from '../domain/collection-plan';
import type { CycleEventKind } from '../domain/audit-kinds';
import type { PaidVia } from '../domain/payments';
import type { RenewalStage } from '../domain/renewal-stage';
import { appendAuditOnce } from '../db/repositories/audit';
import { settleOpenTasks } from '../db/repositories/tasks';
import { settlementAt } from '../domain/task-outcomes';
import { loadCalendarSources } from '../db/repositories/calendar';
import {
  linkWorkflow,
  loadCollectionPlans,
  loadCycleContext,
  recordPayment,
  suspendPolicy,
  type CycleContext,
} from '../db/repositories/cycles';
import { activityOrigin, auditOf, type CycleRef } from './origin';

export interface OpenedCycle {
  context: CycleContext;
  plan: CollectionPlan;
  calendar: BusinessCalendarJSON;
}

export async function requireCycle(db: Knex, ref: CycleRef): Promise<CycleContext> {
  const cycle = await loadCycleContext(db, ref.policyNo, ref.dueDate);
  if (!cycle) {
    throw ApplicationFailure.nonRetryable(`no premium due for policy ${ref.policyNo} on ${ref.dueDate}`, 'PremiumNotFound');
  }
  return cycle;
}

export function createCycleActivities({ db }: { db: Knex }) {
  return {
    /**
     * Links the premium to its cycle and returns what the decider needs: the policy snapshot, the
     * plan and the business calendar, as loaded now. The workflow keeps them in its history, so a
     * plan or calendar edited later applies to new cycles, never half-way through this one.
     */
    async openCycle(ref: CycleRef, runMonth?: string): Promise<OpenedCycle> {
      const context = await requireCycle(db, ref);
      const o = activityOrigin();
      await linkWorkflow(db, context.premiumDueId, o.workflowId, runMonth);
      const plans = await loadCollectionPlans(db);
      let plan: CollectionPlan;
      try {
        plan = validatePlan(choosePlan(plans, { planCode: context.planCode }, context.snapshot.segment), context.snapshot.graceDays);
      } catch (error) {
        // A plan code nobody stored (set by SQL: imports refuse it) is no more fixable by retrying.
        if (error instanceof UnknownPlanError) throw ApplicationFailure.nonRetryable(`product ${context.productCode}: ${error.message}`, 'UnknownPlan');
        // Retrying cannot fix a plan that does not fit the product: fail loudly for engineers to see.
        throw ApplicationFailure.nonRetryable(
          `product ${context.productCode} (${context.snapshot.graceDays} grace days): ${(error as Error).message}`,
          'PlanDoesNotFitProduct',
        );
      }
      const { rows, noticeYears } = await loadCalendarSources(db);
      const calendar = cnMainlandCalendar(rows, { noticeYears, computeYears: cycleCalendarYears(ref.dueDate) }).toJSON();
      await appendAuditOnce(db, { ...auditOf(ref, o), kind: 'cycle_opened', detail: { plan: `${plan.code}@${plan.version}`, runMonth: runMonth ?? null } });
      return { context, plan, calendar };
    },

    // Each fact and its audit row commit together, and a retried activity (its answer lost after the
    // first try committed) writes neither again: appendAuditOnce is keyed by workflow, run and activity.

    /**
     * The stage, and with a paid or closed one the open tasks of the cycle settled, in one
     * transaction (docs/business-rules.md#tasks-that-act).
     */
    async recordStage(ref: CycleRef, stage: RenewalStage): Promise<void> {
      const o = activityOrigin();
      const settlement = settlementAt(stage);
      await db.transaction(async (trx) => {
        await appendAuditOnce(trx, { ...auditOf(ref, o), kind: 'stage_changed', detail: { stage } });
        if (settlement) await settleOpenTasks(trx, o.workflowId, o.at, auditOf(ref, o), settlement.because, settlement.keepKinds);
      });
    },

    /** Operator and customer events (promise, refusal, hold, account update…), for the audit trail. */
    async recordCycleEvent(ref: CycleRef, kind: CycleEventKind, detail: Record<string, unknown>): Promise<void> {
      await appendAuditOnce(db, { ...auditOf(ref, activityOrigin()), kind, detail });
    },

    async recordPaymentReceived(ref: CycleRef, payment: { via: PaidVia; reference: string }): Promise<void> {
      const cycle = await requireCycle(db, ref);
      const o = activityOrigin();
      await db.transaction(async (trx) => {
        await recordPayment(trx, { premiumDueId: cycle.premiumDueId, via: payment.via, reference: payment.reference, amountFen: cycle.amountFen, at: o.at });
        await appendAuditOnce(trx, { ...auditOf(ref, o), kind: 'premium_paid', detail: { via: payment.via, reference: payment.reference } });
      });
    },

    /** Automatic premium loan: granted when elected and the cash value, read now, covers the premium. */
    async grantPremiumLoan(ref: CycleRef): Promise<boolean> {
      const cycle = await requireCycle(db, ref);
      const o = activityOrigin();
      const { aplElected, cashValueFen } = cycle.snapshot;
      const granted = aplElected && cashValueFen >= cycle.amountFen;
      await db.transaction(async (trx) => {
        if (granted) {
          await recordPayment(trx, { premiumDueId: cycle.premiumDueId, via: 'apl', reference: `APL-${cycle.premiumDueId}`, amountFen: cycle.amountFen, at: o.at });
        }
        await appendAuditOnce(trx, {
          ...auditOf(ref, o),
          kind: granted ? 'premium_loan_granted' : 'premium_loan_refused',
          detail: { aplElected, cashValueFen, premiumFen: cycle.amountFen },
        });
      });
      return granted;
    },

    /** Suspension (效力中止) at `at`, 00:00 after grace: the legal moment, recorded as such. */
    async suspendPolicy(ref: CycleRef, nonPaymentReason: number, at: number): Promise<void> {
      const cycle = await requireCycle(db, ref);
      const o = activityOrigin();
      await db.transaction(async (trx) => {
        await suspendPolicy(trx, ref.policyNo, cycle.premiumDueId);
        await appendAuditOnce(trx, { ...auditOf(ref, o), occurredAt: new Date(at), kind: 'policy_suspended', detail: { nonPaymentReason } });
      });
    },
  };
}
