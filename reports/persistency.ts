import type { Knex } from 'knex';
import { isCivilDate, shanghaiDate, type CivilDate } from '../domain/civil-date';
import { PERIODS_PER_YEAR } from '../domain/collection-plan';
import { addMonths, firstDayOf, isMonth, monthOf, type Month } from '../domain/months';
import {
  defaultCohorts,
  isPersistencyMonths,
  persistencyDueDate,
  persistencyFigures,
  persistencyInstallment,
  type PersistencyCase,
  type PersistencyFigures,
  type PersistencyMonths,
} from '../domain/persistency';
import type { PaymentFrequency } from '../domain/reinstatement-arrears';
import { collectedBySql, endOfDay, suspensionsSql, todayInShanghai } from './monthly-figures';
import { referenceNames } from './reference-names';
import { columns, whole, type Cell, type ReportSection, type TabularReport } from './report';
import type { Scope } from '../domain/roles';
import { policyScopeSql, scopeParameter } from './scope-sql';

export const PERSISTENCY_GROUPINGS = ['cohort', 'branch', 'channel', 'agent'] as const;
export type PersistencyGrouping = (typeof PERSISTENCY_GROUPINGS)[number];

/** At most this many cohorts (issue months) in one report. */
export const MAX_PERSISTENCY_COHORTS = 120;

export interface PersistencyGroup {
  key: Record<string, string>;
  figures: PersistencyFigures;
}

export interface PersistencyReport extends TabularReport {
  kind: 'persistency';
  months: PersistencyMonths;
  by: PersistencyGrouping;
  from: Month;
  to: Month;
  asOf: CivilDate;
  total: PersistencyFigures;
  groups: PersistencyGroup[];
}

interface CohortRow extends PersistencyCase {
  cohort: Month;
  branch: string;
  channel: string;
  team: string;
  agent: string;
}

/**
 * 13- or 25-month persistency (继续率) of the policies issued in the cohort months from..to, as it
 * stood at the end of asOf (default: today), by cohort, branch, channel or team and agent. What each
 * figure counts: domain/persistency.ts and docs/business-rules.md#persistency.
 */
export async function persistencyReport(
  db: Knex,
  options: { months: PersistencyMonths; by: PersistencyGrouping; from?: Month; to?: Month; asOf?: CivilDate; scopes?: readonly Scope[] },
): Promise<PersistencyReport> {
  const { months, by } = options;
  if (!isPersistencyMonths(months)) throw new RangeError(`months must be 13 or 25, got ${JSON.stringify(months)}`);
  const asOf = options.asOf ?? todayInShanghai();
  if (!isCivilDate(asOf)) throw new RangeError(`as-of must be a date YYYY-MM-DD, got ${JSON.stringify(asOf)}`);
  const cohorts = defaultCohorts(asOf, months);
  const from = options.from ?? cohorts.from;
  const to = options.to ?? (options.from !== undefined ? addMonths(options.from, 11) : cohorts.to);
  if (!isMonth(from) || !isMonth(to) || to < from) throw new RangeError(`cohorts must be months from ≤ to, got ${from}..${to}`);
  const { rows, names } = await db.transaction(
    async (trx) => ({ rows: await cohortCases(trx, months, from, to, asOf, options.scopes), names: await referenceNames(trx) }),
    { isolationLevel: 'repeatable read', readOnly: true },
  );
  const keyOf = (r: CohortRow): Record<string, string> =>
    ({ cohort: { cohort: r.cohort }, branch: { branch: r.branch }, channel: { channel: r.channel }, agent: { team: r.team, agent: r.agent } })[by];
  const grouped = new Map<string, { key: Record<string, string>; cases: CohortRow[] }>();
  for (const r of rows) {
    const key = keyOf(r);
    const text = Object.values(key).join('\u0000');
    const g = grouped.get(text) ?? { key, cases: [] };
    g.cases.push(r);
    grouped.set(text, g);
  }
  const groups = [...grouped.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, g]) => ({ key: g.key, figures: persistencyFigures(g.cases, asOf) }));
  const total = persistencyFigures(rows, asOf);
  const title = `${months}个月继续率 ${months}-month persistency, cohorts ${from}…${to}, by ${by}`;
  return {
    kind: 'persistency',
    title,
    parameters: { months: String(months), by, from, to, asOf, ...scopeParameter(options.scopes), generatedAt: new Date().toISOString() },
    months,
    by,
    from,
    to,
    asOf,
    total,
    groups,
    personalData: by === 'agent',
    sections: [
      persistencySection('total', '合计 Total', [], [{}], [total], months),
      persistencySection(
        by,
        { cohort: '按承保月 By cohort (issue month)', branch: '按机构 By branch', channel: '按渠道 By channel', agent: '按团队/业务员 By team and agent' }[by],
        {
          cohort: columns(['cohort', '承保月 Cohort', 'text']),
          branch: columns(['branch', '机构 Branch', 'text'], ['branch_name', '名称 Name', 'text']),
          channel: columns(['channel', '渠道 Channel', 'text']),
          agent: columns(['team', '团队 Team', 'text'], ['agent', '业务员 Agent', 'text']),
        }[by],
        groups.map((g): Record<string, Cell> => {
          if (by === 'branch') return { branch: g.key.branch ?? '', branch_name: names.branches.get(g.key.branch ?? '') ?? '' };
          if (by === 'agent') return { team: g.key.team || '—', agent: g.key.agent || '— (orphan)' };
          return { ...g.key };
        }),
        groups.map((g) => g.figures),
        months,
      ),
    ],
  };
}

