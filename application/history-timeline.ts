import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import { DEFAULT_TEMPORAL_UI_URL } from '../config/settings';
import { formatYuan } from '../domain/money';
import { maskPersonalText } from '../domain/personal-data';
import { shanghaiTime } from './policy-view';
import { openSealedFailures } from './sealed-failures';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
type Payloads = temporal.api.common.v1.IPayloads | null | undefined;
type ProtoTime = { seconds?: number | { toNumber(): number } | null; nanos?: number | null } | null | undefined;

/** One line of a cycle's story, as engineers and operations read it. */
export interface TimelineEntry {
  /** Asia/Shanghai wall-clock time of the event. */
  at: string;
  /** 1 for the first run of the chain, 2 after the first continue-as-new, … */
  run: number;
  eventId: number;
  kind: 'workflow' | 'timer' | 'activity' | 'contact' | 'task' | 'debit' | 'update' | 'signal' | 'stage' | 'payment' | 'lapse' | 'problem';
  text: string;
}

export interface CycleRun {
  runId: string;
  uiUrl: string;
}

export interface CycleTimeline {
  workflowId: string;
  namespace: string;
  runs: CycleRun[];
  entries: TimelineEntry[];
}

/** An entry with its instant and place in its history, to merge a child's entries in time order. */
type TimedEntry = TimelineEntry & { ms: number; order: number };

/** Continue-as-new keeps a cycle to a handful of runs; this only guards against a loop in bad data. */
const MAX_RUNS = 50;

export function temporalUiUrl(namespace: string, workflowId: string, runId: string, base = DEFAULT_TEMPORAL_UI_URL): string {
  return `${base.replace(/\/$/, '')}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(workflowId)}/${runId}/history`;
}

/**
 * The whole history of a cycle, every run of its continue-as-new chain in order, summarised in
 * business words. Payloads are decoded with the default converter and only chosen fields are
 * shown: the cycle's payloads carry no personal data by design, and raw payloads are never printed.
 */
export async function cycleTimeline(client: Client, workflowId: string, uiUrl = DEFAULT_TEMPORAL_UI_URL): Promise<CycleTimeline> {
  const namespace = client.options.namespace;
  const chain = await fetchChain(client, workflowId);
  const entries: TimedEntry[] = [];
  const runs: CycleRun[] = chain.map((r) => ({ runId: r.runId, uiUrl: temporalUiUrl(namespace, workflowId, r.runId, uiUrl) }));
  for (const [index, run] of chain.entries()) {
    const own = summariseRun(run.events, index + 1);
    // A reinstatement application runs as a child of the window stage: its story is part of this one.
    for (const child of childrenOf(run.events)) {
      const events = (await client.workflow.getHandle(child.workflowId, child.runId).fetchHistory()).events ?? [];
      await openSealedFailures(client, events);
      own.push(...summariseRun(events, index + 1).map((e) => ({ ...e, text: `[application ${child.workflowId.split('-').at(-1)!}] ${e.text}` })));
      runs.push({ runId: child.runId, uiUrl: temporalUiUrl(namespace, child.workflowId, child.runId, uiUrl) });
    }
    entries.push(...own.sort((a, b) => a.ms - b.ms || a.order - b.order));
  }
  return { workflowId, namespace, runs, entries: entries.map(({ ms: _ms, order: _order, ...entry }) => entry) };
}

/** Child workflows a run started (reinstatement applications), in the order it started them. */
function childrenOf(events: HistoryEvent[]): { workflowId: string; runId: string }[] {
  return events.flatMap((e) => {
    const started = e.childWorkflowExecutionStartedEventAttributes;
    const execution = started?.workflowExecution;
    return started?.workflowType?.name === 'reinstatement' && execution?.workflowId && execution.runId ? [{ workflowId: execution.workflowId, runId: execution.runId }] : [];
  });
}

