import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Knex } from 'knex';
import { reportPayment } from '../application/counter-payments';
import { cycleTimeline, type CycleTimeline } from '../application/history-timeline';
import { findCycle, holdEvent, OperatorError, paymentEvent, promiseEvent, sendOperatorEvent, type OperatorEvent } from '../application/operator-events';
import { loadPolicyView, type PolicyView } from '../application/policy-view';
import { DEFAULT_COUNTER_CONFIRM_ABOVE_FEN, DEFAULT_TEMPORAL_UI_URL } from '../config/settings';
import { premiumDueById, type PremiumDueRow } from '../db/repositories/policy-view';
import { policyPlace } from '../db/repositories/users';
import { isCivilDate, type CivilDate } from '../domain/civil-date';
import { isHoldKind } from '../domain/holds';
import { isPaymentReference, isReportedVia } from '../domain/payments';
import { mayRun, policyInScope } from '../domain/permissions';
import type { Scope } from '../domain/roles';
import type { ConsoleSession } from './sessions';
import type { ConsoleTemporal } from './work-queue';

/**
 * The policy page (docs/architecture.md#console): `renewals policy show` and `policy history` on one
 * page, and the operator events the person's role may send, each through the function the CLI calls
 * with the person's ref. A policy is reached by its premium's number (premium_dues.id), never by its
 * policy number in a URL; no SQL here (only db/ writes it).
 */

/** The permission-table entries the page answers to (domain/permissions.ts, scope rule `policy`). */
export const POLICY_SHOW = 'policy show';
export const POLICY_HISTORY = 'policy history';

/** Each action of the page and the command whose permission it needs. */
export const POLICY_ACTIONS = {
  pay: 'pay',
  promise: 'promise',
  hold: 'hold',
  release: 'release',
  account_updated: 'account-updated',
} as const;
export type PolicyAction = keyof typeof POLICY_ACTIONS;

export function isPolicyAction(value: unknown): value is PolicyAction {
  return typeof value === 'string' && Object.hasOwn(POLICY_ACTIONS, value);
}

export function mayShowPolicies(session: Pick<ConsoleSession, 'roles'>): boolean {
  return mayRun(session.roles, POLICY_SHOW);
}

export function mayTakeAction(session: Pick<ConsoleSession, 'roles'>, action: PolicyAction): boolean {
  return mayRun(session.roles, POLICY_ACTIONS[action]);
}

/** What the page needs beyond Temporal: the insurer's counter line and where the Temporal UI is. */
export interface PolicyRules {
  /** RENEWALS_COUNTER_CONFIRM_ABOVE_YUAN in fen: a counter payment above it waits for a second cashier. */
  counterConfirmAboveFen: number;
  /** TEMPORAL_UI_URL: the workflow's link on the page. */
  temporalUiUrl: string;
}

export const DEFAULT_POLICY_RULES: PolicyRules = { counterConfirmAboveFen: DEFAULT_COUNTER_CONFIRM_ABOVE_FEN, temporalUiUrl: DEFAULT_TEMPORAL_UI_URL };

/** Whether a policy lies in the scope; an unknown policy and one outside it are alike (undefined → false). */
async function inScope(db: Knex, scopes: readonly Scope[], policyNo: string): Promise<boolean> {
  const place = await policyPlace(db, policyNo);
  return place !== undefined && policyInScope(scopes, place);
}

/**
 * The opaque reference of a searched policy: the number of the premium `policy show` would open
 * (findCycle: the open premium, else the latest). Undefined for an unknown policy, one outside the
 * scope and one with no premium on record alike, so a search does not tell which.
 */
export async function policyRefOf(db: Knex, scopes: readonly Scope[], policyNo: string): Promise<number | undefined> {
  if (!(await inScope(db, scopes, policyNo))) return undefined;
  try {
    return Number((await findCycle(db, policyNo)).premium.id);
  } catch (error) {
    if (error instanceof OperatorError) return undefined;
    throw error;
  }
}

/** The premium a reference names if the person may see its policy; undefined as for no such premium. */
export async function premiumInScope(db: Knex, scopes: readonly Scope[], ref: number): Promise<PremiumDueRow | undefined> {
  const premium = await premiumDueById(db, ref);
  return premium && (await inScope(db, scopes, premium.policy_no)) ? premium : undefined;
}

export interface PolicyPage {
  ref: number;
  view: PolicyView;
  /** The cycle's history in words; null when Temporal has none (not started, past retention, not asked). */
  timeline: CycleTimeline | null;
  /** Why there is no timeline: Temporal not there or not answering, or no such workflow (not started, past retention). */
  timelineMissing: 'temporal' | 'not_found' | null;
  /** The Temporal UI's page of the workflow's latest run, or of the workflow when no run is known. */
  temporalLink: string;
}

function workflowLink(base: string, namespace: string, workflowId: string): string {
  return `${base.replace(/\/$/, '')}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(workflowId)}`;
}

