import type { Knex } from 'knex';
import type { CivilDate } from '../../domain/civil-date';

/** Where each premium of a due month ended up, read from the rows in one pass per table. */
export interface MonthPremiumOutcome {
  policyNo: string;
  dueDate: CivilDate;
  premiumFen: number;
  status: string;
  paidAt: Date | null;
  paidVia: string | null;
  debitAttempts: number;
  /** Attempts answered success and not returned (docs/business-rules.md#debit-success). */
  debitsSucceeded: number;
  lastDebitReason: string | null;
  /** Contacts that went out (sent or delivered), per channel. */
  contacts: Record<string, number>;
  /** Suppressed contact steps, per rule. */
  suppressed: Record<string, number>;
  tasks: number;
  lapsedAt: Date | null;
  /** The day the policy was reinstated from this premium's suspension, if it was. */
  reinstatedOn: CivilDate | null;
}

interface Row {
  policy_no: string;
  due_date: string;
  amount_fen: string | number;
  status: string;
  paid_at: Date | null;
  paid_via: string | null;
  debit_attempts: number;
  debits_succeeded: number;
  last_reason: string | null;
  contacts: Record<string, number> | null;
  suppressed: Record<string, number> | null;
  tasks: number;
  lapsed_at: Date | null;
  reinstated_on: string | null;
}

/** Every premium due in `month` (YYYY-MM), ordered by due date and policy number. */
export async function monthPremiumOutcomes(db: Knex, month: string): Promise<MonthPremiumOutcome[]> {
  const { rows } = await db.raw<{ rows: Row[] }>(
    `
    WITH dues AS (
      SELECT id, policy_no, due_date, amount_fen, status, paid_at, paid_via
        FROM premium_dues
       WHERE due_date >= (?::text || '-01')::date AND due_date < (?::text || '-01')::date + interval '1 month'
    )
    SELECT d.policy_no, to_char(d.due_date, 'YYYY-MM-DD') AS due_date, d.amount_fen, d.status::text, d.paid_at, d.paid_via::text,
           coalesce(a.attempts, 0)::int AS debit_attempts, coalesce(a.succeeded, 0)::int AS debits_succeeded, a.last_reason,
           c.sent AS contacts, c.suppressed, coalesce(t.tasks, 0)::int AS tasks, s.lapsed_at, r.reinstated_on
      FROM dues d
      LEFT JOIN LATERAL (
        SELECT count(*) AS attempts, count(*) FILTER (WHERE status = 'succeeded') AS succeeded, (array_agg(reason ORDER BY attempt_no DESC))[1] AS last_reason
          FROM debit_attempts WHERE premium_due_id = d.id AND status <> 'withdrawn'
      ) a ON true
      LEFT JOIN LATERAL (
        SELECT jsonb_object_agg(channel, n) FILTER (WHERE kind = 'sent') AS sent,
               jsonb_object_agg(channel, n) FILTER (WHERE kind = 'suppressed') AS suppressed
          FROM (
            SELECT CASE WHEN status IN ('sent', 'delivered') THEN 'sent' ELSE 'suppressed' END AS kind,
                   CASE WHEN status IN ('sent', 'delivered') THEN channel::text ELSE coalesce(suppressed_rule, 'unknown') END AS channel,
                   count(*) AS n
              FROM contact_attempts
             WHERE policy_no = d.policy_no AND due_date = d.due_date AND status IN ('sent', 'delivered', 'suppressed')
             GROUP BY 1, 2
          ) grouped
      ) c ON true
      LEFT JOIN LATERAL (SELECT count(*) AS tasks FROM tasks WHERE policy_no = d.policy_no AND due_date = d.due_date) t ON true
      LEFT JOIN LATERAL (
        SELECT min(occurred_at) AS lapsed_at FROM audit_events
         WHERE policy_no = d.policy_no AND due_date = d.due_date AND kind = 'policy_suspended'
      ) s ON true
      LEFT JOIN LATERAL (
        SELECT to_char(min(a.effective_date), 'YYYY-MM-DD') AS reinstated_on
          FROM suspensions su JOIN reinstatement_applications a ON a.suspension_id = su.id
         WHERE su.premium_due_id = d.id AND a.status = 'reinstated'
      ) r ON true
     ORDER BY d.due_date, d.policy_no`,
    [month, month],
  );
  return rows.map((r) => ({
    policyNo: r.policy_no,
    dueDate: r.due_date,
    premiumFen: Number(r.amount_fen),
    status: r.status,
    paidAt: r.paid_at,
    paidVia: r.paid_via,
    debitAttempts: r.debit_attempts,
    debitsSucceeded: r.debits_succeeded,
    lastDebitReason: r.last_reason,
    contacts: r.contacts ?? {},
    suppressed: r.suppressed ?? {},
    tasks: r.tasks,
    lapsedAt: r.lapsed_at,
    reinstatedOn: r.reinstated_on,
  }));
}

/** The last grace day of the month's premiums (due date + the product's grace days), if any. */
export async function lastGraceDayOfMonth(db: Knex, month: string): Promise<CivilDate | undefined> {
  const row = await db('premium_dues as d')
    .join('policies as p', 'p.policy_no', 'd.policy_no')
    .join('products as r', 'r.code', 'p.product_code')
    .whereRaw(`to_char(d.due_date, 'YYYY-MM') = ?`, [month])
    .first<{ last: string | null }>(db.raw(`to_char(max(d.due_date + r.grace_days), 'YYYY-MM-DD') as last`));
  return row?.last ?? undefined;
}