async function fetchChain(client: Client, workflowId: string): Promise<{ runId: string; events: HistoryEvent[] }[]> {
  const latest = client.workflow.getHandle(workflowId);
  let latestRunId: string;
  try {
    latestRunId = (await latest.describe()).runId;
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) throw new WorkflowNotFoundError(`workflow ${workflowId} not found`, workflowId, undefined);
    throw error;
  }
  const historyOf = async (runId: string) => {
    const events = (await client.workflow.getHandle(workflowId, runId).fetchHistory()).events ?? [];
    await openSealedFailures(client, events);
    return events;
  };
  const latestEvents = await historyOf(latestRunId);
  const started = latestEvents[0]?.workflowExecutionStartedEventAttributes;
  const firstRunId = started?.firstExecutionRunId || undefined;

  if (firstRunId && firstRunId !== latestRunId) {
    // Forward from the first run, following each continue-as-new to the run it started.
    const chain: { runId: string; events: HistoryEvent[] }[] = [];
    let runId: string | undefined = firstRunId;
    while (runId && runId !== latestRunId && chain.length < MAX_RUNS) {
      const events = await historyOf(runId);
      chain.push({ runId, events });
      runId = events.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
    }
    return [...chain, { runId: latestRunId, events: latestEvents }];
  }
  // No first-run pointer (older servers): walk back through each run's predecessor instead.
  const chain = [{ runId: latestRunId, events: latestEvents }];
  let previous = started?.continuedExecutionRunId || undefined;
  while (previous && chain.length < MAX_RUNS) {
    const events = await historyOf(previous);
    chain.unshift({ runId: previous, events });
    previous = events[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId || undefined;
  }
  return chain;
}

function toMs(ts: ProtoTime): number | undefined {
  if (!ts) return undefined;
  const seconds = typeof ts.seconds === 'number' ? ts.seconds : (ts.seconds?.toNumber() ?? 0);
  return seconds * 1000 + Math.floor((ts.nanos ?? 0) / 1e6);
}

function decodeAll(payloads: Payloads): unknown[] {
  return (payloads?.payloads ?? []).map((p) => {
    try {
      return defaultPayloadConverter.fromPayload(p);
    } catch {
      return undefined; // encoded by a converter we do not know: say nothing rather than guess
    }
  });
}

const record = (value: unknown): Record<string, unknown> => (value && typeof value === 'object' ? (value as Record<string, unknown>) : {});
const text = (value: unknown): string => (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : '');

/** `Key=value, …` sorted by key: the server hands the map back in no fixed order. */
function searchAttributePairs(fields: Record<string, temporal.api.common.v1.IPayload> | null | undefined): string {
  return Object.entries(fields ?? {})
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, payload]) => {
      const value = decodeAll({ payloads: [payload] })[0];
      return `${key}=${Array.isArray(value) ? value.map(text).join('|') : text(value)}`;
    })
    .join(', ');
}

function duration(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const rest = minutes % 60;
  return [days ? `${days}d` : '', hours ? `${hours}h` : '', rest || (!days && !hours) ? `${rest}m` : ''].filter(Boolean).join(' ');
}

/** Fields of an update or signal argument worth showing (`by`: the person's opaque reference); everything else (and any free text) is left out. */
const SHOWN_FIELDS = ['via', 'reference', 'date', 'reasonCode', 'kind', 'step', 'outcome', 'attemptNo', 'agentCode', 'by'] as const;

function describeArgs(args: unknown[]): string {
  const shown = args.flatMap((arg) => SHOWN_FIELDS.filter((f) => record(arg)[f] !== undefined).map((f) => `${f} ${text(record(arg)[f])}`));
  return shown.length ? `: ${shown.join(', ')}` : '';
}

function describeDebitResult(result: unknown): string {
  const r = record(result);
  switch (r.status) {
    case 'succeeded':
      return 'succeeded';
    case 'failed':
      return `failed: ${text(r.reason)}${r.retryable === false ? ' (not retryable)' : ''}${r.customerFault === false ? ', not the customer\'s fault' : ''}`;
    case 'returned':
      return `returned: ${text(r.reason)}`;
    case 'pending':
      return 'no answer yet (pending at the bank)';
    default:
      return 'answered';
  }
}

/** Failure messages come from our code and the bank adapters; masked anyway in case one quotes a value. */
function failureText(failure: temporal.api.failure.v1.IFailure | null | undefined): string {
  return maskPersonalText(failure?.message ?? 'no message').slice(0, 300);
}

const BOOKKEEPING = new Set(['recordStage', 'recordCycleEvent']);

