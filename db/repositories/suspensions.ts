import type { Knex } from 'knex';

/** One suspension of a policy (its lapsed premium), the window it opened and how it ended. */
export interface SuspensionRow {
  id: number;
  policy_no: string;
  premium_due_id: number;
  lapsed_due_date: string;
  suspended_at: Date;
  suspension_date: string;
  window_closes_on: string;
  annual_premium_fen: number;
  high_value: boolean;
  /** undone: a payment made within grace was reported after it (migration 033). */
  outcome: 'open' | 'reinstated' | 'terminated' | 'reduced_paid_up' | 'undone';
  outcome_at: Date | null;
  workflow_id: string;
}

export type NewSuspension = Omit<SuspensionRow, 'id' | 'outcome' | 'outcome_at'>;

/** Records the suspension once: a retried activity (or a replayed window stage) finds the same row. */
export async function openSuspension(db: Knex, suspension: NewSuspension): Promise<SuspensionRow> {
  await db('suspensions').insert(suspension).onConflict('premium_due_id').ignore();
  return db('suspensions').where({ premium_due_id: suspension.premium_due_id }).first<SuspensionRow>();
}

export async function suspensionById(db: Knex, id: number): Promise<SuspensionRow | undefined> {
  return db('suspensions').where({ id }).first<SuspensionRow | undefined>();
}

/**
 * Ends an open suspension. Only from `open`: the first outcome stands, and a retried activity that
 * finds it already ended changes nothing (returns false).
 */
export async function endSuspension(db: Knex, id: number, outcome: Exclude<SuspensionRow['outcome'], 'open'>, at: Date): Promise<boolean> {
  const changed = await db('suspensions').where({ id, outcome: 'open' }).update({ outcome, outcome_at: at });
  return changed > 0;
}
