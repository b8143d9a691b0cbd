import type { Knex } from 'knex';
import { addDays, isCivilDate, shanghaiDate, shanghaiInstant, type CivilDate } from '../domain/civil-date';
import { IN_FLIGHT_STATUSES } from '../domain/debit-outcome';
import { fraction } from '../domain/kpis';
import { endOfDay } from './monthly-figures';
import { columns, whole, type ReportSection, type TabularReport } from './report';

/**
 * The daily report for one Shanghai civil day D (00:00 to 24:00 Asia/Shanghai), from PostgreSQL:
 *
 * - Debit results: answers recorded during D (debit_attempts.resolved_at for successes and failures,
 *   returned_at for returns), by outcome and normalised reason, and by bank.
 * - Contacts: attempts planned for D (contact_attempts.planned_at, the cycle's business time), by
 *   channel and their current status; suppressed ones also by the rule that stopped them.
 * - Grace: entered = premiums due D−1 (grace runs D+1 … D+grace days), not waived, unpaid at the
 *   start of D (no payment received earlier and not reversed by then); left paid = premiums whose
 *   payment was received during D, inside their grace period, still not reversed, with no earlier
 *   standing payment; left lapsed = policy_suspended audit events during D.
 * - Money: payments received during D (their paid-at) by way, each part counted, money put in the suspense ledger
 *   during D by reason, and suspensions undone during D by a payment made within grace
 *   (docs/business-rules.md#payment-amounts).
 * - Exceptions: what the database holds open now that had begun by the end of D: open operations
 *   tasks, open fix_account / fix_contact tasks, debits still in flight that went out before D
 *   (more than a day), and debits whose result is unknown.
 */
export interface DailyReport extends TabularReport {
  kind: 'daily';
  date: CivilDate;
  debitsByReason: { outcome: 'succeeded' | 'failed' | 'returned'; reason: string | null; attempts: number; amountFen: number }[];
  debitsByBank: { bankCode: string; succeeded: number; failed: number; returned: number; amountCollectedFen: number }[];
  contactsByChannel: { channel: string; attempts: number; delivered: number; sent: number; failed: number; suppressed: number; pending: number }[];
  suppressedByRule: { channel: string; rule: string; attempts: number }[];
  grace: { movement: 'entered' | 'left_paid' | 'left_lapsed'; via: string | null; cases: number; premiumFen: number }[];
  money: { movement: MoneyMovement; kind: string; cases: number; amountFen: number }[];
  exceptionSummary: { exception: ExceptionKind; count: number; oldestSince: CivilDate | null }[];
  exceptions: { exception: ExceptionKind; policyNo: string; dueDate: CivilDate; detail: string; since: CivilDate | null }[];
}

/** What happened to money during the day: received on a premium, put in suspense, a suspension undone. */
export type MoneyMovement = 'received' | 'suspense' | 'suspension_undone';

/** Every kind the summary lists, in its order. */
const EXCEPTION_KINDS = ['debit_in_flight_over_1_day', 'debit_result_unknown', 'fix_account_task', 'fix_contact_task', 'operations_task'] as const;
export type ExceptionKind = (typeof EXCEPTION_KINDS)[number];

/** The exception list is for working through; the summary counts all of them. */
export const EXCEPTION_LIST_LIMIT = 1000;

export async function dailyReport(db: Knex, date: CivilDate): Promise<DailyReport> {
  if (!isCivilDate(date)) throw new RangeError(`date must be YYYY-MM-DD, got ${JSON.stringify(date)}`);
  const day = { start: new Date(shanghaiInstant(date)).toISOString(), end: endOfDay(date) };
  // One snapshot: a payment landing meanwhile cannot show in one section and not in another.
  const { debits, contacts, grace, money, exceptions } = await db.transaction(
    async (trx) => ({
      debits: await debitResults(trx, day),
      contacts: await contactOutcomes(trx, day),
      grace: await graceMovements(trx, date, day),
      money: await moneyMovements(trx, day),
      exceptions: await openExceptions(trx, day),
    }),
    { isolationLevel: 'repeatable read', readOnly: true },
  );
  const report: Omit<DailyReport, 'sections'> = {
    kind: 'daily',
    date,
    title: `续期收费日报 Daily renewal report ${date}`,
    parameters: { date, generatedAt: new Date().toISOString() },
    ...debits,
    ...contacts,
    grace,
    money,
    ...exceptions,
  };
  return { ...report, sections: dailySections(report) };
}

