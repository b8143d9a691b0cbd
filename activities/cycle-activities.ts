import { createHash } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/activity';
import type { Knex } from 'knex';
import {
  calendarSpan,
  cnMainlandCalendar,
  cycleCalendarSpan,
  cycleCalendarYears,
  type BusinessCalendarJSON,
  type CalendarDay,
  type CalendarSpan,
} from '../domain/business-calendar';
import { CN_MAINLAND_CALENDAR_DAYS, CN_MAINLAND_PUBLISHED_YEARS } from '../domain/calendars/cn-mainland';
import { shanghaiDate } from '../domain/civil-date';
import { choosePlan, planForPolicy, UnknownPlanError, validatePlan, type CollectionPlan } from '../domain/collection-plan';
import type { CycleEventKind } from '../domain/audit-kinds';
import type { ResultFileTiming } from '../domain/cycle-decider';
import type { PaidVia } from '../domain/payments';
import type { RenewalStage, StageRows } from '../domain/renewal-stage';
import { policyChangeId } from '../domain/policy-changes';
import { appendAuditOnce } from '../db/repositories/audit';
import { enqueuePolicyChange } from '../db/repositories/policy-admin-outbox';
import { putInSuspense, receivedFen } from '../db/repositories/suspense-ledger';
import { owedAfter, splitPayment } from '../domain/payment-amounts';
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
import type { BankPort } from '../integrations/bank/port';
import { activityOrigin, auditOf, type CycleRef, type Origin } from './origin';

/** What openCycle answered cycles begun before the lean opening (and still answers old workflow code). */
export interface OpenedCycle {
  context: CycleContext;
  plan: CollectionPlan;
  calendar: BusinessCalendarJSON;
}

/**
 * The lean opening (docs/architecture.md#what-a-cycles-history-holds): only what the workflow reads.
 * The plan resolved for the policy (named by code@version), the calendar's version and the days of
 * the cycle's span, and how the bank answers a debit in flight.
 */
export interface LeanOpenedCycle {
  context: Pick<CycleContext, 'status' | 'branchCode' | 'channel' | 'snapshot'>;
  plan: CollectionPlan;
  calendar: CalendarSpan;
  resultFile?: ResultFileTiming;
}

/** The stage a cycle starts in for the premium's status when it opens. */
function openingStage(status: string): RenewalStage {
  if (status === 'due') return 'PRE_DUE';
  return status === 'paid' ? 'PAID' : 'CLOSED';
}

let builtInDigest: string | undefined;

/**
 * The version of the calendar as loaded now: a hash of the built-in notices, the years whose notice
 * was imported and the stored rows. Equal versions, equal calendars.
 */
export function calendarVersion(rows: readonly CalendarDay[], noticeYears: readonly number[]): string {
  builtInDigest ??= createHash('sha256').update(JSON.stringify([CN_MAINLAND_CALENDAR_DAYS, CN_MAINLAND_PUBLISHED_YEARS])).digest('hex');
  const stored = rows.map((r) => [r.date, r.kind, r.name]);
  return createHash('sha256').update(JSON.stringify([builtInDigest, noticeYears, stored])).digest('hex').slice(0, 16);
}

/**
 * A stage row (and with a paid or closed stage the cycle's open tasks settled) in the caller's
 * transaction. Once per activity and stage: a retry writes neither again.
 */
export async function writeStage(trx: Knex, ref: CycleRef, o: Origin, stage: RenewalStage): Promise<void> {
  const written = await appendAuditOnce(trx, { ...auditOf(ref, o), kind: 'stage_changed', detail: { stage } }, { stage });
  const settlement = settlementAt(stage);
  if (written && settlement) await settleOpenTasks(trx, o.workflowId, o.at, auditOf(ref, o), settlement.because, settlement.keepKinds);
}

export async function requireCycle(db: Knex, ref: CycleRef): Promise<CycleContext> {
  const cycle = await loadCycleContext(db, ref.policyNo, ref.dueDate);
  if (!cycle) {
    throw ApplicationFailure.nonRetryable(`no premium due for policy ${ref.policyNo} on ${ref.dueDate}`, 'PremiumNotFound');
  }
  return cycle;
}

