import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { temporal } from '@temporalio/proto';

/**
 * Temporal actions (the unit Temporal Cloud bills) and history bytes of one history
 * (docs/architecture.md, "Actions budget"). What counts is written in test/workflow/actions-budget.test.ts;
 * the lean-cycle test and bench/month-drive.ts report the same figures.
 */
type EventType = temporal.api.enums.v1.EventType;
const E = temporal.api.enums.v1.EventType;

const ONE_PER_EVENT = new Set<EventType>([
  E.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED,
  E.EVENT_TYPE_TIMER_STARTED,
  E.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED,
  E.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED,
  E.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED,
  E.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES,
  E.EVENT_TYPE_WORKFLOW_PROPERTIES_MODIFIED,
]);

export interface HistoryFigures {
  actions: number;
  byKind: Record<string, number>;
  bytes: number;
  events: number;
}

/** `json`: a history as `historyToJSON` writes it (a fixture file's content, parsed). */
export function historyFigures(json: unknown, name = 'history'): HistoryFigures {
  return figuresOfHistory(historyFromJSON(json), name);
}

/** The same figures of a history read from a server (`fetchHistory`). */
export function figuresOfHistory(history: temporal.api.history.v1.IHistory, name = 'history'): HistoryFigures {
  const byKind: Record<string, number> = {};
  const add = (kind: string, n: number) => void (byKind[kind] = (byKind[kind] ?? 0) + n);
  for (const event of history.events ?? []) {
    const type = event.eventType ?? E.EVENT_TYPE_UNSPECIFIED;
    if (type === E.EVENT_TYPE_ACTIVITY_TASK_STARTED) add('activity attempts', event.activityTaskStartedEventAttributes?.attempt ?? 1);
    else if (type === E.EVENT_TYPE_MARKER_RECORDED && event.markerRecordedEventAttributes?.markerName !== 'core_patch') {
      throw new Error(`${name}: marker ${event.markerRecordedEventAttributes?.markerName} — decide whether it is billable, then count it here`);
    } else if (ONE_PER_EVENT.has(type)) add(E[type].replace('EVENT_TYPE_', '').toLowerCase().replaceAll('_', ' '), 1);
  }
  return {
    actions: Object.values(byKind).reduce((a, b) => a + b, 0),
    byKind,
    bytes: temporal.api.history.v1.History.encode(history).finish().length,
    events: history.events?.length ?? 0,
  };
}

/** The encoded size of the first completed activity's result: what openCycle puts in a cycle's history. */
export function firstActivityResultBytes(json: unknown): number {
  const history = historyFromJSON(json);
  for (const event of history.events ?? []) {
    const result = event.activityTaskCompletedEventAttributes?.result;
    if (result) return temporal.api.common.v1.Payloads.encode(result).finish().length;
  }
  return 0;
}
