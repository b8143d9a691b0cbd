import type { Client } from '@temporalio/client';
import type { Knex } from 'knex';
import { appendAudit } from '../db/repositories/audit';
import { putInSuspense } from '../db/repositories/suspense-ledger';
import {
  awaitingCounterPayment,
  counterPaymentById,
  insertCounterPayment,
  listAwaitingCounterPayments,
  markCounterPaymentDecided,
  type CounterPaymentRow,
} from '../db/repositories/counter-payments';
import type { CivilDate } from '../domain/civil-date';
import { counterPaymentDecisionError, counterPaymentNeedsSecondCashier } from '../domain/four-eyes';
import { maskPersonalText } from '../domain/personal-data';
import { OperatorError } from './errors';
import { findCycle, sendOperatorEvent, type PaymentEvent, type SentEvent } from './operator-events';
import type { UpdateOptions } from './update-deadline';

/**
 * Four-eyes on large counter payments (docs/business-rules.md#four-eyes). `renewals pay` of a premium
 * above the insurer's line at the counter records the payment and stops there; a second cashier's
 * `payments confirm` sends it to the cycle as the payment it is, or `payments reject` drops it. Every
 * step is an audit row signed by its person (`actor`, an opaque `user:N`).
 */
export type PaymentReport =
  | { kind: 'sent'; sent: SentEvent }
  | { kind: 'awaiting'; payment: CounterPaymentRow; confirmAboveFen: number }
  /** Money for a premium already paid: put in the suspense ledger with a refund task. */
  | { kind: 'suspense'; entryId: number; taskId: number; policyNo: string; dueDate: CivilDate };

export async function reportPayment(
  db: Knex,
  client: Client,
  policyNo: string,
  payment: PaymentEvent,
  actor: string,
  rules: { due?: CivilDate; confirmAboveFen: number; update?: UpdateOptions },
): Promise<PaymentReport> {
  const target = await findCycle(db, policyNo, rules.due);
  // Money with an amount for a premium already paid: nobody's premium, owed back (docs/business-rules.md#payment-amounts).
  if (target.premium.status === 'paid' && payment.amountFen !== undefined) {
    const entry = await db.transaction((trx) =>
      putInSuspense(
        trx,
        {
          policyNo,
          premiumDueId: Number(target.premium.id),
          amountFen: payment.amountFen!,
          paidAt: payment.paidAt !== undefined ? new Date(payment.paidAt) : new Date(),
          via: payment.via,
          reference: payment.reference,
          reason: 'already_paid',
          recordedBy: actor,
        },
        { dueDate: target.dueDate },
      ),
    );
    return { kind: 'suspense', entryId: entry.entryId, taskId: entry.taskId, policyNo, dueDate: target.dueDate };
  }
  const amountFen = payment.amountFen ?? Number(target.premium.amount_fen);
  // A premium no longer due goes to the cycle, which says why it takes no payment (or, suspended, whether it counts).
  if (target.premium.status !== 'due' || !counterPaymentNeedsSecondCashier(payment.via, amountFen, rules.confirmAboveFen)) {
    return { kind: 'sent', sent: await sendOperatorEvent(db, client, policyNo, payment, actor, target.dueDate, rules.update) };
  }
  const alreadyWaiting = (waiting: CounterPaymentRow) =>
    new OperatorError(`counter payment #${waiting.id} (reference ${waiting.reference}) for ${policyNo} due ${target.dueDate} already awaits a second cashier: confirm or reject it first`);
  const earlier = await awaitingCounterPayment(db, policyNo, target.dueDate);
  if (earlier) throw alreadyWaiting(earlier);
  // The money is at the counter: the cycle debits nothing, sends no reminder and does not lapse until a
  // second cashier decides. Held first, so no debit can start between the record and the hold.
  await sendOperatorEvent(db, client, policyNo, { kind: 'holdPlaced', hold: 'payment_review' }, actor, target.dueDate, rules.update);
  try {
    const recorded = await db.transaction(async (trx) => {
      const waiting = await awaitingCounterPayment(trx, policyNo, target.dueDate);
      if (waiting) throw alreadyWaiting(waiting);
      const row = await insertCounterPayment(trx, { policyNo, dueDate: target.dueDate, reference: payment.reference, amountFen, recordedBy: actor });
      await appendAudit(trx, {
        kind: 'counter_payment_recorded',
        actor,
        policyNo,
        dueDate: target.dueDate,
        workflowId: target.workflowId,
        detail: { payment: row.id, reference: row.reference, amountFen: row.amount_fen, confirmAboveFen: rules.confirmAboveFen },
      });
      return row;
    });
    return { kind: 'awaiting', payment: recorded, confirmAboveFen: rules.confirmAboveFen };
  } catch (error) {
    // Not recorded (another cashier's record came first, or the database failed): the hold goes again.
    await releaseReviewHold(db, client, policyNo, target.dueDate, actor, rules.update).catch(() => undefined);
    throw error;
  }
}

