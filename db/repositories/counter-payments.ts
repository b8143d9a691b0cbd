import type { Knex } from 'knex';

/** A counter payment waiting for (or given) a second cashier's decision (db/migrations/028_counter_confirmations.ts). */
export interface CounterPaymentRow {
  id: number;
  policy_no: string;
  due_date: string;
  reference: string;
  amount_fen: number;
  status: 'awaiting' | 'confirmed' | 'rejected';
  recorded_by: string;
  recorded_at: Date;
  decided_by: string | null;
  decided_at: Date | null;
  rejection_reason: string | null;
}

export async function insertCounterPayment(db: Knex, p: { policyNo: string; dueDate: string; reference: string; amountFen: number; recordedBy: string }): Promise<CounterPaymentRow> {
  const [row] = (await db('counter_payments')
    .insert({ policy_no: p.policyNo, due_date: p.dueDate, reference: p.reference, amount_fen: p.amountFen, recorded_by: p.recordedBy })
    .returning('*')) as CounterPaymentRow[];
  return row!;
}

export async function counterPaymentById(db: Knex, id: number): Promise<CounterPaymentRow | undefined> {
  return db('counter_payments').where({ id }).first<CounterPaymentRow | undefined>();
}

/** The premium's counter payment still waiting for a second cashier, if any. */
export async function awaitingCounterPayment(db: Knex, policyNo: string, dueDate: string): Promise<CounterPaymentRow | undefined> {
  return db('counter_payments').where({ policy_no: policyNo, due_date: dueDate, status: 'awaiting' }).first<CounterPaymentRow | undefined>();
}

/** Decides a waiting payment; false when someone decided it meanwhile. */
export async function markCounterPaymentDecided(
  db: Knex,
  id: number,
  decision: { status: 'confirmed' | 'rejected'; by: string; reason?: string },
): Promise<boolean> {
  const changed = await db('counter_payments')
    .where({ id, status: 'awaiting' })
    .update({ status: decision.status, decided_by: decision.by, decided_at: db.fn.now(), rejection_reason: decision.reason ?? null });
  return changed === 1;
}

export async function listAwaitingCounterPayments(db: Knex): Promise<CounterPaymentRow[]> {
  return db('counter_payments').where({ status: 'awaiting' }).orderBy('id').limit(1000);
}
