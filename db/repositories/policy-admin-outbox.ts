import type { Knex } from 'knex';
import type { PolicyChangeKind, PolicyChangePayload } from '../../domain/policy-changes';
import { appendAudit } from './audit';

/**
 * The outbox of changes for the policy administration system (migration 030,
 * docs/architecture.md#policy-administration). The activity that records a fact writes its change
 * here in the same transaction (`enqueuePolicyChange`); the relay is the only writer of everything
 * after that: attempts, delivery, the reference, dead-lettering; an operator's re-drive undoes a dead end.
 */

export interface PolicyChange {
  eventId: string;
  kind: PolicyChangeKind;
  policyNo: string;
  payload: PolicyChangePayload;
}

export interface PolicyChangeRow {
  id: number;
  event_id: string;
  kind: PolicyChangeKind;
  policy_no: string;
  payload: PolicyChangePayload;
  created_at: Date;
  attempts: number;
  next_attempt_at: Date;
  delivered_at: Date | null;
  dead_at: Date | null;
  last_error: string | null;
  admin_reference: string | null;
}

/** Who writes the relay's audit rows. */
export const RELAY_ACTOR = 'relay:policy-admin';

/** In the caller's transaction: the change, once per event id (a retried activity writes nothing more). */
export async function enqueuePolicyChange(trx: Knex, change: PolicyChange): Promise<void> {
  await trx('policy_admin_outbox')
    .insert({ event_id: change.eventId, kind: change.kind, policy_no: change.policyNo, payload: JSON.stringify(change.payload) })
    .onConflict('event_id')
    .ignore();
}

/**
 * Claims up to `limit` due changes, oldest first, for one delivery each: the attempt is counted and the
 * row is not due again for `leaseMs` (longer than a delivery may take), so another relay leaves it
 * alone even after this claim commits. `SKIP LOCKED` lets two relays claim side by side without waiting,
 * and a change waits while an earlier one for its policy is still pending, so the policy system sees a
 * policy's changes in the order they happened.
 */
export async function claimDuePolicyChanges(db: Knex, { limit, leaseMs }: { limit: number; leaseMs: number }): Promise<PolicyChangeRow[]> {
  const { rows } = await db.raw<{ rows: PolicyChangeRow[] }>(
    `UPDATE policy_admin_outbox o
        SET attempts = o.attempts + 1, next_attempt_at = now() + make_interval(secs => ?::double precision / 1000)
      WHERE o.id IN (
        SELECT c.id FROM policy_admin_outbox c
         WHERE c.delivered_at IS NULL AND c.dead_at IS NULL AND c.next_attempt_at <= now()
           AND NOT EXISTS (
             SELECT 1 FROM policy_admin_outbox e
              WHERE e.policy_no = c.policy_no AND e.id < c.id AND e.delivered_at IS NULL AND e.dead_at IS NULL)
         ORDER BY c.next_attempt_at, c.id
         LIMIT ?
         FOR UPDATE SKIP LOCKED)
      RETURNING o.*`,
    [leaseMs, limit],
  );
  return rows.map(rowOf).sort((a, b) => a.id - b.id);
}

/**
 * Delivered: the row, and for reduced paid-up the administration system's reference where the choice
 * is recorded (`reduced_paid_up_choices.admin_request_id`), in one transaction. False when the row
 * was settled already (another relay delivered it after a lease ran out: the receiver answered both alike).
 */
export async function recordPolicyChangeDelivered(db: Knex, id: number, reference: string | undefined): Promise<boolean> {
  return db.transaction(async (trx) => {
    const [row] = await trx('policy_admin_outbox')
      .where({ id })
      .whereNull('delivered_at')
      .whereNull('dead_at')
      .update({ delivered_at: trx.fn.now(), admin_reference: reference ?? null, last_error: null })
      .returning<PolicyChangeRow[]>('*');
    if (!row) return false;
    if (row.kind === 'reduced_paid_up_requested' && reference) {
      const payload = row.payload;
      await trx('reduced_paid_up_choices')
        .where({ premium_due_id: Number(payload.premiumDueId), stage: String(payload.stage), choice: 'accepted' })
        .whereNull('admin_request_id')
        .update({ admin_request_id: reference });
    }
    return true;
  });
}

/** Not delivered this time: tried again at `nextAttemptAt`. */
export async function recordPolicyChangeRetry(db: Knex, id: number, error: string, nextAttemptAt: Date): Promise<void> {
  await db('policy_admin_outbox').where({ id }).whereNull('delivered_at').whereNull('dead_at').update({ last_error: short(error), next_attempt_at: nextAttemptAt });
}

