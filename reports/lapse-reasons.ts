import type { Knex } from 'knex';
import { shanghaiInstant } from '../domain/civil-date';
import { REASON_RULES, type DebitReason } from '../domain/debit-reasons';
import { fraction } from '../domain/kpis';
import { rankReasons, tallyReasons, type RankedReason } from '../domain/lapse-reasons';
import { addMonths, firstDayOf, isMonth, type Month } from '../domain/months';
import { formatPercent } from '../domain/kpis';
import { NON_PAYMENT_REASONS } from '../domain/non-payment-reasons';
import { collectedBySql, suspensionsSql } from './monthly-figures';
import { columns, whole, type TabularReport } from './report';

/**
 * Why premiums were not paid in a month (未缴原因), ranked, the top three highlighted
 * (docs/business-rules.md#lapse-reasons). Two kinds of premium, each once:
 *
 * - lapsed in the month: its policy was suspended for it during the month (Asia/Shanghai); the
 *   reason is the one the suspension recorded (the customer's refusal reason, else 11 other);
 * - refused and unpaid: the customer refused during the month (a `customer_refused` event; the last
 *   one of the month counts) and at the end of the month the premium was neither paid nor lapsed.
 *
 * The lapsed premiums are also shown by the reason of their last failed or returned debit (the
 * bank's side of the story, with whether it is the customer's fault).
 */
export interface LapseReasonsReport extends TabularReport {
  kind: 'lapse-reasons';
  month: Month;
  reasons: (RankedReason & { lapsedCases: number; refusedCases: number })[];
  debitReasons: { reason: string; cases: number; premiumFen: number; customerFault: boolean | null }[];
}

