import type { Knex } from 'knex';
import { decideReinstatement, decisionFrom, reinstatementView, type ApplicationAnswer, type ReinstatementView } from '../application/reinstatements';
import { applicationsOf, type ApplicationRow } from '../db/repositories/reinstatements';
import { shanghaiDate, type CivilDate } from '../domain/civil-date';
import { mayRun } from '../domain/permissions';
import type { UnderwritingDecision } from '../domain/reinstatement-application';
import type { Scope } from '../domain/roles';
import { lapsedPoliciesReport, MAX_LAPSED_LIMIT, type LatestApplicationStatus } from '../reports/lapsed-policies';
import type { ConsoleSession } from './sessions';
import type { ConsoleTemporal } from './work-queue';

/**
 * The reinstatement queue and application page (docs/architecture.md#console). The CLI has no list of
 * applications: the queue is the list `renewals report lapsed` runs (reports/lapsed-policies.ts, the
 * suspensions in their window in the person's scope with their latest application), kept to those
 * whose application is still open, each read as `renewals reinstate status` reads it
 * (application/reinstatements.ts reinstatementView). Decisions go through decideReinstatement, the
 * path of `renewals reinstate decide`, signed with the person's ref. No SQL here (only db/ and
 * reports/ write it).
 */

/** The permission-table entry the pages answer to: the underwriter's decision (scope rule `policy`). */
export const DECIDE_REINSTATEMENT = 'reinstate decide';

/** How many applications the queue shows, oldest first. */
export const REINSTATEMENT_QUEUE_LIMIT = 100;

/** Applications not yet closed: awaiting the underwriter, or approved and awaiting payment. */
const OPEN: readonly LatestApplicationStatus[] = ['under_review', 'evidence_requested', 'approved'];

export function mayDecideReinstatements(session: Pick<ConsoleSession, 'roles'>): boolean {
  return mayRun(session.roles, DECIDE_REINSTATEMENT);
}

/** One application as the queue and the page show it: numbers, dates, codes and opaque refs only. */
export interface ApplicationLine {
  id: number;
  policyNo: string;
  workflowId: string;
  receivedDate: CivilDate;
  decisionDueDate: CivilDate;
  status: string;
  /** From the running workflow; null when it cannot be asked (no Temporal, or it has ended). */
  declaration: 'captured' | 'awaited' | null;
  declarationBy: string | null;
  appliedBy: string | null;
  decidedBy: string | null;
  evidenceRequested: readonly string[];
  payBy: string | null;
  declineReason: string | null;
  /** Back premiums and interest if paid today, while an approval stands (as `reinstate status` quotes). */
  quote: NonNullable<ReinstatementView['application']>['quote'] | null;
}

/** The open applications of the policies in the scope, oldest first (by receipt, then number). */
async function openApplications(db: Knex, scopes: readonly Scope[], today: CivilDate): Promise<ApplicationRow[]> {
  const lapsed = await lapsedPoliciesReport(db, { asOf: today, scopes, limit: MAX_LAPSED_LIMIT });
  const policies = lapsed.policies.filter((p) => p.latestApplication !== null && OPEN.includes(p.latestApplication));
  const latest = await Promise.all(policies.map(async (p) => (await applicationsOf(db, p.policyNo))[0]));
  return latest
    .filter((a): a is ApplicationRow => a !== undefined && (OPEN as readonly string[]).includes(a.status))
    .sort((a, b) => a.received_at.getTime() - b.received_at.getTime() || a.id - b.id);
}

