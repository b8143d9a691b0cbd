import type { Knex } from 'knex';
import type { Receipt, SuspenseReason } from '../../domain/receipts';
import { appendAudit } from './audit';

/** Imported receipts (migration 032; docs/business-rules.md#receipts-import). */
export interface PaymentReceiptRow {
  id: number;
  reference: string;
  policy_no: string;
  amount_fen: number;
  paid_at: Date;
  via: string;
  outcome: 'pending' | 'paid' | 'suspense';
  premium_due_id: number | null;
  suspense_reason: SuspenseReason | null;
  task_id: number | null;
  row_no: number;
  imported_by: string;
  imported_at: Date;
}

function normalise(row: PaymentReceiptRow): PaymentReceiptRow {
  return { ...row, id: Number(row.id), amount_fen: Number(row.amount_fen), premium_due_id: row.premium_due_id === null ? null : Number(row.premium_due_id), task_id: row.task_id === null ? null : Number(row.task_id) };
}

/** The task owner of a receipt put aside: no workflow has it, so the receipt names it. */
export function receiptTaskOwner(id: number): string {
  return `payment-receipt-${id}`;
}

export async function receiptByReference(db: Knex, reference: string): Promise<PaymentReceiptRow | undefined> {
  const row = await db('payment_receipts').where({ reference }).first<PaymentReceiptRow | undefined>();
  return row ? normalise(row) : undefined;
}

/**
 * The policy's oldest premium still due, for the match, and its premium suspended in an open window
 * (a receipt paid before the suspension pays it); `known` false when no such policy exists.
 */
export async function premiumsToMatch(
  db: Knex,
  policyNo: string,
): Promise<{ known: boolean; due?: { id: number; dueDate: string }; suspended?: { id: number; dueDate: string; suspendedAt: number } }> {
  const policy = await db('policies').where({ policy_no: policyNo }).first<{ policy_no: string } | undefined>('policy_no');
  if (!policy) return { known: false };
  const due = await db('premium_dues').where({ policy_no: policyNo, status: 'due' }).orderBy('due_date').first<{ id: number; due_date: string } | undefined>('id', 'due_date');
  if (due) return { known: true, due: { id: Number(due.id), dueDate: due.due_date } };
  const suspended = await db('premium_dues as d')
    .join('suspensions as s', 's.premium_due_id', 'd.id')
    .where({ 'd.policy_no': policyNo, 'd.status': 'lapsed', 's.outcome': 'open' })
    .orderBy('d.due_date', 'desc')
    .first<{ id: number; due_date: string; suspended_at: Date } | undefined>('d.id', 'd.due_date', 's.suspended_at');
  return suspended ? { known: true, suspended: { id: Number(suspended.id), dueDate: suspended.due_date, suspendedAt: suspended.suspended_at.getTime() } } : { known: true };
}

/**
 * Claims a reference before its payment is sent: the unique reference makes a second import (or a
 * second importer at once) find it. Undefined when the reference was claimed before.
 */
export async function claimReceipt(
  db: Knex,
  receipt: Receipt,
  source: { fileSha256: string; rowNo: number; importedBy: string },
): Promise<PaymentReceiptRow | undefined> {
  const [row] = await db('payment_receipts')
    .insert({
      reference: receipt.reference,
      policy_no: receipt.policyNo,
      amount_fen: receipt.amountFen,
      paid_at: new Date(receipt.paidAt),
      via: receipt.via,
      outcome: 'pending',
      file_sha256: source.fileSha256,
      row_no: source.rowNo,
      imported_by: source.importedBy,
    })
    .onConflict('reference')
    .ignore()
    .returning<PaymentReceiptRow[]>('*');
  return row ? normalise(row) : undefined;
}

/** The receipt paid its premium (the cycle took it): audited with the importer. */
export async function markReceiptPaid(db: Knex, row: PaymentReceiptRow, premiumDueId: number, dueDate: string): Promise<void> {
  await db.transaction(async (trx) => {
    await trx('payment_receipts').where({ id: row.id }).update({ outcome: 'paid', premium_due_id: premiumDueId });
    await appendAudit(trx, {
      kind: 'receipt_imported',
      actor: row.imported_by,
      policyNo: row.policy_no,
      dueDate,
      detail: { receipt: row.id, reference: row.reference, amountFen: row.amount_fen, paidAt: row.paid_at.toISOString(), via: row.via, outcome: 'paid' },
    });
  });
}

/**
 * Put aside: the receipt, an operations task to find where the money belongs (or refund it) and the
 * audit row, in one transaction. The task and the row name the policy only when it exists.
 */
export async function putReceiptInSuspense(db: Knex, row: PaymentReceiptRow, reason: SuspenseReason, policyKnown: boolean, at: Date): Promise<{ taskId: number }> {
  return db.transaction(async (trx) => {
    const [task] = await trx('tasks')
      .insert({
        kind: 'payment_suspense',
        step: `suspense_${reason}`,
        policy_no: policyKnown ? row.policy_no : null,
        due_date: null,
        assignee_agent_code: null,
        assignee_role: 'operations',
        due_at: new Date(at.getTime() + 24 * 3_600_000),
        workflow_id: receiptTaskOwner(row.id),
        run_id: 'none',
        activity_id: 'none',
      })
      .returning<{ id: number }[]>('id');
    const taskId = Number(task!.id);
    await trx('payment_receipts').where({ id: row.id }).update({ outcome: 'suspense', suspense_reason: reason, task_id: taskId });
    await appendAudit(trx, {
      kind: 'receipt_imported',
      actor: row.imported_by,
      ...(policyKnown ? { policyNo: row.policy_no } : {}),
      detail: { receipt: row.id, reference: row.reference, amountFen: row.amount_fen, paidAt: row.paid_at.toISOString(), via: row.via, outcome: 'suspense', reason, taskId },
    });
    return { taskId };
  });
}

/** Receipts put aside and not yet worked (their task open), oldest first. */
export async function receiptsInSuspense(db: Knex): Promise<(PaymentReceiptRow & { task_status: string | null })[]> {
  const rows = await db('payment_receipts as r')
    .leftJoin('tasks as t', 't.id', 'r.task_id')
    .where('r.outcome', 'suspense')
    .orderBy('r.imported_at')
    .orderBy('r.id')
    .select<(PaymentReceiptRow & { task_status: string | null })[]>('r.*', 't.status as task_status');
  return rows.map((r) => ({ ...normalise(r), task_status: r.task_status }));
}
