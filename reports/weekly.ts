import type { Knex } from 'knex';
import { shanghaiInstant, type CivilDate } from '../domain/civil-date';
import { fraction, type Fraction } from '../domain/kpis';
import { nonPaymentReasonOf } from '../domain/lapse-reasons';
import { NON_PAYMENT_REASONS } from '../domain/non-payment-reasons';
import { addDays } from '../domain/civil-date';
import { isIsoWeek, weekDays, type IsoWeek } from '../domain/weeks';
import { contactOutcomes, debitResults, type DailyReport, type Span } from './daily';
import { collectedBySql, endOfDay, suspensionsSql, todayInShanghai } from './monthly-figures';
import { columns, whole, type ReportSection, type TabularReport } from './report';

/**
 * The weekly report for one ISO week (Monday 00:00 to Sunday 24:00 Asia/Shanghai), from PostgreSQL,
 * as it stood at the end of the week (or now, for the week in progress). docs/business-rules.md#weekly-report:
 *
 * - Due in the week: premiums with a due date in the week, not waived; collected = a payment standing
 *   at the end of the week (the monthly report's definition, collectedBySql); rates by case and premium.
 * - Collected in the week: premiums (any due date) whose standing payment was received during the week, by how.
 * - Debits by outcome and reason, and by bank; contacts by channel: as the daily report counts a day.
 * - Tasks opened (task_opened event, else created), completed (done), settled with their premium (settled) and
 *   cancelled during the week, by kind; open at the end.
 * - Lapses: premiums whose policy was suspended during the week, by non-payment reason.
 */
export interface WeeklyReport extends TabularReport {
  kind: 'weekly';
  week: IsoWeek;
  first: CivilDate;
  last: CivilDate;
  /** The last day counted: Sunday, or today for the week in progress. */
  through: CivilDate;
  due: { cases: number; premiumFen: number; collectedCases: number; collectedPremiumFen: number; byCase: Fraction; byPremium: Fraction };
  collectedInWeek: { via: string; cases: number; premiumFen: number }[];
  debitsByReason: DailyReport['debitsByReason'];
  debitsByBank: DailyReport['debitsByBank'];
  contactsByChannel: DailyReport['contactsByChannel'];
  tasks: { kind: string; opened: number; completed: number; settled: number; cancelled: number; openAtEnd: number }[];
  lapses: { reason: number; cases: number; premiumFen: number }[];
}

export async function weeklyReport(db: Knex, week: IsoWeek, options: { today?: CivilDate } = {}): Promise<WeeklyReport> {
  if (!isIsoWeek(week)) throw new RangeError(`week must be YYYY-Www, got ${JSON.stringify(week)}`);
  const { first, last } = weekDays(week);
  const today = options.today ?? todayInShanghai();
  const through = last < today ? last : today < first ? first : today;
  const span: Span = { start: new Date(shanghaiInstant(first)).toISOString(), end: endOfDay(through) };
  const figures = await db.transaction(
    async (trx) => {
      const debits = await debitResults(trx, span);
      const contacts = await contactOutcomes(trx, span);
      return {
        due: await dueInWeek(trx, first, span),
        collectedInWeek: await collectedInWeek(trx, span),
        debitsByReason: debits.debitsByReason,
        debitsByBank: debits.debitsByBank,
        contactsByChannel: contacts.contactsByChannel,
        tasks: await taskMovements(trx, span),
        lapses: await lapsesInWeek(trx, span),
      };
    },
    { isolationLevel: 'repeatable read', readOnly: true },
  );
  const report: Omit<WeeklyReport, 'sections'> = {
    kind: 'weekly',
    title: `续期收费周报 Weekly renewal collection report ${week}`,
    parameters: { week, from: first, to: last, through, generatedAt: new Date().toISOString() },
    week,
    first,
    last,
    through,
    ...figures,
  };
  return { ...report, sections: weeklySections(report) };
}

async function dueInWeek(db: Knex, first: CivilDate, span: Span): Promise<WeeklyReport['due']> {
  const { rows } = await db.raw<{ rows: Record<string, unknown>[] }>(
    `
    WITH lapse AS (${suspensionsSql('e.due_date >= :first AND e.due_date < :next AND e.occurred_at < CAST(:end AS timestamptz)')}),
    due AS (
      SELECT d.id, d.amount_fen,
        EXISTS (SELECT 1 FROM payments y WHERE y.premium_due_id = d.id
                AND ${collectedBySql('y', 'CAST(:end AS timestamptz)', 'l.lapsed_at')}) AS collected
      FROM premium_dues d
      LEFT JOIN lapse l ON l.policy_no = d.policy_no AND l.due_date = d.due_date
      WHERE d.due_date >= :first AND d.due_date < :next AND d.status <> 'waived'
    )
    SELECT count(*) AS cases, sum(amount_fen) AS premium,
      count(*) FILTER (WHERE collected) AS collected_cases, sum(amount_fen) FILTER (WHERE collected) AS collected_premium
    FROM due
    `,
    { first, next: addDays(first, 7), end: span.end },
  );
  const r = rows[0] ?? {};
  const cases = whole(r.cases);
  const premiumFen = whole(r.premium);
  const collectedCases = whole(r.collected_cases);
  const collectedPremiumFen = whole(r.collected_premium);
  return { cases, premiumFen, collectedCases, collectedPremiumFen, byCase: fraction(collectedCases, cases), byPremium: fraction(collectedPremiumFen, premiumFen) };
}