async function lineOf(db: Knex, temporal: ConsoleTemporal | undefined, row: ApplicationRow, today: CivilDate): Promise<ApplicationLine> {
  const view = temporal ? (await reinstatementView(db, temporal.client, row.policy_no, today)).application : undefined;
  const live = view?.live;
  return {
    id: Number(row.id),
    policyNo: row.policy_no,
    workflowId: row.workflow_id,
    receivedDate: shanghaiDate(row.received_at.getTime()),
    decisionDueDate: row.decision_due_date,
    status: live?.status ?? row.status,
    declaration: live?.declaration ?? null,
    declarationBy: live?.signedBy?.declaration ?? null,
    appliedBy: live?.signedBy?.applied ?? null,
    decidedBy: live?.signedBy?.decided ?? null,
    evidenceRequested: live?.evidenceRequested ?? [],
    payBy: live?.payBy ?? row.pay_by,
    declineReason: live?.declineReason ?? row.decline_reason,
    quote: view?.quote ?? null,
  };
}

/** The person's queue: open applications in the scope, oldest first, at most REINSTATEMENT_QUEUE_LIMIT. */
export async function reinstatementQueue(db: Knex, temporal: ConsoleTemporal | undefined, scopes: readonly Scope[], today: CivilDate): Promise<ApplicationLine[]> {
  const rows = (await openApplications(db, scopes, today)).slice(0, REINSTATEMENT_QUEUE_LIMIT);
  return Promise.all(rows.map((row) => lineOf(db, temporal, row, today)));
}

/**
 * One open application if the person may see it: undefined for an unknown number and for one whose
 * policy is outside the scope alike, so a URL does not tell whether it exists.
 */
export async function applicationInScope(db: Knex, scopes: readonly Scope[], id: number, today: CivilDate): Promise<ApplicationRow | undefined> {
  return (await openApplications(db, scopes, today)).find((row) => Number(row.id) === id);
}

export async function applicationLine(db: Knex, temporal: ConsoleTemporal | undefined, row: ApplicationRow, today: CivilDate): Promise<ApplicationLine> {
  return lineOf(db, temporal, row, today);
}

/** Whether the underwriter may still decide: under review or waiting for evidence. */
export function awaitsUnderwriter(line: Pick<ApplicationLine, 'status'>): boolean {
  return line.status === 'under_review' || line.status === 'evidence_requested';
}

/** Why the console did not send a decision: a word of console/i18n.ts, said before the workflow is asked. */
export type DecisionProblem = 'decisionUnknown' | 'declineReasonMissing' | 'evidenceMissing';

export interface DecisionForm {
  decision?: unknown;
  reason?: unknown;
  evidence?: unknown;
}

/**
 * The decision the form sent, built by decisionFrom as the CLI builds it from its options (which
 * refuses an unknown reason code or evidence kind with an OperatorError naming them).
 */
export function decisionOfForm(form: DecisionForm): { decision: UnderwritingDecision; kind: string } | { problem: DecisionProblem } {
  if (form.decision === 'approve') return { kind: 'approve', decision: decisionFrom({ approve: true }) };
  if (form.decision === 'decline') {
    if (typeof form.reason !== 'string' || form.reason === '') return { problem: 'declineReasonMissing' };
    return { kind: 'decline', decision: decisionFrom({ decline: form.reason }) };
  }
  if (form.decision === 'request_evidence') {
    const kinds = (Array.isArray(form.evidence) ? form.evidence : [form.evidence]).filter((k): k is string => typeof k === 'string' && k !== '');
    if (kinds.length === 0) return { problem: 'evidenceMissing' };
    return { kind: 'request_evidence', decision: decisionFrom({ requestEvidence: kinds.join(',') }) };
  }
  return { problem: 'decisionUnknown' };
}

/** Sends the decision as `renewals reinstate decide` does: the workflow's validator refuses (OperatorError) what it may not take. */
export function recordDecision(db: Knex, temporal: ConsoleTemporal, row: ApplicationRow, decision: UnderwritingDecision, actor: string): Promise<ApplicationAnswer> {
  return decideReinstatement(db, temporal.client, row.policy_no, decision, actor, temporal.updateTimeoutMs !== undefined ? { updateTimeoutMs: temporal.updateTimeoutMs } : {});
}