/** Takes back the review hold; a cycle that has none (released by hand, or over) answers so, and that is kept. */
async function releaseReviewHold(db: Knex, client: Client, policyNo: string, due: CivilDate, actor: string, update?: UpdateOptions): Promise<SentEvent> {
  return sendOperatorEvent(db, client, policyNo, { kind: 'holdReleased', hold: 'payment_review' }, actor, due, update);
}

/**
 * The second cashier confirms: the payment goes to the cycle signed by them (the recorder is in the
 * audit row), then the record is closed. A cycle that refuses it (paid meanwhile, lapsed) leaves the
 * record waiting, to be rejected with its reason.
 */
export async function confirmCounterPayment(db: Knex, client: Client, id: number, actor: string, update: UpdateOptions = {}): Promise<{ payment: CounterPaymentRow; sent: SentEvent }> {
  const row = await decidable(db, id, actor, 'confirmation');
  // Paid when the first cashier recorded it at the counter, for the amount recorded.
  const paid = { kind: 'paymentReceived' as const, via: 'counter' as const, reference: row.reference, amountFen: Number(row.amount_fen), paidAt: new Date(row.recorded_at).toISOString() };
  const sent = await sendOperatorEvent(db, client, row.policy_no, paid, actor, row.due_date, update);
  const payment = await db.transaction(async (trx) => {
    if (!(await markCounterPaymentDecided(trx, id, { status: 'confirmed', by: actor }))) throw new OperatorError(`counter payment #${id} was decided meanwhile; the cycle has the payment`);
    await appendAudit(trx, {
      kind: 'counter_payment_confirmed',
      actor,
      policyNo: row.policy_no,
      dueDate: row.due_date,
      workflowId: sent.workflowId,
      detail: { payment: id, reference: row.reference, amountFen: row.amount_fen, recordedBy: row.recorded_by },
    });
    return (await counterPaymentById(trx, id))!;
  });
  return { payment, sent };
}

/**
 * The second cashier finds no such money: the record is closed, no payment reaches the cycle, and its
 * review hold is released (collection resumes). `holdReleased` false: the cycle had no such hold any
 * more (released by hand) or is over; the rejection stands either way.
 */
export async function rejectCounterPayment(
  db: Knex,
  client: Client,
  id: number,
  reason: string,
  actor: string,
  update: UpdateOptions = {},
): Promise<{ payment: CounterPaymentRow; holdReleased: boolean }> {
  if (reason.trim() === '') throw new OperatorError('--reason must say why the payment is rejected', true);
  // Free text from a person: any number or address typed into it is masked before it is stored.
  const masked = maskPersonalText(reason.trim());
  const row = await decidable(db, id, actor, 'rejection');
  const payment = await db.transaction(async (trx) => {
    if (!(await markCounterPaymentDecided(trx, id, { status: 'rejected', by: actor, reason: masked }))) throw new OperatorError(`counter payment #${id} was decided meanwhile`);
    await appendAudit(trx, {
      kind: 'counter_payment_rejected',
      actor,
      policyNo: row.policy_no,
      dueDate: row.due_date,
      detail: { payment: id, reference: row.reference, amountFen: row.amount_fen, recordedBy: row.recorded_by, reason: masked },
    });
    return (await counterPaymentById(trx, id))!;
  });
  const holdReleased = await releaseReviewHold(db, client, row.policy_no, row.due_date, actor, update).then(
    () => true,
    () => false,
  );
  return { payment, holdReleased };
}

export function awaitingCounterPayments(db: Knex): Promise<CounterPaymentRow[]> {
  return listAwaitingCounterPayments(db);
}

async function decidable(db: Knex, id: number, actor: string, decision: 'confirmation' | 'rejection'): Promise<CounterPaymentRow> {
  const row = await counterPaymentById(db, id);
  if (!row) throw new OperatorError(`no counter payment #${id}`);
  if (row.status !== 'awaiting') throw new OperatorError(`counter payment #${id} is already ${row.status} (by ${row.decided_by ?? 'unknown'})`);
  const refused = counterPaymentDecisionError(actor, row.recorded_by, id, decision);
  if (refused) throw new OperatorError(refused);
  return row;
}