/** The task that says a change is stuck is filed under this name (it belongs to no cycle). */
export function policyChangeTaskOwner(id: number): string {
  return `policy-admin-outbox-${id}`;
}

/**
 * Dead-lettered: the row, an operations task and the audit row, in one transaction. The task is new
 * for each time the change dies (a re-driven change can die again). Undefined when it was settled already.
 */
export async function recordPolicyChangeDead(db: Knex, id: number, error: string, at: Date): Promise<{ taskId: number } | undefined> {
  return db.transaction(async (trx) => {
    const [row] = await trx('policy_admin_outbox')
      .where({ id })
      .whereNull('delivered_at')
      .whereNull('dead_at')
      .update({ dead_at: at, last_error: short(error) })
      .returning<PolicyChangeRow[]>('*');
    if (!row) return undefined;
    const owner = policyChangeTaskOwner(id);
    const [counted] = await trx('tasks').where({ workflow_id: owner, kind: 'policy_admin_undelivered' }).count<{ count: string }[]>({ count: '*' });
    const [task] = await trx('tasks')
      .insert({
        kind: 'policy_admin_undelivered',
        step: `undelivered_${Number(counted?.count ?? 0) + 1}`,
        policy_no: row.policy_no,
        due_date: null,
        assignee_agent_code: null,
        assignee_role: 'operations',
        due_at: new Date(at.getTime() + 3_600_000),
        workflow_id: owner,
        run_id: 'none',
        activity_id: 'none',
      })
      .returning<{ id: number }[]>('id');
    const taskId = Number(task!.id);
    await appendAudit(trx, {
      kind: 'policy_change_dead_lettered',
      actor: RELAY_ACTOR,
      policyNo: row.policy_no,
      occurredAt: at,
      detail: { outboxId: Number(row.id), eventId: row.event_id, change: row.kind, attempts: row.attempts, reason: short(error), taskId },
    });
    return { taskId };
  });
}

/**
 * An operator re-drives a dead change: due now with a fresh count of attempts, its open task done,
 * audited under the operator's name. The reason it died stays in `last_error` until the next attempt.
 */
export async function redrivePolicyChange(db: Knex, id: number, actor: string, at: Date): Promise<{ row?: PolicyChangeRow; tasksDone: number[] }> {
  return db.transaction(async (trx) => {
    const [row] = await trx('policy_admin_outbox')
      .where({ id })
      .whereNotNull('dead_at')
      .update({ dead_at: null, attempts: 0, next_attempt_at: at })
      .returning<PolicyChangeRow[]>('*');
    if (!row) return { tasksDone: [] };
    const tasks = await trx('tasks')
      .where({ workflow_id: policyChangeTaskOwner(id), kind: 'policy_admin_undelivered', status: 'open' })
      .update({ status: 'done', outcome_code: 'redriven', completed_at: at })
      .returning<{ id: number }[]>('id');
    const tasksDone = tasks.map((t) => Number(t.id));
    await appendAudit(trx, {
      kind: 'policy_change_redriven',
      actor,
      policyNo: row.policy_no,
      occurredAt: at,
      detail: { outboxId: Number(row.id), eventId: row.event_id, change: row.kind, lastError: row.last_error, tasksDone },
    });
    return { row: rowOf(row), tasksDone };
  });
}

export type PolicyChangeState = 'pending' | 'delivered' | 'dead';

export async function policyChangeById(db: Knex, id: number): Promise<PolicyChangeRow | undefined> {
  const row = await db('policy_admin_outbox').where({ id }).first<PolicyChangeRow | undefined>();
  return row ? rowOf(row) : undefined;
}

/** The outbox for operations: by state (all when none), newest first. */
export async function listPolicyChanges(db: Knex, filter: { state?: PolicyChangeState; policyNo?: string; limit?: number } = {}): Promise<PolicyChangeRow[]> {
  const query = db('policy_admin_outbox');
  if (filter.state === 'pending') query.whereNull('delivered_at').whereNull('dead_at');
  if (filter.state === 'delivered') query.whereNotNull('delivered_at');
  if (filter.state === 'dead') query.whereNotNull('dead_at');
  if (filter.policyNo) query.where({ policy_no: filter.policyNo });
  const rows = await query.orderBy('id', 'desc').limit(filter.limit ?? 200).select<PolicyChangeRow[]>('*');
  return rows.map(rowOf);
}

function rowOf(row: PolicyChangeRow): PolicyChangeRow {
  return { ...row, id: Number(row.id) };
}

/** Errors are kept short; the relay builds them from status codes and its own words, never from a secret. */
function short(error: string): string {
  return error.length > 200 ? `${error.slice(0, 197)}...` : error;
}
