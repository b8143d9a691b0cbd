import type { Knex } from 'knex';

/** Where one premium ended up, read from the rows (never from workflow state). */
export interface PremiumOutcome {
  status: string;
  paidAt: Date | null;
  paidVia: string | null;
  contactsSent: number;
  suppressedRules: string[];
  debitAttempts: number;
  lastDebitReason: string | null;
  tasks: number;
  lapsedAt: Date | null;
}

export async function premiumOutcome(db: Knex, policyNo: string, dueDate: string): Promise<PremiumOutcome | undefined> {
  const due = await db('premium_dues')
    .where({ policy_no: policyNo, due_date: dueDate })
    .first<{ status: string; paid_at: Date | null; paid_via: string | null } | undefined>('status', 'paid_at', 'paid_via');
  if (!due) return undefined;
  const contacts = await db('contact_attempts')
    .where({ policy_no: policyNo, due_date: dueDate })
    .select<{ status: string; suppressed_rule: string | null }[]>('status', 'suppressed_rule');
  const debits = await db('debit_attempts as a')
    .join('premium_dues as d', 'd.id', 'a.premium_due_id')
    .where({ 'd.policy_no': policyNo, 'd.due_date': dueDate })
    .whereNot('a.status', 'withdrawn') // never reached the bank
    .orderBy('a.attempt_no')
    .select<{ reason: string | null }[]>('a.reason');
  const tasks = await db('tasks').where({ policy_no: policyNo, due_date: dueDate }).count<{ n: number }[]>('* as n');
  const suspended = await db('audit_events')
    .where({ policy_no: policyNo, due_date: dueDate, kind: 'policy_suspended' })
    .first<{ occurred_at: Date } | undefined>('occurred_at');
  return {
    debitAttempts: debits.length,
    lastDebitReason: debits.at(-1)?.reason ?? null,
    tasks: tasks[0]?.n ?? 0,
    lapsedAt: suspended?.occurred_at ?? null,
    status: due.status,
    paidAt: due.paid_at,
    paidVia: due.paid_via,
    contactsSent: contacts.filter((c) => c.status === 'sent' || c.status === 'delivered').length,
    suppressedRules: contacts.flatMap((c) => (c.status === 'suppressed' && c.suppressed_rule ? [c.suppressed_rule] : [])),
  };
}
