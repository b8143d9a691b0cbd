/**
 * A book with a month in progress, for the console's page benchmark (BENCHMARKS.md): `n` policies
 * whose current premium falls due between the first day of the month two months back and the end of
 * this month (so about a third are due this month and the rest are paid, in grace or lapsed), each
 * with last year's premium paid, the debits, payments, contacts, open call tasks and suspensions the
 * cycle would have written by `today`. Set-based SQL into a migrated, empty database.
 *
 * Outcomes by a per-policy number o (0…999), as bench/monthly-report.ts's book: 0–619 debit 1 pays
 * on the due date · 620–719 debit 2 at D+3 · 720–819 counter or online in grace · 820–859 debit 3 at
 * D+7 · 860–929 never pays (lapses after grace) · 930–999 transfer in grace. What lies after today
 * has not happened yet: such a premium is still due, its later debits not yet made.
 */
import type { Db } from '../../db/connection';
import type { CivilDate } from '../../domain/civil-date';

const DEBIT_DAYS = '(ARRAY[0, 3, 7, 14, 21, 30, 40, 50, 60])';

/** Branches, products, teams and agents: the same reference data as the monthly report's book. */
export async function referenceData(db: Db): Promise<void> {
  const sql = (text: string) => db.raw(text);
  await sql(`INSERT INTO branches SELECT 'B' || lpad(b::text, 2, '0'), 'Branch ' || b FROM generate_series(1, 30) b`);
  await sql(`INSERT INTO products (code, name, grace_days) SELECT 'PR' || p, 'Product ' || p, CASE WHEN p <= 7 THEN 60 ELSE 30 END
             FROM generate_series(1, 10) p`);
  await sql(`INSERT INTO teams (code, branch_code) SELECT 'T' || lpad(t::text, 3, '0'), 'B' || lpad(((t - 1) % 30 + 1)::text, 2, '0')
             FROM generate_series(1, 300) t`);
  await sql(`INSERT INTO agents (code, name_masked, name_enc, team_code, branch_code, status)
             SELECT 'A' || lpad(a::text, 4, '0'), '业*', 'x', 'T' || lpad(((a - 1) % 300 + 1)::text, 3, '0'),
                    'B' || lpad((((a - 1) % 300) % 30 + 1)::text, 2, '0'),
                    (CASE WHEN a % 10 = 0 THEN 'departed' ELSE 'active' END)::agent_status
             FROM generate_series(1, 3000) a`);
}