/** Everything `policy show` and `policy history` print for the premium, masked as they print it. */
export async function loadPolicyPage(db: Knex, temporal: ConsoleTemporal | undefined, rules: PolicyRules, premium: PremiumDueRow, mayReadHistory: boolean): Promise<PolicyPage> {
  const withTemporal = async <T>(work: (client: Client) => Promise<T>): Promise<T> => {
    if (!temporal) throw new Error('no Temporal client');
    return work(temporal.client);
  };
  const view = await loadPolicyView(db, withTemporal, premium.policy_no, premium.due_date);
  const workflowId = view.cycle.workflowId;
  const namespace = temporal?.client.options.namespace ?? 'default';
  let timeline: CycleTimeline | null = null;
  let timelineMissing: PolicyPage['timelineMissing'] = null;
  if (!temporal) timelineMissing = 'temporal';
  else if (mayReadHistory) {
    try {
      timeline = await cycleTimeline(temporal.client, workflowId, rules.temporalUiUrl);
    } catch (error) {
      // The rest of the page stands without it, as `policy show` does when Temporal cannot be asked.
      timelineMissing = error instanceof WorkflowNotFoundError ? 'not_found' : 'temporal';
    }
  }
  return { ref: Number(premium.id), view, timeline, timelineMissing, temporalLink: timeline?.runs.at(-1)?.uiUrl ?? workflowLink(rules.temporalUiUrl, namespace, workflowId) };
}

/** Why the console did not send an action: a word of console/i18n.ts, said before the cycle is asked. */
export type ActionProblem = 'actionUnknown' | 'viaMissing' | 'referenceInvalid' | 'promiseDateMissing' | 'promiseDatePast' | 'holdKindMissing';

export interface ActionForm {
  action?: unknown;
  via?: unknown;
  reference?: unknown;
  date?: unknown;
  kind?: unknown;
}

/** The action the form asks for, checked field by field in the person's words before anything is sent. */
export type WantedAction = { action: 'pay'; via: string; reference: string } | { action: Exclude<PolicyAction, 'pay'>; event: OperatorEvent };

export function actionOfForm(action: PolicyAction, form: ActionForm, today: CivilDate): WantedAction | { problem: ActionProblem } {
  switch (action) {
    case 'pay': {
      if (!isReportedVia(form.via)) return { problem: 'viaMissing' };
      const reference = typeof form.reference === 'string' ? form.reference.trim() : '';
      if (!isPaymentReference(reference)) return { problem: 'referenceInvalid' };
      return { action, via: form.via, reference };
    }
    case 'promise':
      if (typeof form.date !== 'string' || !isCivilDate(form.date)) return { problem: 'promiseDateMissing' };
      if (form.date < today) return { problem: 'promiseDatePast' };
      return { action, event: promiseEvent(form.date) };
    case 'hold':
    case 'release':
      if (!isHoldKind(form.kind)) return { problem: 'holdKindMissing' };
      return { action, event: holdEvent(action === 'hold' ? 'holdPlaced' : 'holdReleased', form.kind) };
    case 'account_updated':
      return { action, event: { kind: 'accountUpdated' } };
  }
}

/** What the page says once after an action: `<what>` or `<what>.<detail>`, codes and numbers only. */
export type ActionNotice = `paid` | `awaiting.${number}` | `promise` | `hold.${string}` | `release.${string}` | `account_updated`;

/**
 * Sends the action as the CLI does (`renewals pay` through reportPayment with the counter line,
 * the others through sendOperatorEvent), signed by `actor`; OperatorError when the cycle refuses.
 */
export async function takeAction(db: Knex, temporal: ConsoleTemporal, rules: PolicyRules, premium: PremiumDueRow, wanted: WantedAction, actor: string): Promise<ActionNotice> {
  const update = temporal.updateTimeoutMs !== undefined ? { updateTimeoutMs: temporal.updateTimeoutMs } : {};
  if (wanted.action === 'pay') {
    const report = await reportPayment(db, temporal.client, premium.policy_no, paymentEvent(wanted.via, wanted.reference), actor, { due: premium.due_date, confirmAboveFen: rules.counterConfirmAboveFen, update });
    if (report.kind === 'sent') return 'paid';
    // Only money with an amount goes to suspense, and this form sends the whole premium owed.
    if (report.kind === 'suspense') throw new Error(`counter payment without an amount put in suspense (entry ${report.entryId})`);
    return `awaiting.${Number(report.payment.id)}`;
  }
  await sendOperatorEvent(db, temporal.client, premium.policy_no, wanted.event, actor, premium.due_date, update);
  const event = wanted.event;
  if (event.kind === 'holdPlaced') return `hold.${event.hold}`;
  if (event.kind === 'holdReleased') return `release.${event.hold}`;
  return wanted.action === 'promise' ? 'promise' : 'account_updated';
}