interface Scheduled {
  type: string;
  input: unknown[];
}

/** Summarises one run's events; bookkeeping events (workflow tasks, activity starts) are left out. */
function summariseRun(events: HistoryEvent[], run: number): TimedEntry[] {
  const entries: TimedEntry[] = [];
  const scheduled = new Map<string, Scheduled>();
  const timers = new Map<string, TimelineEntry>();
  const updates = new Map<string, string>();
  let firedTimer: TimelineEntry | undefined; // its purpose is what the cycle does next
  let lastWake: string | undefined;

  for (const e of events) {
    const at = toMs(e.eventTime) ?? 0;
    const eventId = Number(e.eventId ?? 0);
    const add = (kind: TimelineEntry['kind'], line: string) => entries.push({ at: shanghaiTime(at), run, eventId, kind, text: line, ms: at, order: entries.length });

    if (e.workflowExecutionStartedEventAttributes) {
      const input = record(decodeAll(e.workflowExecutionStartedEventAttributes.input)[0]);
      const window = record(input.reinstatementWindow);
      if (input.lapsedDueDate) {
        add('workflow', `reinstatement application for ${text(input.policyNo)} (premium due ${text(input.lapsedDueDate)}) received ${shanghaiTime(Number(input.receivedAt))}, payment by ${text(input.paymentMethod)}`);
      } else if (input.reinstatementWindow) {
        add('workflow', `reinstatement window run started (lapsed ${window.lapsedAt ? shanghaiTime(Number(window.lapsedAt)) : 'earlier'})`);
      } else {
        add('workflow', `cycle started for ${text(input.policyNo)} due ${text(input.dueDate)}${input.runMonth ? ` by the ${text(input.runMonth)} monthly run` : ''}`);
      }
      // Cycles started since the lean opening carry their search attributes from the start.
      const fields = e.workflowExecutionStartedEventAttributes.searchAttributes?.indexedFields;
      if (fields && Object.keys(fields).length > 0) add('stage', `search attributes set at start ${searchAttributePairs(fields)}`);
    } else if (e.timerStartedEventAttributes) {
      const a = e.timerStartedEventAttributes;
      const wait = toMs(a.startToFireTimeout) ?? 0;
      add('timer', `timer set until ${shanghaiTime(at + wait)} (${duration(wait)})`);
      timers.set(String(a.timerId), entries.at(-1)!);
      firedTimer = undefined;
      lastWake = undefined;
    } else if (e.timerFiredEventAttributes) {
      firedTimer = timers.get(String(e.timerFiredEventAttributes.timerId));
    } else if (e.timerCanceledEventAttributes) {
      const timer = timers.get(String(e.timerCanceledEventAttributes.timerId));
      if (timer) timer.text += `; woken early at ${shanghaiTime(at)}${lastWake ? ` by ${lastWake}` : ''}`;
    } else if (e.activityTaskScheduledEventAttributes) {
      const a = e.activityTaskScheduledEventAttributes;
      const type = a.activityType?.name ?? 'activity';
      const input = decodeAll(a.input);
      scheduled.set(String(e.eventId), { type, input });
      // Bookkeeping right after a timer (recording a stage or event) is not what it waited for.
      if (firedTimer && !BOOKKEEPING.has(type)) {
        firedTimer.text += ` → for ${purposeOf(type, input)}`;
        firedTimer = undefined;
      }
      if (type === 'collectDebit') add('debit', `debit attempt ${text(input[1])} submitted (collection date ${text(input[2])})`);
    } else if (e.activityTaskCompletedEventAttributes) {
      const a = e.activityTaskCompletedEventAttributes;
      const activity = scheduled.get(String(a.scheduledEventId));
      if (activity) {
        const line = describeCompletion(activity, decodeAll(a.result)[0]);
        if (line) add(line.kind, line.text);
      }
    } else if (e.activityTaskFailedEventAttributes) {
      const a = e.activityTaskFailedEventAttributes;
      add('problem', `activity ${scheduled.get(String(a.scheduledEventId))?.type ?? ''} failed: ${failureText(a.failure)}`);
    } else if (e.activityTaskTimedOutEventAttributes) {
      const a = e.activityTaskTimedOutEventAttributes;
      add('problem', `activity ${scheduled.get(String(a.scheduledEventId))?.type ?? ''} timed out: ${failureText(a.failure)}`);
    } else if (e.workflowExecutionUpdateAcceptedEventAttributes) {
      const input = e.workflowExecutionUpdateAcceptedEventAttributes.acceptedRequest?.input;
      const name = input?.name ?? 'update';
      updates.set(String(e.eventId), name);
      lastWake = `update ${name}`;
      add('update', `update ${name} accepted${describeArgs(decodeAll(input?.args))}`);
    } else if (e.workflowExecutionUpdateCompletedEventAttributes) {
      const a = e.workflowExecutionUpdateCompletedEventAttributes;
      if (a.outcome?.failure) add('problem', `update ${updates.get(String(a.acceptedEventId)) ?? ''} failed: ${failureText(a.outcome.failure)}`);
    } else if (e.workflowExecutionSignaledEventAttributes) {
      const a = e.workflowExecutionSignaledEventAttributes;
      const args = decodeAll(a.input);
      lastWake = `signal ${a.signalName ?? ''}`;
      if (a.signalName === 'bankResult') {
        const arg = record(args[0]);
        add('signal', `signal bankResult: debit attempt ${text(arg.attemptNo)} ${describeDebitResult(arg.result)}`);
      } else add('signal', `signal ${a.signalName ?? ''}${describeArgs(args)}`);
    } else if (e.upsertWorkflowSearchAttributesEventAttributes) {
      add('stage', `search attributes upserted ${searchAttributePairs(e.upsertWorkflowSearchAttributesEventAttributes.searchAttributes?.indexedFields)}`);
    } else if (e.workflowExecutionContinuedAsNewEventAttributes) {
      add('workflow', `continued as new (next run ${e.workflowExecutionContinuedAsNewEventAttributes.newExecutionRunId ?? ''})`);
    } else if (e.childWorkflowExecutionStartedEventAttributes) {
      add('workflow', `application ${e.childWorkflowExecutionStartedEventAttributes.workflowExecution?.workflowId ?? ''} started`);
    } else if (e.childWorkflowExecutionCompletedEventAttributes) {
      const r = record(decodeAll(e.childWorkflowExecutionCompletedEventAttributes.result)[0]);
      add('workflow', `application ${e.childWorkflowExecutionCompletedEventAttributes.workflowExecution?.workflowId ?? ''} ended: ${text(r.outcome)}`);
    } else if (e.workflowExecutionCompletedEventAttributes) {
      const r = record(decodeAll(e.workflowExecutionCompletedEventAttributes.result)[0]);
      if (r.stage === undefined) {
        add('workflow', `application closed: ${text(r.outcome)}${r.effectiveDate ? ` (reinstated from ${text(r.effectiveDate)})` : ''}${r.declineReason ? ` (${text(r.declineReason)})` : ''}`);
        continue;
      }
      const details = [
        r.paidVia ? `paid via ${text(r.paidVia)}` : '',
        `${text(r.debitAttempts) || 0} debit attempt(s)`,
        r.lastReason ? `last reason ${text(r.lastReason)}` : '',
        r.lapsedAt ? `lapsed ${shanghaiTime(text(r.lapsedAt))}` : '',
        r.reinstatedOn ? `reinstated from ${text(r.reinstatedOn)}` : '',
        r.terminatedOn ? `terminated on ${text(r.terminatedOn)}` : '',
        r.outcome === 'reduced_paid_up' ? 'reduced paid-up' : '',
      ].filter(Boolean);
      add('workflow', `completed with stage ${text(r.stage)}: ${details.join(', ')}`);
    } else if (e.workflowExecutionFailedEventAttributes) {
      add('problem', `workflow failed: ${failureText(e.workflowExecutionFailedEventAttributes.failure)}`);
    } else if (e.workflowExecutionTerminatedEventAttributes) {
      add('workflow', `terminated: ${maskPersonalText(e.workflowExecutionTerminatedEventAttributes.reason || 'no reason given')}`);
    } else if (e.workflowExecutionCanceledEventAttributes) {
      add('workflow', 'cancelled');
    } else if (e.workflowExecutionTimedOutEventAttributes) {
      add('problem', 'workflow timed out');
    } else if (e.workflowTaskFailedEventAttributes) {
      add('problem', `workflow task failed: ${failureText(e.workflowTaskFailedEventAttributes.failure)}`);
    } else if (e.markerRecordedEventAttributes) {
      add('workflow', `marker ${e.markerRecordedEventAttributes.markerName ?? ''} recorded`);
    }
  }
  return entries;
}

