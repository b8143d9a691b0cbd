import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  patched,
  proxyActivities,
  setHandler,
  sleep,
  startChild,
  upsertSearchAttributes,
  type ChildWorkflowHandle,
} from '@temporalio/workflow';
import type { RenewalActivities } from '../activities/renewal-activities';
import { receiveApplication } from '../domain/reinstatement-application';
import { decideWindow, opening, reminderDone, type WindowAction, type WindowState } from '../domain/reinstatement-window';
import type { RenewalStage } from '../domain/renewal-stage';
import { taskCompletionError } from '../domain/cycle-updates';
import { shanghaiDate } from '../domain/civil-date';
import { applicationRefusal, latePaymentError, windowReducedPaidUpError, type ReducedPaidUpTaking } from '../domain/window-updates';
import {
  OPENING,
  paymentReceivedUpdate,
  RenewalStageKey,
  statusQuery,
  taskCompletedUpdate,
  type RenewalCycleInput,
  type RenewalCycleResult,
  type RenewalCycleStatus,
  type ReportedPayment,
  type SignedBy,
} from './messages';
import { reinstatement } from './reinstatement';
import { takeReducedPaidUpChoices } from './reduced-paid-up-choice';
import { refuse } from './refuse';
import {
  applyForReinstatementUpdate,
  reinstatementWorkflowId,
  type PaymentMethod,
  type ReinstatementResult,
} from './reinstatement-messages';

const activities = proxyActivities<RenewalActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', maximumInterval: '5 minutes' },
});

export type WindowInput = NonNullable<RenewalCycleInput['reinstatementWindow']>;

/**
 * The window's agent call carries the reminder's priority into the task's (domain/task-priority.ts).
 * Asked at each call: histories recorded before it opened the call without it (fixture
 * renewal-cycle-window-call-v1.json), and replay so.
 */
const WINDOW_TASK_PRIORITY_PATCH = 'window-task-priority';

/**
 * A payment made within grace and reported after the suspension undoes it (docs/business-rules.md#payment-amounts).
 * Asked when such a payment is taken: histories recorded before had no handler for it, so took none.
 */
const LATE_PAYMENT_PATCH = 'late-payment-undoes-suspension';

/** The step and template of the notice that tells the customer the suspension was undone. */
const SUSPENSION_UNDONE = 'suspension_undone';

/**
 * The cycle after suspension: the reinstatement window. Reminders at +30/+180/+365 days and before
 * the close (agent calls for high value), applications as `reinstatement` children, the reduced
 * paid-up option, and at the close the contract terminated with its cash value refunded. The
 * decisions are domain/reinstatement-window.ts's decideWindow; this loop performs them.
 */
