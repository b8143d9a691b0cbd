import type { Knex } from 'knex';

/**
 * What operators read about one policy: masked columns only. Nothing here selects an `*_enc`
 * column, so nothing read here can put personal data on a screen.
 */
export interface PolicyHeaderRow {
  policy_no: string;
  product_code: string;
  product_name: string;
  plan_code: string;
  grace_days: number;
  channel: string;
  branch_code: string;
  branch_name: string | null;
  agent_code: string | null;
  agent_name_masked: string | null;
  agent_status: 'active' | 'departed' | null;
  holder_name_masked: string;
  holder_id_type: string;
  holder_id_no_masked: string;
  payment_frequency: string;
  premium_fen: number;
  status: string;
  next_due_date: string | null;
  mandate_bank_code: string | null;
  mandate_account_masked: string | null;
}

export async function policyHeader(db: Knex, policyNo: string): Promise<PolicyHeaderRow | undefined> {
  return db('policies as p')
    .join('products as r', 'r.code', 'p.product_code')
    .join('customers as c', 'c.id', 'p.holder_customer_id')
    .leftJoin('branches as b', 'b.code', 'p.branch_code')
    .leftJoin('agents as a', 'a.code', 'p.agent_code')
    .leftJoin('mandates as m', function () {
      this.on('m.policy_no', '=', 'p.policy_no').andOnVal('m.status', '=', 'active');
    })
    .where('p.policy_no', policyNo)
    .first<PolicyHeaderRow | undefined>(
      'p.policy_no',
      'p.product_code',
      'r.name as product_name',
      db.raw('coalesce(p.plan_code, r.plan_code) as plan_code'),
      'r.grace_days',
      'p.channel',
      'p.branch_code',
      'b.name as branch_name',
      'p.agent_code',
      'a.name_masked as agent_name_masked',
      'a.status as agent_status',
      'c.name_masked as holder_name_masked',
      'c.id_type as holder_id_type',
      'c.id_no_masked as holder_id_no_masked',
      'p.payment_frequency',
      'p.premium_fen',
      'p.status',
      'p.next_due_date',
      'm.bank_code as mandate_bank_code',
      'm.account_masked as mandate_account_masked',
    );
}

export interface PremiumDueRow {
  id: number;
  policy_no: string;
  due_date: string;
  installment_no: number;
  amount_fen: number;
  status: 'due' | 'paid' | 'lapsed' | 'waived' | 'closed';
  paid_at: Date | null;
  paid_via: string | null;
  workflow_id: string | null;
  run_month: string | null;
}

/** Every premium of a policy, newest due date first. */
export async function premiumDuesOf(db: Knex, policyNo: string): Promise<PremiumDueRow[]> {
  return db('premium_dues')
    .where({ policy_no: policyNo })
    .orderBy('due_date', 'desc')
    .select<PremiumDueRow[]>('id', 'policy_no', 'due_date', 'installment_no', 'amount_fen', 'status', 'paid_at', 'paid_via', 'workflow_id', 'run_month');
}

/** One premium by its number: the console's opaque reference to a policy's cycle (no policy number in a URL). */
export async function premiumDueById(db: Knex, id: number): Promise<PremiumDueRow | undefined> {
  return db('premium_dues')
    .where({ id })
    .first<PremiumDueRow | undefined>('id', 'policy_no', 'due_date', 'installment_no', 'amount_fen', 'status', 'paid_at', 'paid_via', 'workflow_id', 'run_month');
}

export interface DebitAttemptViewRow {
  attempt_no: number;
  collection_date: string;
  amount_fen: number;
  status: string;
  reason: string | null;
  raw_code: string | null;
  bank_ref: string | null;
  submitted_at: Date | null;
  resolved_at: Date | null;
}

export async function debitAttemptsOfDue(db: Knex, premiumDueId: number): Promise<DebitAttemptViewRow[]> {
  return db('debit_attempts')
    .where({ premium_due_id: premiumDueId })
    .orderBy('attempt_no')
    .select<DebitAttemptViewRow[]>('attempt_no', 'collection_date', 'amount_fen', 'status', 'reason', 'raw_code', 'bank_ref', 'submitted_at', 'resolved_at');
}

export interface ContactViewRow {
  step: string;
  channel: string;
  status: string;
  suppressed_rule: string | null;
  planned_at: Date;
  sent_at: Date | null;
}

/** Contact attempts of one premium in the order they were planned; the recipient is left out on purpose. */
export async function contactsOfDue(db: Knex, policyNo: string, dueDate: string): Promise<ContactViewRow[]> {
  return db('contact_attempts')
    .where({ policy_no: policyNo, due_date: dueDate })
    .orderBy([{ column: 'planned_at' }, { column: 'step' }, { column: 'channel' }])
    .select<ContactViewRow[]>('step', 'channel', 'status', 'suppressed_rule', 'planned_at', 'sent_at');
}

export interface TaskViewRow {
  id: number;
  kind: string;
  step: string;
  assignee_agent_code: string | null;
  assignee_role: string;
  due_at: Date;
  status: string;
  outcome_code: string | null;
  completed_at: Date | null;
}

export async function tasksOfDue(db: Knex, policyNo: string, dueDate: string): Promise<TaskViewRow[]> {
  return db('tasks')
    .where({ policy_no: policyNo, due_date: dueDate })
    .orderBy('id')
    .select<TaskViewRow[]>('id', 'kind', 'step', 'assignee_agent_code', 'assignee_role', 'due_at', 'status', 'outcome_code', 'completed_at');
}

/** The stage the cycle last recorded for a premium (its `stage_changed` audit rows), with when. */
export async function lastRecordedStage(db: Knex, policyNo: string, dueDate: string): Promise<{ stage: string; at: Date } | undefined> {
  const row = await db('audit_events')
    .where({ policy_no: policyNo, due_date: dueDate, kind: 'stage_changed' })
    .orderBy('seq', 'desc')
    .first<{ detail: { stage?: string }; occurred_at: Date } | undefined>('detail', 'occurred_at');
  return row?.detail.stage ? { stage: row.detail.stage, at: row.occurred_at } : undefined;
}

/** When the policy was suspended for this premium (the legal instant recorded by the cycle). */
export async function suspendedAt(db: Knex, policyNo: string, dueDate: string): Promise<Date | undefined> {
  const row = await db('audit_events')
    .where({ policy_no: policyNo, due_date: dueDate, kind: 'policy_suspended' })
    .orderBy('seq', 'desc')
    .first<{ occurred_at: Date } | undefined>('occurred_at');
  return row?.occurred_at;
}