/** Payments received (paid) during the day, and suspense entries and undone suspensions recorded during it. */
export async function moneyMovements(db: Knex, day: Span): Promise<DailyReport['money']> {
  const { rows } = await db.raw<{ rows: { movement: MoneyMovement; kind: string; cases: string; amount: string | null }[] }>(
    `
    SELECT 'received' AS movement, p.via::text AS kind, count(*) AS cases, sum(p.amount_fen) AS amount
    FROM payments p
    WHERE p.received_at >= CAST(:start AS timestamptz) AND p.received_at < CAST(:end AS timestamptz)
    GROUP BY p.via
    UNION ALL
    SELECT 'suspense', e.reason, count(*), sum(e.amount_fen)
    FROM suspense_entries e
    WHERE e.created_at >= CAST(:start AS timestamptz) AND e.created_at < CAST(:end AS timestamptz)
    GROUP BY e.reason
    UNION ALL
    SELECT 'suspension_undone', 'paid_within_grace', count(*), sum(d.amount_fen)
    FROM suspensions s JOIN premium_dues d ON d.id = s.premium_due_id
    WHERE s.outcome = 'undone' AND s.outcome_at >= CAST(:start AS timestamptz) AND s.outcome_at < CAST(:end AS timestamptz)
    HAVING count(*) > 0
    ORDER BY 1, 2
    `,
    day,
  );
  return rows.map((r) => ({ movement: r.movement, kind: r.kind, cases: whole(r.cases), amountFen: whole(r.amount) }));
}

/** A span of time [start, end) as ISO instants: a day here, a week in reports/weekly.ts. A type alias (not an interface) so it passes as knex's named bindings. */
export type Span = { start: string; end: string };
type Day = Span;

export async function debitResults(db: Knex, day: Span): Promise<Pick<DailyReport, 'debitsByReason' | 'debitsByBank'>> {
  const { rows } = await db.raw<{ rows: Record<string, unknown>[] }>(
    `
    WITH answer AS (
      SELECT CASE WHEN a.status = 'failed' THEN 'failed' ELSE 'succeeded' END AS outcome,
             CASE WHEN a.status = 'failed' THEN coalesce(a.reason, 'UNKNOWN') END AS reason,
             a.bank_code, a.amount_fen
      FROM debit_attempts a
      WHERE a.status IN ('succeeded', 'failed', 'returned')
        AND a.resolved_at >= CAST(:start AS timestamptz) AND a.resolved_at < CAST(:end AS timestamptz)
      UNION ALL
      SELECT 'returned', coalesce(a.reason, 'UNKNOWN'), a.bank_code, a.amount_fen
      FROM debit_attempts a
      WHERE a.returned_at >= CAST(:start AS timestamptz) AND a.returned_at < CAST(:end AS timestamptz)
    )
    SELECT grouping(bank_code) = 0 AS by_bank, outcome, reason, bank_code,
      count(*) AS attempts, sum(amount_fen) AS amount,
      count(*) FILTER (WHERE outcome = 'succeeded') AS succeeded,
      count(*) FILTER (WHERE outcome = 'failed') AS failed,
      count(*) FILTER (WHERE outcome = 'returned') AS returned,
      sum(amount_fen) FILTER (WHERE outcome = 'succeeded') AS collected
    FROM answer
    GROUP BY GROUPING SETS ((outcome, reason), (bank_code))
    ORDER BY by_bank, outcome DESC, reason NULLS FIRST, bank_code
    `,
    day,
  );
  return {
    debitsByReason: rows
      .filter((r) => !r.by_bank)
      .map((r) => ({
        outcome: r.outcome as 'succeeded' | 'failed' | 'returned',
        reason: (r.reason as string | null) ?? null,
        attempts: whole(r.attempts),
        amountFen: whole(r.amount),
      })),
    debitsByBank: rows
      .filter((r) => r.by_bank)
      .map((r) => ({
        bankCode: r.bank_code as string,
        succeeded: whole(r.succeeded),
        failed: whole(r.failed),
        returned: whole(r.returned),
        amountCollectedFen: whole(r.collected),
      })),
  };
}