async function collectedInWeek(db: Knex, span: Span): Promise<WeeklyReport['collectedInWeek']> {
  const { rows } = await db.raw<{ rows: Record<string, unknown>[] }>(
    `
    WITH received AS (
      SELECT DISTINCT ON (d.id) d.id, d.amount_fen, y.via::text AS via
      FROM payments y
      JOIN premium_dues d ON d.id = y.premium_due_id
      LEFT JOIN LATERAL (${suspensionsSql('e.policy_no = d.policy_no AND e.due_date = d.due_date')}) l ON true
      WHERE y.received_at >= CAST(:start AS timestamptz) AND y.received_at < CAST(:end AS timestamptz)
        AND ${collectedBySql('y', 'CAST(:end AS timestamptz)', 'l.lapsed_at')}
      ORDER BY d.id, y.received_at
    )
    SELECT via, count(*) AS cases, sum(amount_fen) AS premium FROM received GROUP BY via ORDER BY via
    `,
    span,
  );
  return rows.map((r) => ({ via: r.via as string, cases: whole(r.cases), premiumFen: whole(r.premium) }));
}

/**
 * A task was opened at its `task_opened` audit event (the cycle's business time, which is also the
 * simulator's clock), else when its row was written.
 */
async function taskMovements(db: Knex, span: Span): Promise<WeeklyReport['tasks']> {
  const { rows } = await db.raw<{ rows: Record<string, unknown>[] }>(
    `
    WITH task AS (
      SELECT t.kind::text AS kind, t.status, t.completed_at,
        coalesce((SELECT min(e.occurred_at) FROM audit_events e
                  WHERE e.kind = 'task_opened' AND e.policy_no = t.policy_no AND e.due_date = t.due_date
                    AND e.detail->>'taskId' = CAST(t.id AS text)), t.created_at) AS opened_at
      FROM tasks t
      WHERE t.completed_at IS NULL OR t.completed_at >= CAST(:start AS timestamptz)
    )
    SELECT kind,
      count(*) FILTER (WHERE opened_at >= CAST(:start AS timestamptz)) AS opened,
      count(*) FILTER (WHERE status = 'done' AND completed_at < CAST(:end AS timestamptz)) AS completed,
      count(*) FILTER (WHERE status = 'settled' AND completed_at < CAST(:end AS timestamptz)) AS settled,
      count(*) FILTER (WHERE status = 'cancelled' AND completed_at < CAST(:end AS timestamptz)) AS cancelled,
      count(*) FILTER (WHERE completed_at IS NULL OR completed_at >= CAST(:end AS timestamptz)) AS open_at_end
    FROM task
    WHERE opened_at < CAST(:end AS timestamptz)
    GROUP BY kind ORDER BY kind
    `,
    span,
  );
  return rows.map((r) => ({ kind: r.kind as string, opened: whole(r.opened), completed: whole(r.completed), settled: whole(r.settled), cancelled: whole(r.cancelled), openAtEnd: whole(r.open_at_end) }));
}

async function lapsesInWeek(db: Knex, span: Span): Promise<WeeklyReport['lapses']> {
  const { rows } = await db.raw<{ rows: Record<string, unknown>[] }>(
    `
    WITH lapse AS (${suspensionsSql('true')})
    SELECT l.reason, d.amount_fen
    FROM lapse l JOIN premium_dues d ON d.policy_no = l.policy_no AND d.due_date = l.due_date
    WHERE l.lapsed_at >= CAST(:start AS timestamptz) AND l.lapsed_at < CAST(:end AS timestamptz)
    `,
    span,
  );
  const byReason = new Map<number, { reason: number; cases: number; premiumFen: number }>();
  for (const r of rows) {
    const reason = nonPaymentReasonOf(r.reason);
    const t = byReason.get(reason) ?? { reason, cases: 0, premiumFen: 0 };
    t.cases += 1;
    t.premiumFen += whole(r.amount_fen);
    byReason.set(reason, t);
  }
  return [...byReason.values()].sort((a, b) => b.cases - a.cases || b.premiumFen - a.premiumFen || a.reason - b.reason);
}

const OUTCOME_LABELS: Record<string, string> = { succeeded: '成功 succeeded', failed: '失败 failed', returned: '退回 returned' };

