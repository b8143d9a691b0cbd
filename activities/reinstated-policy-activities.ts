import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Knex } from 'knex';
import type { ArrearsQuote } from '../domain/reinstatement-arrears';
import type { ReinstatementRecord } from '../domain/reinstatement';
import { policyChangeId } from '../domain/policy-changes';
import { appendAudit, appendAuditOnce } from '../db/repositories/audit';
import { enqueuePolicyChange } from '../db/repositories/policy-admin-outbox';
import { arrearsTerms, reinstatePolicy } from '../db/repositories/reinstatements';
import type { StartCycle } from './cycle-starter';
import { activityOrigin, auditOf, type CycleRef } from './origin';
import { APPLICATION_AUDIT_KIND, applicationAudit } from './reinstatement-records';

/** A paid application: the policy back in force, and its next premium's cycle started. */
export function createReinstatedPolicyActivities({ db, startCycle }: { db: Knex; startCycle?: StartCycle }) {
  return {
    /** Reinstated: on record in one transaction, with the restart of the suicide exclusion. */
    async completeReinstatement(
      ref: CycleRef,
      r: { suspensionId: number; record: ReinstatementRecord; quote: ArrearsQuote; via: string; reference: string; at: number; by?: string },
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
        await enqueuePolicyChange(trx, {
          eventId: policyChangeId('policy_reinstated', r.suspensionId),
          kind: 'policy_reinstated',
          policyNo: ref.policyNo,
          payload: {
            lapsedDueDate: ref.dueDate,
            effectiveDate: r.record.effectiveDate,
            paidFen: r.record.paidFen,
            premiumsFen: r.record.premiumsFen,
            interestFen: r.record.interestFen,
            nextDueDate: r.record.nextDueDate,
            suicideExclusionEnds: r.record.suicideExclusion.endsOn,
          },
        });
        await appendAudit(trx, {
          ...applicationAudit(ref, o, r.by),
          occurredAt: new Date(r.at),
          kind: APPLICATION_AUDIT_KIND.reinstated,
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
      if (!startCycle) throw ApplicationFailure.nonRetryable('the reinstatement activities were built without a way to start cycles', 'NoTemporalClient');
      const o = activityOrigin();
      const { workflowId, started } = await startCycle({ policyNo: ref.policyNo, dueDate }, Context.current().info.taskQueue);
      if (started) await appendAuditOnce(db, { ...auditOf(ref, o), kind: 'next_cycle_started', detail: { dueDate, workflowId } });
      return { workflowId, started };
    },
  };
}
