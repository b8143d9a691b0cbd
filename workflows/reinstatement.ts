import { ApplicationFailure, condition, proxyActivities, setHandler, sleep } from '@temporalio/workflow';
import type { RenewalActivities } from '../activities/renewal-activities';
import { reinstatedNotice } from '../domain/application-notices';
import { debitRequestError, declarationTaskError, paymentError, STILL_OPENING, underwritingDecisionRefusal, withdrawalError } from '../domain/application-updates';
import type { ReinstatementRecord } from '../domain/reinstatement';
import { DECLARATION_STEP, receiveApplication, type UnderwritingDecision } from '../domain/reinstatement-application';
import * as application from '../domain/reinstatement-case';
import type { ReinstatementCase } from '../domain/reinstatement-case';
import { nextStep, noticeDue, statusNotice, type StatusChange } from '../domain/reinstatement-case-decider';
import { reinstatementApprovalError } from '../domain/four-eyes';
import { DONE_OUTCOME } from '../domain/task-outcomes';
import { signerOf, type SignedBy } from './messages';
import { refuse } from './refuse';
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

/** The statuses a person's update moves an application to (the rest the workflow's clock or payments do). */
const PEOPLE_MOVE: ReadonlySet<string> = new Set(['approved', 'declined', 'evidence_requested', 'withdrawn']);

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

/**
 * One reinstatement application (复效申请), a child of the cycle in its window stage: the declaration
 * captured, the underwriter's decision (or consent deemed after 30 days), the back premiums with
 * interest collected by debit or at the counter, and the policy reinstated from the day of payment.
 * A thin loop over the decider (domain/reinstatement-case-decider.ts): each turn asks what to do,
 * does it through an activity and feeds the outcome back into the case (domain/reinstatement-case.ts);
 * updates change the case between turns and wake the loop.
 */