export async function reinstatementWindowStage(
  input: RenewalCycleInput,
  window: WindowInput,
  searchAttributes: (stage: RenewalStage) => Parameters<typeof upsertSearchAttributes>[0],
): Promise<RenewalCycleResult> {
  const ref = { policyNo: input.policyNo, dueDate: input.dueDate };
  const lapsedAt = new Date(window.lapsedAt).toISOString();
  upsertSearchAttributes(searchAttributes('LAPSED'));
  // Answered while the window opens (its first run after the cycle continued as new), instead of
  // failing for want of a handler; replaced by the full status once open. Sets no command.
  setHandler(statusQuery, (): RenewalCycleStatus => ({ stage: 'LAPSED', nextAction: OPENING, debitAttempts: 0, holds: [] }));
  const { config, suspensionId } = await activities.openReinstatementWindow(ref, window.lapsedAt);

  // Lapse notices the cycle handed over (it opens the window at suspension): sent here at their times.
  const state: WindowState = { remindersDone: [], ...(window.lapseNotices ? { lapseNotices: window.lapseNotices } : {}) };
  const status: RenewalCycleStatus = { stage: 'LAPSED', nextAction: 'start', debitAttempts: 0, holds: [] };
  const completions: { step: string; outcome: string }[] = [];
  const openedTasks = new Set<string>();
  let applications = 0;
  let application: { handle: ChildWorkflowHandle<typeof reinstatement>; receivedDate: string } | undefined;
  let outcome: ReinstatementResult | undefined;
  let failedApplication: string | undefined;
  let wake = false;

  const snapshot = (): RenewalCycleStatus => ({
    ...status,
    reinstatement: {
      suspensionDate: config.window.suspensionDate,
      lastDayToApply: config.window.lastDayToApply,
      highValue: config.highValue,
      ...(application ? { application: application.handle.workflowId } : {}),
      remindersDone: [...state.remindersDone],
    },
  });
  // Read only when a check gets that far, in the order the validators always read them.
  const taking: ReducedPaidUpTaking = {
    get choosing() {
      return reducedPaidUp.choosing();
    },
    get accepted() {
      return reducedPaidUp.accepted();
    },
  };

  setHandler(statusQuery, snapshot);
  setHandler(
    applyForReinstatementUpdate,
    async ({ paymentMethod, by }) => {
      const receivedAt = Date.now();
      const receipt = receiveApplication(config.window, receivedAt);
      if (!receipt.accepted) throw ApplicationFailure.nonRetryable(receipt.message); // the validator ran at the same instant
      applications += 1;
      state.applicationOpen = true;
      const workflowId = reinstatementWorkflowId(input.policyNo, input.dueDate, applications);
      let handle: ChildWorkflowHandle<typeof reinstatement>;
      try {
        handle = await startChild(reinstatement, {
          workflowId,
          args: [{ policyNo: input.policyNo, lapsedDueDate: input.dueDate, suspensionId, window: config.window, receivedAt, paymentMethod, ...(by === undefined ? {} : { appliedBy: by }) }],
        });
      } catch (error) {
        state.applicationOpen = false; // nothing started: the window goes on as before
        throw error;
      }
      application = { handle, receivedDate: receipt.application.receivedDate };
      void handle.result().then(
        (result) => {
          outcome = result;
          wake = true;
        },
        () => {
          // Failed or terminated: what it left on record decides (it may have been reinstated).
          failedApplication = workflowId;
          wake = true;
        },
      );
      wake = true;
      return { workflowId, receivedDate: receipt.application.receivedDate, decisionDueDate: receipt.application.decisionDueDate };
    },
    {
      validator: (request: { paymentMethod: PaymentMethod }) => refuse(applicationRefusal(state, config.window, request, taking, application?.handle.workflowId, Date.now())),
    },
  );
  const reducedPaidUp = takeReducedPaidUpChoices({
    check: () => windowReducedPaidUpError(state, config.window, taking, Date.now()),
    record: (choice, by) => activities.chooseReducedPaidUp(ref, { stage: 'reinstatement_window', choice, suspensionId, ...(by ? { by } : {}) }),
    changed: () => (wake = true),
  });
  const latePayments: (ReportedPayment & SignedBy)[] = [];
  setHandler(
    paymentReceivedUpdate,
    (payment) => {
      latePayments.push(payment);
      wake = true;
      return snapshot();
    },
    { validator: (payment: ReportedPayment) => refuse(latePaymentError(state, payment, taking, window.lapsedAt, Date.now())) },
  );
  setHandler(
    taskCompletedUpdate,
    ({ step, outcome: taskOutcome, by }) => {
      openedTasks.delete(step);
      completions.push({ step, outcome: taskOutcome, ...(by === undefined ? {} : { by }) });
      wake = true;
      return snapshot();
    },
    { validator: (completion: { step: string; outcome: string }) => refuse(taskCompletionError(openedTasks, completion)) },
  );

  const fields = { suspensionDate: config.window.suspensionDate, reinstatementWindowEnd: config.window.lastDayToApply };
  let terminated: { date: string; cashValueFen: number } | undefined;
  let reinstated: ReinstatementResult | undefined;
  for (;;) {
    wake = false;
    while (completions.length) await activities.completeTask(ref, completions.shift()!);
    while (latePayments.length && patched(LATE_PAYMENT_PATCH)) {
      const payment = latePayments.shift()!;
      const late = await activities.recordLatePayment(ref, { suspensionId, ...payment, paidAt: payment.paidAt! });
      if (!late.undone) continue; // not enough, or the suspension ended meanwhile: the money went to suspense
      // The news waits for the quiet hours' end, like every notice; the window has nothing else to do.
      const sendAt = opening([late.channel], Date.now());
      if (sendAt > Date.now()) await sleep(sendAt - Date.now());
      await activities.sendContact(ref, {
        step: SUSPENSION_UNDONE,
        template: SUSPENSION_UNDONE,
        channels: [late.channel],
        allChannels: false,
        fields: { paidOn: shanghaiDate(Date.parse(payment.paidAt!)) },
      });
      return close('PAID', { paidVia: payment.via });
    }
    if (failedApplication) {
      outcome = await activities.closeFailedApplication(ref, failedApplication);
      failedApplication = undefined;
    }
    // A reduced paid-up choice being recorded decides before anything else (termination included).
    if (reducedPaidUp.choosing()) {
      await condition(() => !reducedPaidUp.choosing());
      continue;
    }
    if (outcome) {
      state.applicationOpen = false;
      application = undefined;
      if (outcome.outcome === 'reinstated') {
        state.reinstated = true;
        reinstated = outcome;
        if (outcome.nextDueDate) await activities.startNextCycle(ref, outcome.nextDueDate);
      }
      outcome = undefined;
    }
    if (reducedPaidUp.accepted()) return close('CLOSED', { outcome: 'reduced_paid_up' });

    const action: WindowAction = decideWindow(config, state, Date.now());
    describe(status, action);
    switch (action.type) {
      case 'wait': {
        const timeout = action.until - Date.now();
        if (timeout > 0) await condition(() => wake, timeout);
        break;
      }
      case 'none':
        await condition(() => wake);
        break;
      case 'remind':
        await activities.sendContact(ref, { step: action.step, template: action.template, channels: action.channels, allChannels: action.allChannels, fields });
        if (action.callTask) {
          const priority = patched(WINDOW_TASK_PRIORITY_PATCH) ? { priority: action.priority } : {};
          const task = await activities.openCycleTask(ref, { step: action.callTask.step, task: 'call', assignee: action.callTask.assignee, ...priority });
          if (task.taskId !== undefined) openedTasks.add(action.callTask.step);
        }
        reminderDone(state, action);
        break;
      case 'terminate': {
        const { cashValueFen, terminated: ended } = await activities.terminateContract(ref, { suspensionId, at: action.at, terminationDate: action.terminationDate });
        // Not ended here: the suspension ended otherwise (reduced paid-up recorded outside this run).
        // (Answers recorded before the flag existed carry none: they ended it.)
        if (ended === false) return close('CLOSED', {});
        state.terminated = true;
        terminated = { date: action.terminationDate, cashValueFen };
        upsertSearchAttributes([{ key: RenewalStageKey, value: 'CLOSED' }]);
        await activities.recordStage(ref, 'CLOSED');
        break;
      }
      case 'termination_notice':
        await activities.sendContact(ref, {
          step: action.step,
          template: action.template,
          channels: action.channels,
          allChannels: true,
          fields: { ...fields, terminationDate: action.terminationDate, cashValueFen: terminated?.cashValueFen ?? 0 },
        });
        reminderDone(state, action);
        break;
      case 'close':
        if (action.outcome === 'terminated') {
          await condition(allHandlersFinished);
          return { stage: 'CLOSED', debitAttempts: 0, lapsedAt, outcome: 'terminated', ...(terminated ? { terminatedOn: terminated.date } : {}) };
        }
        return close('REINSTATED', { outcome: 'reinstated', ...(reinstated?.effectiveDate ? { reinstatedOn: reinstated.effectiveDate } : {}) });
    }
  }

  async function close(stage: RenewalStage, extra: Partial<RenewalCycleResult>): Promise<RenewalCycleResult> {
    await condition(allHandlersFinished); // an update being answered is answered before the run ends
    upsertSearchAttributes([{ key: RenewalStageKey, value: stage }]);
    await activities.recordStage(ref, stage);
    return { stage, debitAttempts: 0, lapsedAt, ...extra };
  }
}

function describe(status: RenewalCycleStatus, action: WindowAction): void {
  if (action.type === 'wait') {
    status.nextAction = `wait: ${action.why}`;
    status.nextActionAt = new Date(action.until).toISOString();
  } else if (action.type === 'none') {
    status.nextAction = `wait: ${action.why}`;
    status.nextActionAt = undefined;
  } else {
    status.nextAction = 'step' in action ? `${action.type}: ${action.step}` : action.type;
    status.nextActionAt = new Date(Date.now()).toISOString();
  }
}
