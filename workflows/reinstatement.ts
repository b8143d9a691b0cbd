import { ApplicationFailure, condition, proxyActivities, setHandler, sleep } from '@temporalio/workflow';
import type { RenewalActivities } from '../activities/renewal-activities';
import { shanghaiDate, shanghaiInstant, type CivilDate } from '../domain/civil-date';
import { contactWindowOpening, DEFAULT_CONTACT_LIMITS } from '../domain/contact-rules';
import { reinstate, type ReinstatementRecord } from '../domain/reinstatement';
import {
  applicationStep,
  DECLARATION_STEP,
  decideUnderwriting,
  paymentAllowed,
  receiveApplication,
  underwritingDecisionError,
  UNDERWRITING_STEP,
  withdrawApplication,
  type ReinstatementApplication,
  type UnderwritingDecision,
} from '../domain/reinstatement-application';
import { isPaymentReference, isReportedVia, REPORTED_VIAS } from '../domain/payments';
import { quoteArrears, type ArrearsQuote } from '../domain/reinstatement-arrears';
import {
  applicationTaskCompletedUpdate,
  reinstatementDebitUpdate,
  reinstatementPaymentUpdate,
  reinstatementStatusQuery,
  underwritingDecisionUpdate,
  withdrawReinstatementUpdate,
  type ArrearsTerms,
  type ReinstatementInput,
  type ReinstatementResult,
  type ReinstatementStatus,
} from './reinstatement-messages';

const activities = proxyActivities<RenewalActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', maximumInterval: '5 minutes' },
});

/** As the cycle's debits: heartbeats before each bank call; an answer the bank owes is asked for again. */
const { collectReinstatementDebit } = proxyActivities<RenewalActivities>({
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '10 seconds', backoffCoefficient: 2, maximumInterval: '1 hour' },
});


interface Payment {
  via: string;
  reference: string;
  amountFen: number;
  at: number;
  /** The day the money was received (a debit: its collection date, whenever the bank answered). */
  date: CivilDate;
}

/**
 * One reinstatement application (复效申请), a child of the cycle in its window stage: the declaration
 * captured, the underwriter's decision (or consent deemed after 30 days), the back premiums with
 * interest collected by debit or at the counter, and the policy reinstated from the day of payment.
 * The rules are in domain/reinstatement*.ts; this is the loop that waits, records and collects.
 */