function weeklySections(r: Omit<WeeklyReport, 'sections'>): ReportSection[] {
  const outcomes = ['succeeded', 'failed', 'returned'] as const;
  const reasonName = (code: number) => {
    const name = NON_PAYMENT_REASONS[code as keyof typeof NON_PAYMENT_REASONS];
    return `${code} ${name.zh} ${name.en}`;
  };
  return [
    {
      key: 'due',
      title: '本周应收 Premiums due in the week',
      note: `Due ${r.first} … ${r.last}, waived excluded. Collected: a payment standing at the end of ${r.through} (Asia/Shanghai), received before any lapse.`,
      columns: columns(
        ['cases_due', '应收件数 Cases due', 'count'],
        ['cases_collected', '实收件数 Cases collected', 'count'],
        ['case_rate', '件数达成率 Rate by case', 'rate'],
        ['premium_due', '应收保费 Premium due (元)', 'money'],
        ['premium_collected', '实收保费 Premium collected (元)', 'money'],
        ['premium_rate', '保费达成率 Rate by premium', 'rate'],
      ),
      rows: [
        {
          cases_due: r.due.cases,
          cases_collected: r.due.collectedCases,
          case_rate: r.due.byCase,
          premium_due: r.due.premiumFen,
          premium_collected: r.due.collectedPremiumFen,
          premium_rate: r.due.byPremium,
        },
      ],
    },
    {
      key: 'collected',
      title: '本周实收 Premiums collected during the week',
      note: 'Premiums of any due date whose payment was received in the week and still stood at its end, by how it was paid.',
      columns: columns(['via', '缴费方式 Paid via', 'text'], ['cases', '件数 Cases', 'count'], ['premium', '保费 Premium (元)', 'money']),
      rows: [
        ...r.collectedInWeek.map((c) => ({ via: c.via, cases: c.cases, premium: c.premiumFen })),
        { via: '合计 Total', cases: r.collectedInWeek.reduce((s, c) => s + c.cases, 0), premium: r.collectedInWeek.reduce((s, c) => s + c.premiumFen, 0) },
      ],
    },
    {
      key: 'debits',
      title: '扣款结果 Debits by outcome',
      note: 'Bank answers recorded during the week; returns by their return reason.',
      columns: columns(['outcome', '结果 Outcome', 'text'], ['reason', '原因 Reason', 'text'], ['attempts', '笔数 Attempts', 'count'], ['amount', '金额 Amount (元)', 'money']),
      rows: outcomes.flatMap((outcome) => {
        const of = r.debitsByReason.filter((d) => d.outcome === outcome);
        return [
          { outcome: OUTCOME_LABELS[outcome] ?? outcome, reason: '合计 all', attempts: of.reduce((s, d) => s + d.attempts, 0), amount: of.reduce((s, d) => s + d.amountFen, 0) },
          ...of.filter((d) => d.reason !== null).map((d) => ({ outcome: OUTCOME_LABELS[outcome] ?? outcome, reason: d.reason ?? '', attempts: d.attempts, amount: d.amountFen })),
        ];
      }),
    },
    {
      key: 'debits_by_bank',
      title: '扣款结果（按银行）Debits by bank',
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
      note: 'Contacts planned during the week, by their current status (sent = awaiting a delivery receipt).',
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
      key: 'tasks',
      title: '任务 Tasks opened and completed',
      note: 'Opened, completed (done), settled with their premium or cycle, and cancelled during the week, by kind; open at the end of the week.',
      columns: columns(
        ['kind', '类型 Kind', 'text'],
        ['opened', '新建 Opened', 'count'],
        ['completed', '完成 Completed', 'count'],
        ['settled', '随保费了结 Settled', 'count'],
        ['cancelled', '取消 Cancelled', 'count'],
        ['open_at_end', '周末未结 Open at end', 'count'],
      ),
      rows: [
        ...r.tasks.map((t) => ({ kind: t.kind, opened: t.opened, completed: t.completed, settled: t.settled, cancelled: t.cancelled, open_at_end: t.openAtEnd })),
        {
          kind: '合计 Total',
          opened: r.tasks.reduce((s, t) => s + t.opened, 0),
          completed: r.tasks.reduce((s, t) => s + t.completed, 0),
          settled: r.tasks.reduce((s, t) => s + t.settled, 0),
          cancelled: r.tasks.reduce((s, t) => s + t.cancelled, 0),
          open_at_end: r.tasks.reduce((s, t) => s + t.openAtEnd, 0),
        },
      ],
    },
    {
      key: 'lapses',
      title: '失效 Lapses in the week',
      note: 'Premiums whose policy was suspended (效力中止) during the week, by the non-payment reason recorded.',
      columns: columns(['reason', '未缴原因 Non-payment reason', 'text'], ['cases', '件数 Cases', 'count'], ['premium', '保费 Premium (元)', 'money']),
      rows: [
        ...r.lapses.map((l) => ({ reason: reasonName(l.reason), cases: l.cases, premium: l.premiumFen })),
        { reason: '合计 Total', cases: r.lapses.reduce((s, l) => s + l.cases, 0), premium: r.lapses.reduce((s, l) => s + l.premiumFen, 0) },
      ],
    },
  ];
}
