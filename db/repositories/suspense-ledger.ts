import type { Knex } from 'knex';
import type { SuspenseEntryReason } from '../../domain/payment-amounts';
import { appendAudit, type AuditEvent } from './audit';

/** The suspense ledger (migration 033; docs/business-rules.md#payment-amounts). */
export interface SuspenseEntryRow {
  id: number;
  policy_no: string;
  premium_due_id: number | null;
  amount_fen: number;
  paid_at: Date;
  via: string;
  reference: string;
  reason: SuspenseEntryReason;
  status: 'open' | 'refunded';
  task_id: number | null;
  recorded_by: string;
  created_at: Date;
}

export interface NewSuspenseEntry {
  policyNo: string;
  premiumDueId?: number;
  amountFen: number;
  paidAt: Date;
  via: string;
  reference: string;
  reason: SuspenseEntryReason;
  /** The person or system that reported the money: the entry's and the audit row's actor. */
  recordedBy: string;
}

/** The task owner of an entry: no workflow refunds money, so the entry names its task. */
export function suspenseTaskOwner(entryId: number): string {
  return `suspense-entry-${entryId}`;
}

/** What the premium's payments not reversed add up to. */
export async function receivedFen(db: Knex, premiumDueId: number): Promise<number> {
  const row = await db('payments').where({ premium_due_id: premiumDueId }).whereNull('reversed_at').first<{ sum: string | null }>(db.raw('sum(amount_fen) as sum'));
  return Number(row?.sum ?? 0);
}

/**
 * Money that pays no premium: the entry, a refund task for operations and the `payment_suspended`
 * audit row, together (call it inside the transaction that records the payment it comes from). Once
 * per way and reference: a retried activity or a second report finds the entry and writes nothing.
 */
export async function putInSuspense(
  trx: Knex,
  entry: NewSuspenseEntry,
  audit: Omit<AuditEvent, 'kind' | 'detail' | 'actor'> = {},
): Promise<{ entryId: number; taskId: number; created: boolean }> {
  const [inserted] = await trx('suspense_entries')
    .insert({
      policy_no: entry.policyNo,
      premium_due_id: entry.premiumDueId ?? null,
      amount_fen: entry.amountFen,
      paid_at: entry.paidAt,
      via: entry.via,
      reference: entry.reference,
      reason: entry.reason,
      recorded_by: entry.recordedBy,
    })
    .onConflict(['via', 'reference'])
    .ignore()
    .returning<{ id: number }[]>('id');
  if (!inserted) {
    const earlier = await trx('suspense_entries').where({ via: entry.via, reference: entry.reference }).first<{ id: number; task_id: number } | undefined>('id', 'task_id');
    if (!earlier) throw new Error(`suspense entry ${entry.via}:${entry.reference} neither inserted nor found`);
    return { entryId: Number(earlier.id), taskId: Number(earlier.task_id), created: false };
  }
  const entryId = Number(inserted.id);
  const [task] = await trx('tasks')
    .insert({
      kind: 'payment_refund',
      step: `refund_${entry.reason}`,
      policy_no: entry.policyNo,
      due_date: null,
      assignee_agent_code: null,
      assignee_role: 'operations',
      // Refunds are owed promptly: two days for operations to check and pay back.
      due_at: new Date(Date.now() + 2 * 24 * 3_600_000),
      workflow_id: suspenseTaskOwner(entryId),
      run_id: 'none',
      activity_id: 'none',
    })
    .returning<{ id: number }[]>('id');
  const taskId = Number(task!.id);
  await trx('suspense_entries').where({ id: entryId }).update({ task_id: taskId });
  await appendAudit(trx, {
    ...audit,
    kind: 'payment_suspended',
    actor: entry.recordedBy,
    policyNo: entry.policyNo,
    detail: { entry: entryId, amountFen: entry.amountFen, paidAt: entry.paidAt.toISOString(), via: entry.via, reference: entry.reference, reason: entry.reason, taskId },
  });
  return { entryId, taskId, created: true };
}

/** Entries still waiting for their refund, oldest first. */
export async function openSuspenseEntries(db: Knex): Promise<SuspenseEntryRow[]> {
  const rows = await db('suspense_entries').where({ status: 'open' }).orderBy('created_at').orderBy('id').select<SuspenseEntryRow[]>('*');
  return rows.map((r) => ({ ...r, id: Number(r.id), amount_fen: Number(r.amount_fen), premium_due_id: r.premium_due_id === null ? null : Number(r.premium_due_id), task_id: r.task_id === null ? null : Number(r.task_id) }));
}