export async function reinstatement(input: ReinstatementInput): Promise<ReinstatementResult> {
  const ref = { policyNo: input.policyNo, dueDate: input.lapsedDueDate };
  const receipt = receiveApplication(input.window, input.receivedAt);
  if (!receipt.accepted) throw ApplicationFailure.nonRetryable(receipt.message, 'ApplicationRefused');
  const app: ReinstatementApplication = receipt.application;
  // Loaded by the first activity. The handlers are set before it, so an update sent as soon as the
  // application has started (a withdrawal at once) waits for it instead of finding no handler.
  // eslint-disable-next-line prefer-const -- the handlers below read it before it is assigned
  let opened: ArrearsTerms | undefined;
  const terms = (): ArrearsTerms => {
    if (!opened) throw new Error('the application is still being opened: try again in a moment');
    return opened;
  };
  /** Runs at once when open, as before; otherwise once the opening activity has answered. */
  const afterOpening =
    <A extends unknown[], R>(handle: (...args: A) => R) =>
    (...args: A): R | Promise<R> =>
      opened ? handle(...args) : condition(() => opened !== undefined).then(() => handle(...args));

  let declaration = 'awaited' as 'awaited' | 'captured';
  let declarationRecorded = false;
  let payment: Payment | undefined;
  let debitsWanted = input.paymentMethod === 'debit' ? 1 : 0;
  let debitsMade = 0;
  let debitInFlight = false;
  let lastDebit: ReinstatementStatus['lastDebit'];
  let reinstated: ReinstatementRecord | undefined;
  let nextAction = 'start';
  let wake = false;
  // What the trail already holds: the status and the number of evidence requests.
  let recorded = { status: app.status, evidence: 0 };

  const today = (): CivilDate => shanghaiDate(Date.now());
  const quoteFor = (paymentDate: CivilDate): ArrearsQuote => quoteArrears({ ...terms(), paymentDate });
  // Queries answer with the clock of the last workflow task, so no quote is made here: clients
  // quote for the day they mean from `terms` (application/reinstatements.ts).
  const status = (): ReinstatementStatus => ({
    status: app.status,
    receivedDate: app.receivedDate,
    decisionDueDate: app.decisionDueDate,
    paymentMethod: input.paymentMethod,
    declaration,
    evidenceRequested: app.evidenceRequests.flatMap((r) => r.evidence),
    ...(app.approval ? { approvedBy: app.approval.by, payBy: app.approval.payBy } : {}),
    ...(app.declineReason ? { declineReason: app.declineReason } : {}),
    terms: terms(),
    ...(lastDebit ? { lastDebit } : {}),
    ...(reinstated ? { effectiveDate: reinstated.effectiveDate, suicideExclusionEnds: reinstated.suicideExclusion.endsOn, nextDueDate: reinstated.nextDueDate } : {}),
    nextAction,
  });
  const changed = () => {
    wake = true;
    return status();
  };

  setHandler(reinstatementStatusQuery, status);
  setHandler(
    applicationTaskCompletedUpdate,
    afterOpening(() => {
      declaration = 'captured';
      return changed();
    }),
    {
      validator: ({ step, outcome }: { step: string; outcome: string }) => {
        if (step === UNDERWRITING_STEP) throw new Error('the underwriting task is completed by its decision: renewals reinstate decide');
        if (step !== DECLARATION_STEP) throw new Error(`no open task ${step} in this application`);
        if (declaration === 'captured') throw new Error(`no open task ${step} in this application`);
        if (outcome !== 'done') throw new Error(`outcome of ${step} must be done (the declaration is in the underwriting file), got ${outcome}`);
      },
    },
  );
  setHandler(
    underwritingDecisionUpdate,
    afterOpening((decision: UnderwritingDecision) => {
      decideUnderwriting(app, decision, Date.now());
      return changed();
    }),
    {
      validator: (decision: UnderwritingDecision) => {
        // An approval needs the declaration read; a decline or a request for evidence does not, so a
        // declaration that never comes need not end in consent.
        if (decision?.kind === 'approve' && declaration === 'awaited') throw new Error('the health and risk declaration is not captured yet: complete its task first');
        const error = underwritingDecisionError(app, decision, Date.now());
        if (error) throw new Error(error);
      },
    },
  );
  setHandler(
    reinstatementPaymentUpdate,
    ({ via, reference, amountFen }) => {
      payment = { via, reference, amountFen, at: Date.now(), date: today() };
      return changed();
    },
    {
      validator: ({ via, reference, amountFen }: { via: string; reference: string; amountFen: number }) => {
        if (!isReportedVia(via)) throw new Error(`via must be ${REPORTED_VIAS.join(', ').replace(/, (?=[^,]*$)/, ' or ')}, got ${via}`);
        if (!isPaymentReference(reference)) throw new Error('reference must be the receipt or bank reference: 1–64 letters, digits, - or _');
        if (payment || reinstated) throw new Error('the back premiums are already paid');
        if (debitInFlight || debitsWanted > debitsMade) throw new Error('a debit of the back premiums is on its way: wait for its answer');
        const allowed = paymentAllowed(app, today());
        if (!allowed.allowed) throw new Error(`no payment can be taken: ${allowed.message}`);
        const quote = quoteFor(today());
        if (amountFen !== quote.totalFen) {
          throw new Error(`amountFen must be today's quote, ${quote.totalFen} fen (back premiums ${quote.premiumsFen} + interest ${quote.interestFen}), got ${String(amountFen)}`);
        }
      },
    },
  );
  setHandler(
    reinstatementDebitUpdate,
    () => {
      debitsWanted = debitsMade + 1;
      return changed();
    },
    {
      validator: () => {
        if (!terms().hasMandate) throw new Error('the policy has no active debit mandate: pay at the counter');
        if (payment || reinstated) throw new Error('the back premiums are already paid');
        if (debitInFlight || debitsWanted > debitsMade) throw new Error('a debit is already on its way');
        const allowed = paymentAllowed(app, today());
        if (!allowed.allowed) throw new Error(`no debit can be made: ${allowed.message}`);
      },
    },
  );
  setHandler(
    withdrawReinstatementUpdate,
    afterOpening(() => {
      withdrawApplication(app, Date.now());
      return changed();
    }),
    {
      validator: () => {
        if (payment || reinstated) throw new Error('the back premiums are paid: the policy is being reinstated');
        if (debitInFlight) throw new Error('a debit of the back premiums is on its way: wait for its answer');
        if (!['under_review', 'evidence_requested', 'approved'].includes(app.status)) throw new Error(`the application is ${app.status}: nothing to withdraw`);
      },
    },
  );

  opened = await activities.openReinstatementApplication(ref, {
    suspensionId: input.suspensionId,
    receivedAt: input.receivedAt,
    decisionDueDate: app.decisionDueDate,
    paymentMethod: input.paymentMethod,
  });

  for (;;) {
    wake = false;
    if (declaration === 'captured' && !declarationRecorded) {
      declarationRecorded = true;
      await activities.completeApplicationTask(ref, { step: DECLARATION_STEP, outcome: 'done' });
      if (app.status === 'under_review' || app.status === 'evidence_requested') await activities.openUnderwritingTask(ref, app.decisionDueDate);
    }
    if (payment && !reinstated) {
      // A payment taken was allowed when it came (its validator, or the debit asked under an open
      // approval): it is applied before any expiry the clock would apply now.
      const quote = quoteFor(payment.date);
      const at = shanghaiDate(payment.at) === payment.date ? payment.at : shanghaiInstant(payment.date, '23:59');
      try {
        reinstated = reinstate(app, quote, { amountFen: payment.amountFen, at });
      } catch (error) {
        // Never a workflow-task failure (it would retry for ever with the money taken): fail the
        // application visibly; the window stage closes it and operations see the failure.
        throw ApplicationFailure.nonRetryable(`back premiums received but not applied: ${(error as Error).message}`, 'ReinstatementNotApplied');
      }
      await activities.completeReinstatement(ref, { suspensionId: input.suspensionId, record: reinstated, quote, via: payment.via, reference: payment.reference, at });
      recorded = { status: app.status, evidence: app.evidenceRequests.length };
      await activities.sendContact(ref, {
        step: 'policy_reinstated',
        template: 'policy_reinstated',
        channels: ['sms', 'email'],
        allChannels: true,
        fields: { effectiveDate: reinstated.effectiveDate, suicideExclusionEnds: reinstated.suicideExclusion.endsOn, totalDueFen: reinstated.paidFen, ...(reinstated.nextDueDate ? { nextDueDate: reinstated.nextDueDate } : {}) },
      });
      return { outcome: 'reinstated', effectiveDate: reinstated.effectiveDate, nextDueDate: reinstated.nextDueDate };
    }

    const step = applicationStep(app, Date.now()); // applies deemed consent and an expired approval first
    if (app.status !== recorded.status || app.evidenceRequests.length !== recorded.evidence) {
      recorded = { status: app.status, evidence: app.evidenceRequests.length };
      await recordChange(ref, app);
      continue;
    }

    switch (step.type) {
      case 'await_decision':
        nextAction = declaration === 'awaited' ? 'wait: the health declaration to be captured' : `wait: underwriting decision by ${step.decisionDueDate}`;
        await condition(() => wake, step.until - Date.now());
        break;
      case 'await_payment': {
        if (debitsWanted > debitsMade && terms().hasMandate) {
          debitsMade += 1;
          nextAction = 'debit: back premiums and interest';
          const collectionDate = today();
          const quote = quoteFor(collectionDate);
          debitInFlight = true;
          const result = await collectReinstatementDebit(ref, { suspensionId: input.suspensionId, attemptNo: debitsMade, amountFen: quote.totalFen, collectionDate });
          debitInFlight = false;
          if (result.status === 'succeeded') {
            lastDebit = { collectionDate, status: 'succeeded' };
            // Paid on the collection date the quote was made for, whenever the bank answered.
            payment = { via: 'debit', reference: result.reference, amountFen: quote.totalFen, at: result.at, date: collectionDate };
          } else {
            lastDebit = { collectionDate, status: 'failed', reason: result.reason };
          }
          break;
        }
        nextAction = `wait: back premiums paid by ${step.payBy}`;
        await condition(() => wake, step.until - Date.now());
        break;
      }
      case 'approval_expired':
        break; // recorded on the next turn
      case 'closed':
        return { outcome: step.outcome === 'reinstated' ? 'reinstated' : step.outcome, ...(app.declineReason ? { declineReason: app.declineReason } : {}) };
    }
  }

  /** The trail and the customer hear of each status the application moves to. */
  async function recordChange(r: typeof ref, a: ReinstatementApplication): Promise<void> {
    const latest = a.evidenceRequests.at(-1);
    await activities.recordApplicationStatus(r, {
      status: a.status,
      ...(a.approval ? { approvedBy: a.approval.by, approvedAt: a.approval.at, payBy: a.approval.payBy } : {}),
      ...(a.declineReason ? { declineReason: a.declineReason } : {}),
      ...(a.status === 'evidence_requested' && latest ? { evidence: latest.evidence } : {}),
      ...(a.closedAt !== undefined ? { closedAt: a.closedAt } : {}),
    });
    if (a.status === 'approved' && a.approval) {
      // Consent deemed at 00:00 is told (and debited) when the day's contact window opens.
      const opening = contactWindowOpening(Date.now(), DEFAULT_CONTACT_LIMITS, 'sms');
      if (opening > Date.now()) await sleep(opening - Date.now());
      const quote = quoteFor(shanghaiDate(Math.max(a.approval.at, Date.now())));
      await activities.sendContact(r, {
        step: 'reinstatement_approved',
        template: 'reinstatement_approved',
        channels: ['sms', 'email'],
        allChannels: true,
        fields: { approvedBy: a.approval.by, backPremiumsFen: quote.premiumsFen, interestFen: quote.interestFen, totalDueFen: quote.totalFen, payBy: a.approval.payBy },
      });
    } else if (a.status === 'declined') {
      await activities.sendContact(r, {
        step: 'reinstatement_declined',
        template: 'reinstatement_declined',
        channels: ['sms', 'email', 'letter'],
        allChannels: true,
        fields: { reinstatementWindowEnd: input.window.lastDayToApply, ...(a.declineReason ? { declineReason: a.declineReason } : {}) },
      });
    }
  }
}