/** What a timer was waiting for, read from what the cycle did when it fired. */
function purposeOf(type: string, input: unknown[]): string {
  const request = record(input[1]);
  switch (type) {
    case 'sendContact':
    case 'attemptContact':
      return `contact ${text(request.step)}`;
    case 'expireContact':
      return `expiry of contact ${text(request.step)}`;
    case 'openCycleTask':
      return `task ${text(request.step)}`;
    case 'collectDebit':
      return `debit attempt ${text(input[1])}`;
    case 'checkDebit':
      return `check of debit attempt ${text(input[1])}`;
    case 'suspendPolicy':
      return 'suspension at grace end';
    case 'grantPremiumLoan':
      return 'automatic premium loan';
    case 'terminateContract':
      return "termination at the window's close";
    case 'recordApplicationStatus':
      return `application ${text(request.status).replace('_', ' ')}`;
    case 'collectReinstatementDebit':
      return 'back-premium debit';
    default:
      return type;
  }
}

/** A completed activity in business words; undefined for the bookkeeping ones already shown another way. */
function describeCompletion(activity: Scheduled, result: unknown): { kind: TimelineEntry['kind']; text: string } | undefined {
  const { type, input } = activity;
  const request = record(input[1]);
  switch (type) {
    case 'openCycle': {
      const opened = record(result);
      const plan = record(opened.plan);
      return { kind: 'workflow', text: `cycle opened with plan ${text(plan.code)}@${text(plan.version)} (premium ${text(record(opened.context).status)})` };
    }
    // The contact step, as operators know it, whichever activity carried it (attemptContact since
    // contacts may wait for their provider).
    case 'sendContact':
    case 'attemptContact': {
      const outcome = record(result);
      const sent = Array.isArray(outcome.sent) ? outcome.sent.map(text) : [];
      const suppressed = Array.isArray(outcome.suppressed) ? outcome.suppressed.map((s) => `${text(record(s).channel)} (${text(record(s).rule)})`) : [];
      const waiting = Array.isArray(outcome.waiting) ? outcome.waiting.map((w) => `${text(record(w).channel)} (${text(record(w).provider)} ${text(record(w).code)})`) : [];
      const parts = [
        sent.length ? `sent ${sent.join(', ')}` : '',
        suppressed.length ? `suppressed ${suppressed.join(', ')}` : '',
        waiting.length ? `waiting ${waiting.join(', ')}` : '',
      ].filter(Boolean);
      return { kind: 'contact', text: `activity sendContact ${text(request.step)} completed → ${parts.join('; ') || 'nothing to send'}` };
    }
    case 'expireContact':
      return { kind: 'contact', text: `contact ${text(request.step)} expired unsent (${text(request.reason)}; it waited for ${text(request.waitedFor)})` };
    case 'openCycleTask': {
      const opened = record(result);
      if (opened.taskId === undefined) return { kind: 'task', text: `task ${text(request.step)} (${text(request.task)}) not opened${request.suppressedBy ? `: suppressed (${text(request.suppressedBy)})` : ''}` };
      return { kind: 'task', text: `task ${text(request.step)} (${text(request.task)}) opened as #${text(opened.taskId)} for ${text(opened.assigneeRole)}${opened.orphan ? ' (orphan policy)' : ''}` };
    }
    case 'completeTask':
      return { kind: 'task', text: `task ${text(request.step)} closed with outcome ${text(request.outcome)}` };
    case 'collectDebit':
      return { kind: 'debit', text: `debit attempt ${text(input[1])} ${describeDebitResult(result)}` };
    case 'checkDebit':
      return { kind: 'debit', text: `debit attempt ${text(input[1])} checked: ${describeDebitResult(result)}` };
    case 'withdrawQueuedDebit':
      return {
        kind: 'debit',
        text: record(result).withdrawn === true
          ? `debit attempt ${text(input[1])} withdrawn from the bank file (collection held); it is made again once the hold is released`
          : `debit attempt ${text(input[1])} not withdrawn: the bank has it already; its answer stands`,
      };
    case 'recordPaymentReceived':
      return { kind: 'payment', text: `payment booked: ${text(request.via)} ${text(request.reference)}` };
    case 'grantPremiumLoan':
      return { kind: 'payment', text: result === true ? 'automatic premium loan granted: premium paid from cash value' : 'automatic premium loan not possible' };
    case 'suspendPolicy':
      return { kind: 'lapse', text: `policy suspended as of ${shanghaiTime(Number(input[2]))} (non-payment reason ${text(input[1])})` };
    case 'recordCycleEvent':
      // Events from updates are shown as the update; only the cycle's own findings are news here.
      return text(input[1]) === 'promise_broken' ? { kind: 'update', text: `promise to pay broken (promised ${text(record(input[2]).promisedDate)})` } : undefined;
    case 'recordStage':
      return undefined; // the stage shows as its search-attribute upsert
    default:
      return describeReinstatement(type, input, result) ?? { kind: 'activity', text: `activity ${type} completed` };
  }
}

