import type { Knex } from 'knex';
import type { ReducedPaidUpStage } from '../../domain/reinstatement';

export interface ReducedPaidUpChoiceRow {
  policy_no: string;
  premium_due_id: number;
  stage: ReducedPaidUpStage;
  choice: 'accepted' | 'declined';
  cash_value_fen: number;
  net_single_premium_fen: number;
  decided_at: Date;
  admin_request_id: string | null;
  workflow_id: string;
  /** Unique within the workflow: a retried activity finds its row and records nothing twice. */
  activity_id: string;
}

/** Records a choice once; returns false when this activity recorded it already. */
export async function recordReducedPaidUpChoice(db: Knex, row: ReducedPaidUpChoiceRow): Promise<boolean> {
  const inserted = await db('reduced_paid_up_choices').insert(row).onConflict(['workflow_id', 'activity_id']).ignore().returning('id');
  return inserted.length > 0;
}