export async function contactOutcomes(db: Knex, day: Span): Promise<Pick<DailyReport, 'contactsByChannel' | 'suppressedByRule'>> {
  const { rows } = await db.raw<{ rows: Record<string, unknown>[] }>(
    `
    SELECT grouping(suppressed_rule) = 0 AS by_rule, channel::text AS channel, suppressed_rule,
      count(*) AS attempts,
      count(*) FILTER (WHERE status = 'delivered') AS delivered,
      count(*) FILTER (WHERE status = 'sent') AS sent,
      count(*) FILTER (WHERE status = 'failed') AS failed,
      count(*) FILTER (WHERE status = 'suppressed') AS suppressed,
      count(*) FILTER (WHERE status = 'pending') AS pending
    FROM contact_attempts
    WHERE planned_at >= CAST(:start AS timestamptz) AND planned_at < CAST(:end AS timestamptz)
    GROUP BY GROUPING SETS ((channel), (channel, suppressed_rule))
    ORDER BY by_rule, channel, suppressed_rule
    `,
    day,
  );
  return {
    contactsByChannel: rows
      .filter((r) => !r.by_rule)
      .map((r) => ({
        channel: r.channel as string,
        attempts: whole(r.attempts),
        delivered: whole(r.delivered),
        sent: whole(r.sent),
        failed: whole(r.failed),
        suppressed: whole(r.suppressed),
        pending: whole(r.pending),
      })),
    suppressedByRule: rows
      .filter((r) => r.by_rule && r.suppressed_rule !== null)
      .map((r) => ({ channel: r.channel as string, rule: r.suppressed_rule as string, attempts: whole(r.attempts) })),
  };
}

async function graceMovements(db: Knex, date: CivilDate, day: Day): Promise<DailyReport['grace']> {
  const { rows } = await db.raw<{ rows: Record<string, unknown>[] }>(
    `
    WITH entered AS (
      SELECT d.amount_fen FROM premium_dues d
      WHERE d.due_date = :dueYesterday AND d.status <> 'waived'
        AND NOT EXISTS (
          SELECT 1 FROM payments y WHERE y.premium_due_id = d.id AND y.received_at < CAST(:start AS timestamptz)
            AND (y.reversed_at IS NULL OR y.reversed_at >= CAST(:start AS timestamptz)))
    ),
    paid AS (
      SELECT DISTINCT ON (d.id) d.amount_fen, y.via::text AS via
      FROM payments y
      JOIN premium_dues d ON d.id = y.premium_due_id
      JOIN policies p ON p.policy_no = d.policy_no
      JOIN products r ON r.code = p.product_code
      WHERE y.received_at >= CAST(:start AS timestamptz) AND y.received_at < CAST(:end AS timestamptz)
        AND y.reversed_at IS NULL
        AND CAST(:date AS date) BETWEEN d.due_date + 1 AND d.due_date + r.grace_days
        AND NOT EXISTS (
          SELECT 1 FROM payments e WHERE e.premium_due_id = d.id AND e.received_at < CAST(:start AS timestamptz)
            AND (e.reversed_at IS NULL OR e.reversed_at >= CAST(:start AS timestamptz)))
      ORDER BY d.id, y.received_at
    ),
    lapsed AS (
      SELECT DISTINCT ON (e.policy_no, e.due_date) d.amount_fen
      FROM audit_events e
      JOIN premium_dues d ON d.policy_no = e.policy_no AND d.due_date = e.due_date
      WHERE e.kind = 'policy_suspended'
        AND e.occurred_at >= CAST(:start AS timestamptz) AND e.occurred_at < CAST(:end AS timestamptz)
    )
    SELECT movement, via, cases, premium FROM (
      SELECT 1 AS ord, 'entered' AS movement, NULL AS via, count(*) AS cases, sum(amount_fen) AS premium FROM entered
      UNION ALL
      SELECT 2, 'left_paid', via, count(*), sum(amount_fen) FROM paid GROUP BY via
      UNION ALL
      -- A day without grace payments still says so, as entered and lapsed do.
      SELECT 2, 'left_paid', NULL, 0, 0 WHERE NOT EXISTS (SELECT 1 FROM paid)
      UNION ALL
      SELECT 3, 'left_lapsed', NULL, count(*), sum(amount_fen) FROM lapsed
    ) m ORDER BY ord, via
    `,
    { ...day, date, dueYesterday: addDays(date, -1) },
  );
  return rows.map((r) => ({
    movement: r.movement as DailyReport['grace'][number]['movement'],
    via: (r.via as string | null) ?? null,
    cases: whole(r.cases),
    premiumFen: whole(r.premium),
  }));
}

