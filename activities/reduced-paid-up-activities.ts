import { ApplicationFailure } from '@temporalio/activity';
import type { Knex } from 'knex';
import { addDays, shanghaiDate } from '../domain/civil-date';
import { quoteArrears } from '../domain/reinstatement-arrears';
import { reducedPaidUpOffer, type ReducedPaidUpStage } from '../domain/reinstatement';
import { policyChangeId } from '../domain/policy-changes';
import { reinstatementWindow } from '../domain/reinstatement-window';
import { appendAudit } from '../db/repositories/audit';
import { closeUnpaidPremium } from '../db/repositories/cycles';
import { enqueuePolicyChange } from '../db/repositories/policy-admin-outbox';
import { cashValueOf, endPremiumPayments } from '../db/repositories/policies';
import { recordReducedPaidUpChoice } from '../db/repositories/reduced-paid-up';
import { arrearsTerms } from '../db/repositories/reinstatements';
import { endSuspension } from '../db/repositories/suspensions';
import { requireCycle } from './cycle-activities';
import { activityOrigin, auditOf, type CycleRef } from './origin';
import { requireSuspension } from './reinstatement-records';

/** Reduced paid-up (减额交清) chosen at grace end or in the reinstatement window. */
export function createReducedPaidUpActivities({ db }: { db: Knex }) {
  return {
    /**
     * Reduced paid-up (减额交清): the offer as the values stand today (cash value less unpaid premiums
     * and interest), the policyholder's choice on record, and when accepted the change for the policy
     * administration system in the outbox, in the same transaction (the relay delivers it). Refused
     * (not retried) when the values leave nothing to buy cover.
     */
    async chooseReducedPaidUp(
      ref: CycleRef,
      c: { stage: ReducedPaidUpStage; choice: 'accepted' | 'declined'; suspensionId?: number; lastGraceDay?: string; by?: string },
    ): Promise<{ choice: 'accepted' | 'declined'; netSinglePremiumFen: number }> {
      const cycle = await requireCycle(db, ref);
      const o = activityOrigin();
      const today = shanghaiDate(o.at.getTime());
      const cashValueFen = await cashValueOf(db, ref.policyNo);
      let unpaidPremiumFen = cycle.amountFen;
      let unpaidInterestFen = 0;
      let when: Parameters<typeof reducedPaidUpOffer>[1];
      if (c.stage === 'reinstatement_window') {
        const suspension = await requireSuspension(db, c.suspensionId!);
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
        offer = reducedPaidUpOffer({ cashValueFen, unpaidPremiumFen, unpaidInterestFen, loansFen: 0 }, when);
      } catch (error) {
        throw ApplicationFailure.nonRetryable((error as Error).message, 'ReducedPaidUpNotOffered');
      }
      if (!offer.eligible) throw ApplicationFailure.nonRetryable(`reduced paid-up cannot be offered: ${offer.message}`, 'ReducedPaidUpNotOffered');
      // One change per suspension or grace period, however often asked.
      const eventId = policyChangeId('reduced_paid_up_requested', `${cycle.premiumDueId}-${c.stage}`);
      await db.transaction(async (trx) => {
        const recorded = await recordReducedPaidUpChoice(trx, {
          policy_no: ref.policyNo,
          premium_due_id: cycle.premiumDueId,
          stage: c.stage,
          choice: c.choice,
          cash_value_fen: offer.offer.cashValueFen,
          net_single_premium_fen: offer.offer.netSinglePremiumFen,
          decided_at: o.at,
          // The administration system's reference arrives with the relay's delivery of the change.
          admin_request_id: null,
          workflow_id: o.workflowId,
          // Activity IDs restart in every run of the chain: the run ID makes them unique.
          activity_id: `${o.runId}/${o.activityId}`,
        });
        if (!recorded) return;
        if (c.choice === 'accepted') {
          await enqueuePolicyChange(trx, {
            eventId,
            kind: 'reduced_paid_up_requested',
            policyNo: ref.policyNo,
            payload: {
              premiumDueId: cycle.premiumDueId,
              stage: c.stage,
              netSinglePremiumFen: offer.offer.netSinglePremiumFen,
              cashValueFen: offer.offer.cashValueFen,
              effectiveDate: today,
            },
          });
          await endPremiumPayments(trx, ref.policyNo, 'paid_up');
          await closeUnpaidPremium(trx, cycle.premiumDueId);
          if (c.suspensionId !== undefined && !(await endSuspension(trx, c.suspensionId, 'reduced_paid_up', o.at))) {
            throw ApplicationFailure.nonRetryable('the suspension ended meanwhile', 'ReducedPaidUpNotOffered');
          }
        }
        await appendAudit(trx, {
          ...auditOf(ref, o, c.by),
          kind: c.choice === 'accepted' ? 'reduced_paid_up_accepted' : 'reduced_paid_up_declined',
          detail: { stage: c.stage, cashValueFen: offer.offer.cashValueFen, netSinglePremiumFen: offer.offer.netSinglePremiumFen, adminRequest: c.choice === 'accepted' ? eventId : null },
        });
      });
      return { choice: c.choice, netSinglePremiumFen: offer.offer.netSinglePremiumFen };
    },
  };
}

/** The window's length in years, from its stored dates (the product may have changed since). */
function yearsOf(s: { suspension_date: string; window_closes_on: string }): number {
  return Number(s.window_closes_on.slice(0, 4)) - Number(s.suspension_date.slice(0, 4));
}