export async function generateMonthInProgress(db: Db, n: number, today: CivilDate, step: (label: string, work: () => Promise<unknown>) => Promise<unknown>): Promise<void> {
  const sql = (text: string) => db.raw(text);
  const t = `DATE '${today}'`;
  const first = `(date_trunc('month', ${t}) - interval '2 months')::date`;
  const last = `(date_trunc('month', ${t}) + interval '1 month - 1 day')::date`;
  await referenceData(db);
  await step('plan', () =>
    sql(`CREATE UNLOGGED TABLE bench_plan AS
         SELECT i, o, 'P' || lpad(i::text, 9, '0') AS policy_no,
                ${first} + (h1 % (${last} - ${first} + 1)) AS due_date,
                2 + h2 % 9 AS installment_no, (100 + h3 % 1900) * 1000 AS amount_fen, 1 + h2 % 10 AS product,
                CASE WHEN h4 % 100 < 8 THEN NULL ELSE 1 + h4 % 3000 END AS agent,
                CASE WHEN 1 + h2 % 10 <= 7 THEN 60 ELSE 30 END AS grace_days, 1 + h1 % 8 AS bank, h4,
                CASE WHEN o < 620 THEN 0 WHEN o < 720 THEN 3 WHEN o < 820 THEN 8 + h4 % 20 WHEN o < 860 THEN 7
                     WHEN o < 930 THEN NULL ELSE 15 + h4 % 15 END AS paid_day,
                CASE WHEN o < 720 OR (o >= 820 AND o < 860) THEN 'debit' WHEN o < 820 THEN (CASE WHEN h4 % 2 = 0 THEN 'counter' ELSE 'online' END)
                     WHEN o >= 930 THEN 'transfer' END AS via
         FROM (SELECT i, abs(hashint4(i)) % 1000 AS o, abs(hashint4(i + 1000000007)) AS h1, abs(hashint4(i * 7 + 3)) AS h2,
                      abs(hashint4(i * 13 + 5)) AS h3, abs(hashint4(i * 17 + 11)) AS h4
               FROM generate_series(1, ${n}) i) s`),
  );
  // Where each premium stands today: paid (its payment day has come), lapsed (never pays, grace over), or due.
  await sql(`ALTER TABLE bench_plan ADD COLUMN state text`);
  await sql(`UPDATE bench_plan SET state = CASE WHEN paid_day IS NOT NULL AND due_date + paid_day <= ${t} THEN 'paid'
                                                WHEN paid_day IS NULL AND due_date + grace_days < ${t} THEN 'lapsed' ELSE 'due' END`);
  await step('customers and policies', async () => {
    await sql(`INSERT INTO customers (id, name_masked, name_enc, id_type, id_no_masked, id_no_enc, id_no_hash)
               SELECT i, '客*', 'x', 'ID', '110101********0000', 'x', md5(i::text) FROM bench_plan`);
    await sql(`SELECT setval(pg_get_serial_sequence('customers', 'id'), ${n})`);
    await sql(`INSERT INTO policies (policy_no, product_code, channel, branch_code, agent_code, holder_customer_id, issue_date,
                                      payment_frequency, premium_fen, segment, status)
               SELECT policy_no, 'PR' || product,
                      ((ARRAY['agency','agency','agency','agency','bancassurance','bancassurance','telemarketing','internet','group'])[1 + h4 % 9])::sales_channel,
                      CASE WHEN agent IS NULL THEN 'B' || lpad((1 + i % 30)::text, 2, '0') ELSE 'B' || lpad((((agent - 1) % 300) % 30 + 1)::text, 2, '0') END,
                      CASE WHEN agent IS NULL THEN NULL ELSE 'A' || lpad(agent::text, 4, '0') END,
                      i, due_date - (installment_no - 1) * 365, 'annual', amount_fen, (ARRAY['A', 'B', 'C'])[1 + h4 % 3],
                      (CASE WHEN state = 'lapsed' THEN 'lapsed' WHEN state = 'due' AND due_date < ${t} THEN 'grace' ELSE 'in_force' END)::policy_status
               FROM bench_plan`);
  });
  await step('premium_dues and payments', async () => {
    await sql(`INSERT INTO premium_dues (id, policy_no, due_date, installment_no, amount_fen, status, paid_at, paid_via)
               SELECT ${n} + i, policy_no, due_date - 365, installment_no - 1, amount_fen, 'paid',
                      ((due_date - 365)::timestamp + interval '2 hours') AT TIME ZONE 'UTC', 'debit'
               FROM bench_plan`);
    await sql(`INSERT INTO premium_dues (id, policy_no, due_date, installment_no, amount_fen, status, paid_at, paid_via, workflow_id, run_month)
               SELECT i, policy_no, due_date, installment_no, amount_fen, state::premium_status,
                      CASE WHEN state = 'paid' THEN ((due_date + paid_day)::timestamp + interval '2 hours') AT TIME ZONE 'UTC' END,
                      CASE WHEN state = 'paid' THEN via::payment_via END,
                      'renewal-' || policy_no || '-' || due_date, to_char(due_date, 'YYYY-MM')
               FROM bench_plan`);
    await sql(`SELECT setval(pg_get_serial_sequence('premium_dues', 'id'), ${2 * n})`);
    await sql(`INSERT INTO payments (premium_due_id, amount_fen, via, reference, received_at, reconciled)
               SELECT ${n} + i, amount_fen, 'debit', 'H' || i, ((due_date - 365)::timestamp + interval '2 hours') AT TIME ZONE 'UTC', true
               FROM bench_plan`);
    await sql(`INSERT INTO payments (premium_due_id, amount_fen, via, reference, received_at, reconciled)
               SELECT i, amount_fen, via::payment_via, 'C' || i, ((due_date + paid_day)::timestamp + interval '2 hours') AT TIME ZONE 'UTC', true
               FROM bench_plan WHERE state = 'paid'`);
  });
  await step('debit_attempts', () =>
    sql(`INSERT INTO debit_attempts (premium_due_id, attempt_no, idempotency_key, bank_code, amount_fen, collection_date, status,
                                     reason, customer_fault, workflow_id, run_id, activity_id, submitted_at, resolved_at)
         SELECT p.i, a.no, 'RNW' || p.i || 'A' || a.no, 'BANK' || p.bank, p.amount_fen, p.due_date + a.day,
                (CASE WHEN a.ok THEN 'succeeded' ELSE 'failed' END)::debit_status,
                CASE WHEN a.ok THEN NULL WHEN p.h4 % 10 < 7 THEN 'INSUFFICIENT_FUNDS' WHEN p.h4 % 10 < 9 THEN 'LIMIT_EXCEEDED' ELSE 'BANK_ERROR' END,
                NOT a.ok, 'renewal-' || p.policy_no || '-' || p.due_date, 'r', 'debit-' || a.no,
                ((p.due_date + a.day)::timestamp + interval '1 hour') AT TIME ZONE 'UTC',
                ((p.due_date + a.day)::timestamp + interval '2 hours') AT TIME ZONE 'UTC'
         FROM bench_plan p
         CROSS JOIN LATERAL (
           SELECT g AS no, ${DEBIT_DAYS}[g] AS day,
                  (p.o < 620 AND g = 1) OR (p.o BETWEEN 620 AND 719 AND g = 2) OR (p.o BETWEEN 820 AND 859 AND g = 3) AS ok
           FROM generate_series(1, CASE WHEN p.o < 620 THEN 1 WHEN p.o < 820 THEN 2 WHEN p.o < 860 THEN 3 WHEN p.o < 930 THEN 9 ELSE 3 END) g
         ) a
         WHERE ${DEBIT_DAYS}[a.no] <= p.grace_days AND p.due_date + ${DEBIT_DAYS}[a.no] <= ${t}`),
  );
  // A reminder SMS ten days before the due date, and one more on D+5 while it is unpaid then.
  await step('contact_attempts', () =>
    sql(`INSERT INTO contact_attempts (id, policy_no, due_date, step, channel, template_code, template_version, status, recipient_masked,
                                       provider, workflow_id, run_id, activity_id, planned_at, sent_at)
         SELECT gen_random_uuid(), p.policy_no, p.due_date, c.step, 'sms', c.template, 3,
                (CASE WHEN p.h4 % 20 = 0 THEN 'failed' ELSE 'delivered' END)::contact_attempt_status, '138****0000',
                'aliyun', 'renewal-' || p.policy_no || '-' || p.due_date, 'r', c.step || '/sms',
                ((p.due_date + c.day)::timestamp + interval '1 hour') AT TIME ZONE 'UTC', ((p.due_date + c.day)::timestamp + interval '1 hour') AT TIME ZONE 'UTC'
         FROM bench_plan p
         CROSS JOIN LATERAL (VALUES ('remind_d-10', 'pre_due_reminder', -10), ('grace_d+5', 'debit_failed', 5)) c(step, template, day)
         WHERE p.due_date + c.day <= ${t} AND (c.day < 0 OR p.paid_day IS NULL OR p.paid_day > c.day)`),
  );
  // The call the plan opens on D+7 for a premium still unpaid: open while it is due, done once paid.
  await step('tasks', () =>
    sql(`INSERT INTO tasks (kind, step, policy_no, due_date, assignee_agent_code, assignee_role, due_at, status, outcome_code,
                            workflow_id, run_id, activity_id, created_at, completed_at, priority)
         SELECT 'call', 'call_d+7', policy_no, due_date, CASE WHEN agent IS NULL THEN NULL ELSE 'A' || lpad(agent::text, 4, '0') END,
                (CASE WHEN agent IS NULL THEN 'operations' ELSE 'agent' END)::task_assignee_role,
                ((due_date + 10)::timestamp + interval '1 hour') AT TIME ZONE 'UTC',
                (CASE WHEN state = 'due' THEN 'open' ELSE 'done' END)::task_status, CASE WHEN state = 'due' THEN NULL ELSE 'reached' END,
                'renewal-' || policy_no || '-' || due_date, 'r', 'task-call_d+7',
                ((due_date + 7)::timestamp + interval '1 hour') AT TIME ZONE 'UTC',
                CASE WHEN state <> 'due' THEN ((due_date + coalesce(paid_day, grace_days + 1))::timestamp + interval '2 hours') AT TIME ZONE 'UTC' END,
                LEAST(100, (CASE WHEN amount_fen >= 1000000 THEN 30 WHEN amount_fen >= 500000 THEN 20 ELSE 10 END)
                            + (CASE WHEN due_date + grace_days - ${t} <= 7 THEN 40 WHEN due_date + grace_days - ${t} <= 15 THEN 30
                                    WHEN due_date + grace_days - ${t} <= 30 THEN 20 ELSE 10 END)
                            + (ARRAY[20, 10, 0])[1 + h4 % 3])
         FROM bench_plan WHERE due_date + 7 <= ${t} AND (paid_day IS NULL OR paid_day > 7)`),
  );
  await step('suspensions and their audit rows', async () => {
    await sql(`INSERT INTO suspensions (policy_no, premium_due_id, lapsed_due_date, suspended_at, suspension_date, window_closes_on,
                                         annual_premium_fen, high_value, workflow_id)
               SELECT policy_no, i, due_date, (due_date + grace_days + 1)::timestamp AT TIME ZONE 'UTC' - interval '8 hours',
                      due_date + grace_days + 1, due_date + grace_days + 1 + 730, amount_fen, amount_fen >= 1000000,
                      'renewal-' || policy_no || '-' || due_date
               FROM bench_plan WHERE state = 'lapsed'`);
    // Through the real chain trigger (seq and hashes assigned row by row).
    await sql(`INSERT INTO audit_events (seq, kind, actor, policy_no, due_date, occurred_at, detail, prev_hash, hash)
               SELECT 0, 'policy_suspended', 'bench', policy_no, due_date,
                      (due_date + grace_days + 1)::timestamp AT TIME ZONE 'UTC' - interval '8 hours', '{"nonPaymentReason": 8}', '', ''
               FROM bench_plan WHERE state = 'lapsed' ORDER BY i`);
  });
  await sql('DROP TABLE bench_plan');
  await step('ANALYZE', () => sql('ANALYZE'));
}