async function openExceptions(db: Knex, day: Day): Promise<Pick<DailyReport, 'exceptionSummary' | 'exceptions'>> {
  const found = `
    WITH exception AS (
      SELECT CASE t.kind WHEN 'fix_account' THEN 'fix_account_task' WHEN 'fix_contact' THEN 'fix_contact_task' ELSE 'operations_task' END AS exception,
             t.policy_no, t.due_date, t.kind || ' ' || t.step || ' (' || t.assignee_role || ')' AS detail, t.due_at AS since
      FROM tasks t
      WHERE t.status = 'open' AND t.due_at < CAST(:end AS timestamptz)
        AND (t.assignee_role = 'operations' OR t.kind IN ('fix_account', 'fix_contact'))
      UNION ALL
      SELECT CASE WHEN a.status = 'unknown' THEN 'debit_result_unknown' ELSE 'debit_in_flight_over_1_day' END,
             d.policy_no, d.due_date,
             a.bank_code || ' attempt ' || a.attempt_no || ' ' || a.status || coalesce(' ' || a.raw_code, ''),
             coalesce(a.submitted_at, CAST(a.collection_date AS timestamp) AT TIME ZONE 'UTC' - interval '8 hours')
      FROM debit_attempts a
      JOIN premium_dues d ON d.id = a.premium_due_id
      WHERE a.status IN (${IN_FLIGHT_STATUSES.map((status) => `'${status}'`).join(', ')})
        AND coalesce(a.submitted_at, CAST(a.collection_date AS timestamp) AT TIME ZONE 'UTC' - interval '8 hours')
            < CAST(CASE WHEN a.status = 'unknown' THEN :end ELSE :start END AS timestamptz)
    )`;
  const summary = await db.raw<{ rows: Record<string, unknown>[] }>(
    `${found} SELECT exception, count(*) AS n, min(since) AS oldest FROM exception GROUP BY exception ORDER BY exception`,
    day,
  );
  const list = await db.raw<{ rows: Record<string, unknown>[] }>(
    `${found} SELECT * FROM exception ORDER BY since, policy_no, exception LIMIT ${EXCEPTION_LIST_LIMIT}`,
    day,
  );
  const civil = (value: unknown) => (value instanceof Date ? shanghaiDate(value.getTime()) : null);
  return {
    // Every kind, none as 0: a clear day reads as clear, not as a section left out.
    exceptionSummary: EXCEPTION_KINDS.map((exception) => {
      const found = summary.rows.find((r) => r.exception === exception);
      return { exception, count: found ? whole(found.n) : 0, oldestSince: found ? civil(found.oldest) : null };
    }),
    exceptions: list.rows.map((r) => ({
      exception: r.exception as ExceptionKind,
      policyNo: r.policy_no as string,
      dueDate: r.due_date as string,
      detail: r.detail as string,
      since: civil(r.since),
    })),
  };
}

const MONEY_LABELS: Record<MoneyMovement, string> = {
  received: '收款 Received',
  suspense: '暂收 Suspense',
  suspension_undone: '撤销中止 Suspension undone',
};

const GRACE_LABELS: Record<DailyReport['grace'][number]['movement'], string> = {
  entered: '进入宽限期 entered grace',
  left_paid: '宽限期内缴费 left grace: paid',
  left_lapsed: '效力中止 left grace: lapsed',
};

