import type { Knex } from 'knex';

/** Where one premium ended up, read from the rows (never from workflow state). */
export interface PremiumOutcome {
  status: string;
  paidAt: Date | null;
  paidVia: string | null;
  contactsSent: number;
  suppressedRules: string[];
}

export async function premiumOutcome(db: Knex, policyNo: string, dueDate: string): Promise<PremiumOutcome | undefined> {
  const due = await db('premium_dues')
    .where({ policy_no: policyNo, due_date: dueDate })
    .first<{ status: string; paid_at: Date | null; paid_via: string | null } | undefined>('status', 'paid_at', 'paid_via');
  if (!due) return undefined;
  const contacts = await db('contact_attempts')
    .where({ policy_no: policyNo, due_date: dueDate })
    .select<{ status: string; suppressed_rule: string | null }[]>('status', 'suppressed_rule');
  return {
    status: due.status,
    paidAt: due.paid_at,
    paidVia: due.paid_via,
    contactsSent: contacts.filter((c) => c.status === 'sent' || c.status === 'delivered').length,
    suppressedRules: contacts.flatMap((c) => (c.status === 'suppressed' && c.suppressed_rule ? [c.suppressed_rule] : [])),
  };
}