export async function lapseReasonsReport(db: Knex, month: Month): Promise<LapseReasonsReport> {
  if (!isMonth(month)) throw new RangeError(`month must be YYYY-MM, got ${JSON.stringify(month)}`);
  const start = new Date(shanghaiInstant(firstDayOf(month))).toISOString();
  const end = new Date(shanghaiInstant(firstDayOf(addMonths(month, 1)))).toISOString();
  const { premiums, debits } = await db.transaction(
    async (trx) => {
      const { rows } = await trx.raw<{ rows: Record<string, unknown>[] }>(
        `
        WITH lapse AS (${suspensionsSql('e.occurred_at < CAST(:end AS timestamptz)')}),
        lapsed AS (
          SELECT 'lapsed' AS source, l.reason, d.amount_fen, d.id
          FROM lapse l JOIN premium_dues d ON d.policy_no = l.policy_no AND d.due_date = l.due_date
          WHERE l.lapsed_at >= CAST(:start AS timestamptz)
        ),
        refusal AS (
          SELECT DISTINCT ON (e.policy_no, e.due_date) e.policy_no, e.due_date, e.detail->'reasonCode' AS reason
          FROM audit_events e
          WHERE e.kind = 'customer_refused' AND e.occurred_at >= CAST(:start AS timestamptz) AND e.occurred_at < CAST(:end AS timestamptz)
          ORDER BY e.policy_no, e.due_date, e.seq DESC
        ),
        refused AS (
          SELECT 'refused' AS source, f.reason, d.amount_fen, d.id
          FROM refusal f JOIN premium_dues d ON d.policy_no = f.policy_no AND d.due_date = f.due_date
          WHERE d.status <> 'waived'
            AND NOT EXISTS (SELECT 1 FROM lapse l WHERE l.policy_no = d.policy_no AND l.due_date = d.due_date)
            AND NOT EXISTS (SELECT 1 FROM payments y WHERE y.premium_due_id = d.id AND ${collectedBySql('y', 'CAST(:end AS timestamptz)', 'NULL')})
        )
        SELECT source, reason, amount_fen,
          (SELECT coalesce(a.reason, 'UNKNOWN') FROM debit_attempts a
            WHERE a.premium_due_id = x.id AND a.status IN ('failed', 'returned') AND a.resolved_at < CAST(:end AS timestamptz)
            ORDER BY a.attempt_no DESC LIMIT 1) AS debit_reason
        FROM (SELECT * FROM lapsed UNION ALL SELECT * FROM refused) x
        `,
        { start, end },
      );
      const premiums = rows.map((r) => ({ source: r.source as 'lapsed' | 'refused', reason: r.reason, premiumFen: whole(r.amount_fen), debitReason: (r.debit_reason as string | null) ?? null }));
      return { premiums, debits: premiums.filter((p) => p.source === 'lapsed') };
    },
    { isolationLevel: 'repeatable read', readOnly: true },
  );
  const count = (source: 'lapsed' | 'refused') => tallyReasons(premiums.filter((p) => p.source === source));
  const lapsed = count('lapsed');
  const refused = count('refused');
  const reasons = rankReasons(tallyReasons(premiums)).map((r) => ({
    ...r,
    lapsedCases: lapsed.find((t) => t.code === r.code)?.cases ?? 0,
    refusedCases: refused.find((t) => t.code === r.code)?.cases ?? 0,
  }));
  const byDebit = new Map<string, { reason: string; cases: number; premiumFen: number; customerFault: boolean | null }>();
  for (const p of debits) {
    const reason = p.debitReason ?? '(no failed debit)';
    const rule = REASON_RULES[reason as DebitReason] as (typeof REASON_RULES)[DebitReason] | undefined;
    const t = byDebit.get(reason) ?? { reason, cases: 0, premiumFen: 0, customerFault: rule ? rule.customerFault : null };
    t.cases += 1;
    t.premiumFen += p.premiumFen;
    byDebit.set(reason, t);
  }
  const debitReasons = [...byDebit.values()].sort((a, b) => b.cases - a.cases || b.premiumFen - a.premiumFen || (a.reason < b.reason ? -1 : 1));
  const name = (code: number) => NON_PAYMENT_REASONS[code as keyof typeof NON_PAYMENT_REASONS];
  const top = reasons.filter((r) => r.top);
  const totalCases = premiums.length;
  return {
    kind: 'lapse-reasons',
    title: `未缴原因分析 Non-payment reasons ${month}`,
    parameters: { month, generatedAt: new Date().toISOString() },
    month,
    reasons,
    debitReasons,
    sections: [
      {
        key: 'reasons',
        title: '未缴原因排名 Non-payment reasons, ranked',
        note:
          `Premiums lapsed in ${month}, and premiums refused in ${month} still unpaid and not lapsed at its end (${totalCases} in all). ` +
          `Top three (★): ${top.length === 0 ? 'none' : top.map((r) => `${r.code} ${name(r.code).zh} ${name(r.code).en} (${r.cases})`).join('; ')}.`,
        columns: columns(
          ['rank', '排名 Rank', 'count'],
          ['top', '前三 Top 3', 'text'],
          ['code', '代码 Code', 'count'],
          ['reason', '原因 Reason', 'text'],
          ['cases', '件数 Cases', 'count'],
          ['share', '占比 Share of cases', 'rate'],
          ['premium', '保费 Premium (元)', 'money'],
          ['lapsed', '已失效 Lapsed', 'count'],
          ['refused', '拒缴未缴 Refused, unpaid', 'count'],
        ),
        rows: reasons.map((r) => ({
          rank: r.rank,
          top: r.top ? '★' : '',
          code: r.code,
          reason: `${name(r.code).zh} ${name(r.code).en}`,
          cases: r.cases,
          share: r.share,
          premium: r.premiumFen,
          lapsed: r.lapsedCases,
          refused: r.refusedCases,
        })),
      },
      {
        key: 'debit_reasons',
        title: '失效件扣款失败原因 Lapsed premiums by last debit failure',
        note: 'The normalised reason of the last failed or returned debit of each premium lapsed in the month.',
        columns: columns(
          ['reason', '扣款原因 Debit reason', 'text'],
          ['customer_fault', '客户原因 Customer’s fault', 'text'],
          ['cases', '件数 Cases', 'count'],
          ['share', '占比 Share', 'rate'],
          ['premium', '保费 Premium (元)', 'money'],
        ),
        rows: debitReasons.map((d) => ({
          reason: d.reason,
          customer_fault: d.customerFault === null ? '' : d.customerFault ? 'yes' : 'no',
          cases: d.cases,
          share: fraction(d.cases, debits.length),
          premium: d.premiumFen,
        })),
      },
    ],
  };
}

/** The top three in one line, e.g. '8 暂时经济困难 3 (42.86%); 12 无法联系 2 (28.57%)'. */
export function describeTopReasons(report: LapseReasonsReport): string {
  const top = report.reasons.filter((r) => r.top);
  if (top.length === 0) return `${report.month}: no premium lapsed or refused`;
  return top.map((r) => `${r.code} ${NON_PAYMENT_REASONS[r.code].zh} ${r.cases} (${formatPercent(r.share)})`).join('; ');
}