export async function reinstatement(input: ReinstatementInput): Promise<ReinstatementResult> {
  const ref = { policyNo: input.policyNo, dueDate: input.lapsedDueDate };
  const receipt = receiveApplication(input.window, input.receivedAt);
  if (!receipt.accepted) throw ApplicationFailure.nonRetryable(receipt.message, 'ApplicationRefused');
  const state: ReinstatementCase = application.openCase(receipt.application, input.paymentMethod, input.window.lastDayToApply);
  // Loaded by the first activity. The handlers are set before it, so an update sent as soon as the
  // application has started (a withdrawal at once) waits for it instead of finding no handler.
  // eslint-disable-next-line prefer-const -- the handlers below read it before it is assigned
  let opened: ArrearsTerms | undefined;
  const terms = (): ArrearsTerms => {
    if (!opened) throw new Error(STILL_OPENING);
    return opened;
  };
  /** Runs at once when open, as before; otherwise once the opening activity has answered. */
  const afterOpening =
    <A extends unknown[], R>(handle: (...args: A) => R) =>
    (...args: A): R | Promise<R> =>
      opened ? handle(...args) : condition(() => opened !== undefined).then(() => handle(...args));
  let wake = false;
  // Who signed the application's steps (opaque references; none from histories recorded before).
  const signed: NonNullable<ReinstatementStatus['signedBy']> = input.appliedBy === undefined ? {} : { applied: input.appliedBy };

  // Queries answer with the clock of the last workflow task, so no quote is made here: clients
  // quote for the day they mean from `terms` (application/reinstatements.ts).
  const status = (): ReinstatementStatus => {
    const { application: app, reinstated } = state;
    return {
      status: app.status,
      receivedDate: app.receivedDate,
      decisionDueDate: app.decisionDueDate,
      paymentMethod: state.paymentMethod,
      declaration: state.declaration,
      evidenceRequested: app.evidenceRequests.flatMap((r) => r.evidence),
      ...(app.approval ? { approvedBy: app.approval.by, payBy: app.approval.payBy } : {}),
      ...(Object.keys(signed).length > 0 ? { signedBy: { ...signed } } : {}),
      ...(app.declineReason ? { declineReason: app.declineReason } : {}),
      terms: terms(),
      ...(state.debits.last ? { lastDebit: state.debits.last } : {}),
      ...(reinstated ? { effectiveDate: reinstated.effectiveDate, suicideExclusionEnds: reinstated.suicideExclusion.endsOn, nextDueDate: reinstated.nextDueDate } : {}),
      nextAction: state.nextAction,
    };
  };
  const changed = () => {
    wake = true;
    return status();
  };

  setHandler(reinstatementStatusQuery, status);
  setHandler(
    applicationTaskCompletedUpdate,
    afterOpening((completion: { step: string; outcome: string } & SignedBy) => {
      application.declarationCaptured(state);
      if (completion.by !== undefined) signed.declaration = completion.by;
      return changed();
    }),
    { validator: (completion: { step: string; outcome: string } & SignedBy) => refuse(declarationTaskError(state, completion)) },
  );
  setHandler(
    underwritingDecisionUpdate,
    afterOpening((decision: UnderwritingDecision & SignedBy) => {
      application.underwritingDecided(state, decision, Date.now());
      if (decision.by !== undefined) signed.decided = decision.by;
      return changed();
    }),
    {
      validator: (decision: UnderwritingDecision & SignedBy) =>
        refuse(
          underwritingDecisionRefusal(state, decision, Date.now()) ??
            (decision.kind === 'approve' ? reinstatementApprovalError(decision.by, { appliedBy: signed.applied, declarationBy: signed.declaration }) : undefined),
        ),
    },
  );
  setHandler(
    reinstatementPaymentUpdate,
    (payment) => {
      application.paymentReported(state, payment, Date.now());
      if (payment.by !== undefined) signed.paid = payment.by;
      else delete signed.paid;
      return changed();
    },
    { validator: (payment: { via: string; reference: string; amountFen: number }) => refuse(paymentError(state, opened, payment, Date.now())) },
  );
  setHandler(
    reinstatementDebitUpdate,
    (_signer: SignedBy | undefined) => {
      application.debitAskedFor(state);
      return changed();
    },
    { validator: (_signer: SignedBy | undefined) => refuse(debitRequestError(state, opened, Date.now())) },
  );
  setHandler(
    withdrawReinstatementUpdate,
    afterOpening((signer: SignedBy | undefined) => {
      application.withdrawn(state, Date.now());
      const by = signerOf(signer);
      if (by !== undefined) signed.withdrawn = by;
      return changed();
    }),
    { validator: (_signer: SignedBy | undefined) => refuse(withdrawalError(state)) },
  );

  opened = await activities.openReinstatementApplication(ref, {
    suspensionId: input.suspensionId,
    receivedAt: input.receivedAt,
    decisionDueDate: state.application.decisionDueDate,
    paymentMethod: input.paymentMethod,
    ...(input.appliedBy === undefined ? {} : { appliedBy: input.appliedBy }),
  });

  // Recording the declaration opens a turn that then goes on deciding, as the loop always has: an
  // update that came meanwhile cuts the turn's wait short rather than being waited for (timers keep
  // the numbers recorded histories gave them).
  let turnGoesOn = false;
  for (;;) {
    // Anything an update changes from here on wakes the turn's wait; earlier changes are in `state` already.
    if (!turnGoesOn) wake = false;
    const now = Date.now();
    const step = nextStep(state, terms(), now);
    turnGoesOn = step.type === 'record_declaration';

    switch (step.type) {
      case 'record_declaration':
        application.declarationRecorded(state);
        await activities.completeApplicationTask(ref, { step: DECLARATION_STEP, outcome: DONE_OUTCOME, ...(signed.declaration === undefined ? {} : { by: signed.declaration }) });
        if (application.underwritingTaskOwed(state)) await activities.openUnderwritingTask(ref, state.application.decisionDueDate);
        break;
      case 'reinstate': {
        let record: ReinstatementRecord;
        try {
          record = application.backPremiumsApplied(state, { quote: step.quote, amountFen: step.payment.amountFen, at: step.at });
        } catch (error) {
          // Never a workflow-task failure (it would retry for ever with the money taken): fail the
          // application visibly; the window stage closes it and operations see the failure.
          throw ApplicationFailure.nonRetryable(`back premiums received but not applied: ${(error as Error).message}`, 'ReinstatementNotApplied');
        }
        const reinstatedWith = { suspensionId: input.suspensionId, record, quote: step.quote, via: step.payment.via, reference: step.payment.reference, at: step.at };
        // Paid at the counter (or reported online): signed by the person who reported it; a debit by no one.
        const paidBy = step.payment.via === 'debit' ? undefined : signed.paid;
        await activities.completeReinstatement(ref, paidBy === undefined ? reinstatedWith : { ...reinstatedWith, by: paidBy });
        await activities.sendContact(ref, reinstatedNotice(record));
        return { outcome: 'reinstated', effectiveDate: record.effectiveDate, nextDueDate: record.nextDueDate };
      }
      case 'record_status':
        application.statusRecorded(state, now);
        await recordStatus(step.change);
        break;
      case 'debit': {
        application.debitStarted(state, step);
        const answer = await collectReinstatementDebit(ref, { suspensionId: input.suspensionId, attemptNo: step.attemptNo, amountFen: step.amountFen, collectionDate: step.collectionDate });
        application.debitAnswered(state, step, answer);
        break;
      }
      case 'wait':
        application.waiting(state, step);
        await condition(() => wake, step.until - Date.now());
        break;
      case 'close':
        return step.result;
      default: {
        const unhandled: never = step;
        throw new Error(`unhandled application step ${JSON.stringify(unhandled)}`);
      }
    }
  }

  /**
   * The trail and the customer hear of each status the application moves to. An async function the
   * loop awaits, as it always was: the promise hops from its last activity back to the loop order the
   * loop's next command against an update completed in the same workflow task, as histories have it.
   */
  async function recordStatus(change: StatusChange): Promise<void> {
    // Signed by the person whose update moved it; unsigned, the activity's arguments are as they were.
    const by = change.status === 'withdrawn' ? signed.withdrawn : change.approvedBy === 'deemed_consent' ? undefined : signed.decided;
    if (by !== undefined && PEOPLE_MOVE.has(change.status)) await activities.recordApplicationStatus(ref, change, by);
    else await activities.recordApplicationStatus(ref, change);
    const notice = noticeDue(state, Date.now());
    if (!notice) return;
    if (notice.at > Date.now()) await sleep(notice.at - Date.now());
    await activities.sendContact(ref, statusNotice(state, notice.kind, terms(), Date.now()));
  }
}
