import type { Knex } from 'knex';

/** What a cycle needs to know about its premium: IDs, amounts and routing, nothing personal. */
export interface CycleContext {
  premiumDueId: number;
  amountFen: number;
  installmentNo: number;
  status: string;
  branchCode: string;
  channel: string;
  productCode: string;
}

export async function loadCycleContext(db: Knex, policyNo: string, dueDate: string): Promise<CycleContext | undefined> {
  const row = await db('premium_dues as d')
    .join('policies as p', 'p.policy_no', 'd.policy_no')
    .where({ 'd.policy_no': policyNo, 'd.due_date': dueDate })
    .first<
      | { id: number; amount_fen: number; installment_no: number; status: string; branch_code: string; channel: string; product_code: string }
      | undefined
    >('d.id', 'd.amount_fen', 'd.installment_no', 'd.status', 'p.branch_code', 'p.channel', 'p.product_code');
  if (!row) return undefined;
  return {
    premiumDueId: row.id,
    amountFen: row.amount_fen,
    installmentNo: row.installment_no,
    status: row.status,
    branchCode: row.branch_code,
    channel: row.channel,
    productCode: row.product_code,
  };
}

export async function linkWorkflow(db: Knex, premiumDueId: number, workflowId: string, runMonth?: string): Promise<void> {
  await db('premium_dues')
    .where({ id: premiumDueId })
    .update({ workflow_id: workflowId, run_month: runMonth ?? null, updated_at: db.fn.now() });
}