function persistencySection(
  key: string,
  title: string,
  keyColumns: ReturnType<typeof columns>,
  keyCells: Record<string, Cell>[],
  figures: PersistencyFigures[],
  months: PersistencyMonths,
): ReportSection {
  return {
    key,
    title,
    note:
      `Cohort: regular-premium policies issued in the month. Kept: the premium for month ${months} (installment due ${months - 1} months after issue) ` +
      'received by the end of its grace period, before any lapse, not reversed; or paid before the system’s records (imported later). ' +
      'By premium: annualised premium kept ÷ first-year (annualised) premium.',
    columns: [
      ...keyColumns,
      ...columns(
        ['cases', '件数 Cases', 'count'],
        ['first_year_premium', '首年保费 First-year premium (元)', 'money'],
        ['kept_cases', '继续件数 Kept', 'count'],
        ['kept_premium', '继续保费 Premium kept (元)', 'money'],
        ['lost_cases', '未继续 Lost', 'count'],
        ['pending_cases', '未到期 Pending', 'count'],
        ['kept_before_records', '导入前已缴 Kept before records', 'count'],
        ['case_rate', '件数继续率 Rate by case', 'rate'],
        ['premium_rate', '保费继续率 Rate by premium', 'rate'],
        ['final', '已定 Final', 'text'],
      ),
    ],
    rows: figures.map((f, i) => ({
      ...keyCells[i],
      cases: f.cases,
      first_year_premium: f.firstYearPremiumFen,
      kept_cases: f.keptCases,
      kept_premium: f.keptPremiumFen,
      lost_cases: f.lostCases,
      pending_cases: f.pendingCases,
      kept_before_records: f.keptBeforeRecords,
      case_rate: f.byCase,
      premium_rate: f.byPremium,
      final: f.final ? 'yes' : 'no',
    })),
  };
}

/**
 * Every policy issued in the cohorts, with its 13th (25th) month premium: the installment number
 * per frequency, its premium_dues row if the system has one, and the first payment of it that
 * counts as collected at the end of asOf (collectedBySql, lapse included).
 */
async function cohortCases(db: Knex, months: PersistencyMonths, from: Month, to: Month, asOf: CivilDate, scopes?: readonly Scope[]): Promise<CohortRow[]> {
  const inScope = policyScopeSql('p', scopes);
  const frequencies = Object.keys(PERIODS_PER_YEAR) as PaymentFrequency[];
  const target = `CASE p.payment_frequency::text ${frequencies.map((f) => `WHEN '${f}' THEN ${persistencyInstallment(f, months)}`).join(' ')} END`;
  const { rows } = await db.raw<{ rows: Record<string, unknown>[] }>(
    `
    WITH cohort AS MATERIALIZED (
      SELECT p.policy_no, to_char(p.issue_date, 'YYYY-MM-DD') AS issue_date, p.payment_frequency::text AS frequency, p.premium_fen,
             p.next_installment_no, p.branch_code, p.channel::text AS channel, coalesce(a.team_code, '') AS team_code,
             coalesce(p.agent_code, '') AS agent_code, r.grace_days, ${target} AS target
      FROM policies p
      JOIN products r ON r.code = p.product_code
      LEFT JOIN agents a ON a.code = p.agent_code
      WHERE p.issue_date >= :from AND p.issue_date < :next
        AND ${inScope.sql}
    )
    SELECT k.*, to_char(d.due_date, 'YYYY-MM-DD') AS due_date, d.id AS due_id,
      paid.received_at AS paid_at, paid.via AS paid_via
    FROM cohort k
    LEFT JOIN LATERAL (
      SELECT d.id, d.policy_no, d.due_date FROM premium_dues d
      WHERE d.policy_no = k.policy_no AND d.installment_no = k.target AND d.status <> 'waived'
      ORDER BY d.due_date LIMIT 1
    ) d ON true
    LEFT JOIN LATERAL (
      SELECT y.received_at, y.via::text AS via FROM payments y
      LEFT JOIN LATERAL (${suspensionsSql('e.policy_no = d.policy_no AND e.due_date = d.due_date')}) l ON true
      WHERE y.premium_due_id = d.id AND ${collectedBySql('y', 'CAST(:asOfCut AS timestamptz)', 'l.lapsed_at')}
      ORDER BY y.received_at LIMIT 1
    ) paid ON true
    ORDER BY k.policy_no
    `,
    { from: firstDayOf(from), next: firstDayOf(addMonths(to, 1)), asOfCut: endOfDay(asOf), ...inScope.bindings },
  );
  return rows.map((r) => {
    const issueDate = r.issue_date as string;
    const target = whole(r.target);
    const hasRow = r.due_id !== null;
    return {
      cohort: monthOf(issueDate),
      branch: r.branch_code as string,
      channel: r.channel as string,
      team: r.team_code as string,
      agent: r.agent_code as string,
      frequency: r.frequency as PaymentFrequency,
      premiumFen: whole(r.premium_fen),
      dueDate: hasRow ? (r.due_date as string) : persistencyDueDate(issueDate, months),
      graceDays: whole(r.grace_days),
      paidOn: r.paid_at instanceof Date ? shanghaiDate(r.paid_at.getTime()) : null,
      paidVia: (r.paid_via as string | null) ?? null,
      paidBeforeRecords: !hasRow && r.next_installment_no !== null && whole(r.next_installment_no) > target,
    };
  });
}