function dailySections(r: Omit<DailyReport, 'sections'>): ReportSection[] {
  return [
    {
      key: 'debits_by_reason',
      title: '扣款结果（按原因）Debit results by reason',
      note: 'Bank answers recorded during the day; returns by their return reason.',
      columns: columns(['outcome', '结果 Outcome', 'text'], ['reason', '原因 Reason', 'text'], ['attempts', '笔数 Attempts', 'count'], ['amount', '金额 Amount (元)', 'money']),
      rows: r.debitsByReason.map((d) => ({ outcome: d.outcome, reason: d.reason ?? '', attempts: d.attempts, amount: d.amountFen })),
    },
    {
      key: 'debits_by_bank',
      title: '扣款结果（按银行）Debit results by bank',
      columns: columns(
        ['bank', '银行 Bank', 'text'],
        ['succeeded', '成功 Succeeded', 'count'],
        ['failed', '失败 Failed', 'count'],
        ['returned', '退回 Returned', 'count'],
        ['success_rate', '成功率 Success rate', 'rate'],
        ['collected', '扣款金额 Collected (元)', 'money'],
      ),
      rows: r.debitsByBank.map((b) => ({
        bank: b.bankCode,
        succeeded: b.succeeded,
        failed: b.failed,
        returned: b.returned,
        success_rate: fraction(b.succeeded, b.succeeded + b.failed),
        collected: b.amountCollectedFen,
      })),
    },
    {
      key: 'contacts',
      title: '触达（按渠道）Contacts by channel',
      note: 'Contacts planned for the day, by their current status (sent = awaiting a delivery receipt).',
      columns: columns(
        ['channel', '渠道 Channel', 'text'],
        ['attempts', '计划 Planned', 'count'],
        ['delivered', '送达 Delivered', 'count'],
        ['sent', '已发送 Sent', 'count'],
        ['failed', '失败 Failed', 'count'],
        ['suppressed', '抑制 Suppressed', 'count'],
        ['pending', '待发 Pending', 'count'],
      ),
      rows: r.contactsByChannel.map((c) => ({ ...c })),
    },
    {
      key: 'suppressed',
      title: '抑制（按规则）Suppressed contacts by rule',
      columns: columns(['channel', '渠道 Channel', 'text'], ['rule', '规则 Rule', 'text'], ['attempts', '次数 Contacts', 'count']),
      rows: r.suppressedByRule.map((s) => ({ ...s })),
    },
    {
      key: 'grace',
      title: '宽限期变动 Grace period in and out',
      columns: columns(['movement', '变动 Movement', 'text'], ['via', '缴费方式 Paid via', 'text'], ['cases', '件数 Cases', 'count'], ['premium', '保费 Premium (元)', 'money']),
      rows: r.grace.map((g) => ({ movement: GRACE_LABELS[g.movement], via: g.via ?? '', cases: g.cases, premium: g.premiumFen })),
    },
    {
      key: 'money',
      title: '资金变动 Money received',
      note: 'Payments received during the day (when paid) by way, a part payment counting as one; money put in the suspense ledger, and suspensions undone by a payment made within grace, recorded during the day.',
      columns: columns(['movement', '变动 Movement', 'text'], ['kind', '类别 Kind', 'text'], ['cases', '笔数 Cases', 'count'], ['amount', '金额 Amount (元)', 'money']),
      rows: r.money.map((m) => ({ movement: MONEY_LABELS[m.movement], kind: m.kind, cases: m.cases, amount: m.amountFen })),
    },
    {
      key: 'exception_summary',
      title: '异常汇总 Exceptions',
      note: 'Open now and begun by the end of the day.',
      columns: columns(['exception', '异常 Exception', 'text'], ['count', '件数 Count', 'count'], ['oldest', '最早 Oldest since', 'date']),
      rows: r.exceptionSummary.map((e) => ({ exception: e.exception, count: e.count, oldest: e.oldestSince })),
    },
    {
      key: 'exceptions',
      title: '异常清单 Exception list',
      note: `Oldest first, at most ${EXCEPTION_LIST_LIMIT} rows.`,
      columns: columns(
        ['exception', '异常 Exception', 'text'],
        ['policy_no', '保单号 Policy', 'text'],
        ['due_date', '应缴日 Due date', 'date'],
        ['detail', '说明 Detail', 'text'],
        ['since', '开始 Since', 'date'],
      ),
      rows: r.exceptions.map((e) => ({ exception: e.exception, policy_no: e.policyNo, due_date: e.dueDate, detail: e.detail, since: e.since })),
    },
  ];
}