/** The window stage's and the application's activities in business words. */
function describeReinstatement(type: string, input: unknown[], result: unknown): { kind: TimelineEntry['kind']; text: string } | undefined {
  const request = record(input[1]);
  switch (type) {
    case 'openReinstatementWindow': {
      const window = record(record(record(result).config).window);
      return { kind: 'lapse', text: `reinstatement window opened: apply by ${text(window.lastDayToApply)}${record(record(result).config).highValue ? ' (high value)' : ''}` };
    }
    case 'openReinstatementApplication':
      return { kind: 'task', text: `application on record, declaration task opened; decision due ${text(request.decisionDueDate)}` };
    case 'completeApplicationTask':
      return { kind: 'task', text: text(request.step) === 'reinstatement_declaration' ? 'health and risk declaration captured' : `task ${text(request.step)} closed` };
    case 'openUnderwritingTask':
      return { kind: 'task', text: `underwriting task opened (decide by ${text(input[1])})` };
    case 'recordApplicationStatus': {
      const by = text(request.approvedBy);
      const status = text(request.status);
      if (status === 'approved') return { kind: 'update', text: `approved ${by === 'deemed_consent' ? 'by deemed consent (no refusal within 30 days)' : 'by the underwriter'}; pay by ${text(request.payBy)}` };
      if (status === 'declined') return { kind: 'update', text: `declined: ${text(request.declineReason)}` };
      if (status === 'evidence_requested') return { kind: 'update', text: `evidence requested: ${Array.isArray(request.evidence) ? request.evidence.map(text).join(', ') : ''}` };
      return { kind: 'update', text: `application ${status.replace('_', ' ')}` };
    }
    case 'collectReinstatementDebit': {
      const r = record(result);
      return { kind: 'debit', text: `back-premium debit of ${formatYuan(Number(request.amountFen))} yuan ${r.status === 'succeeded' ? 'succeeded' : `failed: ${text(r.reason)}`}` };
    }
    case 'completeReinstatement': {
      const r = record(request.record);
      const suicide = record(r.suicideExclusion);
      return {
        kind: 'payment',
        text: `reinstated from ${text(r.effectiveDate)}: paid ${formatYuan(Number(r.paidFen))} yuan (premiums ${formatYuan(Number(r.premiumsFen))} + interest ${formatYuan(Number(r.interestFen))}) via ${text(request.via)}; suicide exclusion runs again to ${text(suicide.endsOn)}`,
      };
    }
    case 'terminateContract':
      return { kind: 'lapse', text: `contract terminated on ${text(request.terminationDate)}: cash value ${formatYuan(Number(record(result).cashValueFen))} yuan to refund` };
    case 'chooseReducedPaidUp':
      return { kind: 'update', text: `reduced paid-up ${text(record(result).choice)} (net single premium ${formatYuan(Number(record(result).netSinglePremiumFen))} yuan)` };
    default:
      return undefined;
  }
}