export function createCycleActivities({ db, bank }: { db: Knex; bank?: Pick<BankPort, 'resultFile'> }) {
  return {
    /**
     * Links the premium to its cycle and returns what the decider needs: the policy snapshot, the
     * plan and the business calendar, as loaded now. The workflow keeps them in its history, so a
     * plan or calendar edited later applies to new cycles, never half-way through this one.
     */
    async openCycle(ref: CycleRef, runMonth?: string, shape?: 'lean'): Promise<OpenedCycle | LeanOpenedCycle> {
      const context = await requireCycle(db, ref);
      const o = activityOrigin();
      if (shape !== 'lean') await linkWorkflow(db, context.premiumDueId, o.workflowId, runMonth);
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
      const calendar = cnMainlandCalendar(rows, { noticeYears, computeYears: cycleCalendarYears(ref.dueDate) });
      const opened = { kind: 'cycle_opened' as const, detail: { plan: `${plan.code}@${plan.version}`, runMonth: runMonth ?? null } };
      if (shape !== 'lean') {
        await appendAuditOnce(db, { ...auditOf(ref, o), ...opened });
        return { context, plan, calendar: calendar.toJSON() };
      }
      const version = calendarVersion(rows, noticeYears);
      const span = cycleCalendarSpan(ref.dueDate, context.snapshot.graceDays, shanghaiDate(o.at.getTime()));
      // Linked, opened and in its first stage together: the stage row is this activity's, not one more.
      await db.transaction(async (trx) => {
        await linkWorkflow(trx, context.premiumDueId, o.workflowId, runMonth);
        await appendAuditOnce(trx, { ...auditOf(ref, o), ...opened, detail: { ...opened.detail, calendar: version } });
        await writeStage(trx, ref, o, openingStage(context.status));
      });
      const { status, branchCode, channel, snapshot } = context;
      return {
        context: { status, branchCode, channel, snapshot },
        plan: planForPolicy(plan, snapshot),
        calendar: calendarSpan(calendar, version, span.from, span.to),
        ...(bank?.resultFile ? { resultFile: bank.resultFile } : {}),
      };
    },

    // Each fact and its audit row commit together, and a retried activity (its answer lost after the
    // first try committed) writes neither again: appendAuditOnce is keyed by workflow, run and activity.

    /**
     * The stage, and with a paid or closed one the open tasks of the cycle settled, in one
     * transaction (docs/business-rules.md#tasks-that-act).
     */
    async recordStage(ref: CycleRef, stage: RenewalStage): Promise<void> {
      const o = activityOrigin();
      await db.transaction((trx) => writeStage(trx, ref, o, stage));
    },

    /** Operator and customer events (promise, refusal, hold, account update…), for the audit trail. */
    /** `by`: the person whose update this event is (none for the cycle's own events). */
    async recordCycleEvent(ref: CycleRef, kind: CycleEventKind, detail: Record<string, unknown>, by?: string): Promise<void> {
      await appendAuditOnce(db, { ...auditOf(ref, activityOrigin(), by), kind, detail });
    },

    /**
     * A reported payment, its audit row and, once the premium is settled, with `stages.resulting` (a
     * lean cycle) the PAID stage row. With an amount (docs/business-rules.md#payment-amounts) the
     * premium takes what is still owed and the rest goes to the suspense ledger with a refund task;
     * without one it is the whole rest. `paidAt`: when the customer paid (else now).
     */
    async recordPaymentReceived(
      ref: CycleRef,
      payment: { via: PaidVia; reference: string; amountFen?: number; paidAt?: string; by?: string },
      stages?: StageRows,
    ): Promise<{ settled: boolean; owedFen: number }> {
      const cycle = await requireCycle(db, ref);
      const o = activityOrigin();
      const paidAt = payment.paidAt !== undefined ? new Date(payment.paidAt) : o.at;
      return db.transaction(async (trx) => {
        // A retry finds its payment (or its suspense entry) recorded: the split is not made twice.
        const earlier = await trx('payments').where({ premium_due_id: cycle.premiumDueId, via: payment.via, reference: payment.reference }).first<{ amount_fen: string }>('amount_fen');
        const received = await receivedFen(trx, cycle.premiumDueId);
        const owed = owedAfter(cycle.amountFen, received - Number(earlier?.amount_fen ?? 0));
        const split = splitPayment(owed, payment.amountFen ?? Math.max(owed, 1));
        let answer = { settled: owed === 0, owedFen: owed };
        if (split.appliedFen > 0) {
          answer = await recordPayment(trx, { premiumDueId: cycle.premiumDueId, via: payment.via, reference: payment.reference, amountFen: split.appliedFen, at: paidAt });
          const amounts = payment.amountFen !== undefined ? { amountFen: split.appliedFen, paidAt: paidAt.toISOString() } : {};
          await appendAuditOnce(trx, {
            ...auditOf(ref, o, payment.by),
            kind: answer.settled ? 'premium_paid' : 'premium_part_paid',
            detail: { via: payment.via, reference: payment.reference, ...amounts, ...(answer.settled ? {} : { owedFen: answer.owedFen }) },
          });
          if (answer.settled && stages?.resulting) await writeStage(trx, ref, o, 'PAID');
        }
        if (payment.amountFen !== undefined && split.excessFen > 0) {
          await putInSuspense(
            trx,
            {
              policyNo: ref.policyNo,
              premiumDueId: cycle.premiumDueId,
              amountFen: split.excessFen,
              paidAt,
              via: payment.via,
              reference: payment.reference,
              reason: owed === 0 ? 'already_paid' : 'over_payment',
              recordedBy: payment.by ?? 'renewal-cycle',
            },
            { dueDate: ref.dueDate, workflowId: o.workflowId, runId: o.runId },
          );
        }
        return answer;
      });
    },

    /** Automatic premium loan: granted when elected and the cash value, read now, covers the premium. */
    async grantPremiumLoan(ref: CycleRef, stages?: StageRows): Promise<boolean> {
      const cycle = await requireCycle(db, ref);
      const o = activityOrigin();
      const { aplElected, cashValueFen } = cycle.snapshot;
      // The loan covers what is still owed (part payments may have paid some of the premium).
      const loanFen = owedAfter(cycle.amountFen, await receivedFen(db, cycle.premiumDueId));
      const granted = aplElected && cashValueFen >= loanFen;
      await db.transaction(async (trx) => {
        if (stages?.entered) await writeStage(trx, ref, o, stages.entered);
        if (granted && stages?.resulting) await writeStage(trx, ref, o, 'PAID');
        if (granted) {
          await recordPayment(trx, { premiumDueId: cycle.premiumDueId, via: 'apl', reference: `APL-${cycle.premiumDueId}`, amountFen: loanFen, at: o.at });
          // The loan is booked against the cash value in the policy system (docs/architecture.md#policy-administration).
          await enqueuePolicyChange(trx, {
            eventId: policyChangeId('premium_loan_booked', cycle.premiumDueId),
            kind: 'premium_loan_booked',
            policyNo: ref.policyNo,
            payload: { dueDate: ref.dueDate, loanFen, cashValueFen, bookedOn: shanghaiDate(o.at.getTime()) },
          });
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
    async suspendPolicy(ref: CycleRef, nonPaymentReason: number, at: number, stages?: StageRows): Promise<void> {
      const cycle = await requireCycle(db, ref);
      const o = activityOrigin();
      await db.transaction(async (trx) => {
        if (stages?.entered) await writeStage(trx, ref, o, stages.entered);
        await suspendPolicy(trx, ref.policyNo, cycle.premiumDueId);
        await enqueuePolicyChange(trx, {
          eventId: policyChangeId('policy_suspended', cycle.premiumDueId),
          kind: 'policy_suspended',
          policyNo: ref.policyNo,
          payload: { lapsedDueDate: ref.dueDate, suspendedAt: new Date(at).toISOString(), nonPaymentReason },
        });
        await appendAuditOnce(trx, { ...auditOf(ref, o), occurredAt: new Date(at), kind: 'policy_suspended', detail: { nonPaymentReason } });
        if (stages?.resulting) await writeStage(trx, ref, o, 'LAPSED');
      });
    },
  };
}
