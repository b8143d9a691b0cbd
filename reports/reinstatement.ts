import type { Knex } from 'knex';
import { referenceNames } from './reference-names';
import { isCivilDate, type CivilDate } from '../domain/civil-date';
import { fraction, type Fraction } from '../domain/kpis';
import { addMonths, firstDayOf, isMonth, type Month } from '../domain/months';
import { endOfDay, todayInShanghai } from './monthly-figures';
import { columns, whole, type Cell, type ReportColumn, type TabularReport } from './report';
import type { Scope } from '../domain/roles';
import { policyScopeSql, scopeParameter } from './scope-sql';

/**
 * The reinstatement (复效) rate, from PostgreSQL only (suspensions and reinstatement_applications),
 * as things stood at the end of the as-of day (Asia/Shanghai):
 *
 * - Cohort: suspensions whose suspension_date (the Shanghai civil day of suspension) falls in a
 *   month from `from` to `to`, and not after the as-of day. One suspension = one case; its premium is
 *   the annualised premium at suspension (suspensions.annual_premium_fen).
 * - Outcome as of the as-of day: the recorded outcome (reinstated, terminated, reduced paid-up) if
 *   it was reached before the end of that day (outcome_at; see outcomeReachedSql). Otherwise the case
 *   is still open: "in window" while the window has not closed (window_closes_on after the as-of
 *   day), else "window closed, awaiting outcome" (an application made in time still being decided
 *   or paid, or the termination not yet recorded). The five states add up to the cases suspended.
 * - Reinstatement rate = reinstated ÷ suspended, by case and by annualised premium.
 * - Rate among concluded cases = reinstated ÷ (reinstated + terminated + reduced paid-up): the
 *   cases whose window has run its course with an outcome, so open cases do not dilute it.
 * - Applications (reinstatement_applications of the cohort's suspensions), as of the same day:
 *   made = received; approved = approved (underwriter or deemed consent), whatever came after;
 *   declined / withdrawn = closed so. A case may have several applications; the counts are of
 *   applications, not cases, and approved and withdrawn can both count one application.
 * - Breakdowns by the policy's current branch and product, and high value (as flagged at
 *   suspension) against the rest, over the whole range.
 */
export interface Tally {
  cases: number;
  premiumFen: number;
}

export interface ReinstatementFigures {
  suspended: Tally;
  reinstated: Tally;
  terminated: Tally;
  reducedPaidUp: Tally;
  openInWindow: Tally;
  openWindowClosed: Tally;
  applications: { made: number; approved: number; declined: number; withdrawn: number };
  /** Reinstated ÷ suspended. */
  rate: { byCase: Fraction; byPremium: Fraction };
  /** Reinstated ÷ (reinstated + terminated + reduced paid-up). */
  concludedRate: { byCase: Fraction; byPremium: Fraction };
  /** Nothing left open: later events can no longer change these figures. */
  final: boolean;
}

export type ReinstatementDimension = 'month' | 'branch' | 'product' | 'value';

export interface ReinstatementGroup {
  dimension: ReinstatementDimension;
  /** The month 'YYYY-MM', branch code, product code, or 'high_value' / 'other'. */
  key: string;
  figures: ReinstatementFigures;
}

export interface ReinstatementReport extends TabularReport {
  kind: 'reinstatement';
  from: Month;
  to: Month;
  asOf: CivilDate;
  total: ReinstatementFigures;
  /** Every month of the range, empty months included. */
  byMonth: ReinstatementGroup[];
  byBranch: ReinstatementGroup[];
  byProduct: ReinstatementGroup[];
  /** High value first, then the rest; both always present. */
  byValue: ReinstatementGroup[];
}

/** More than ten years of cohorts in one report is a mistake, not a request. */
export const MAX_COHORT_MONTHS = 120;

/**
 * SQL: the suspension `s` had reached its recorded outcome before the instant `:cut`. An outcome
 * recorded without its moment (outcome_at null) counts as reached whatever the as-of day: it is
 * known to have happened and when cannot be told.
 */
export function outcomeReachedSql(s: string): string {
  return `(${s}.outcome <> 'open' AND coalesce(${s}.outcome_at, '-infinity') < CAST(:cut AS timestamptz))`;
}

/** The months from `from` to `to` inclusive. */
export function monthsFromTo(from: Month, to: Month): Month[] {
  const months: Month[] = [];
  for (let m = from; m <= to; m = addMonths(m, 1)) months.push(m);
  return months;
}

export async function reinstatementReport(db: Knex, options: { from: Month; to: Month; asOf?: CivilDate; scopes?: readonly Scope[] }): Promise<ReinstatementReport> {
  const { from, to } = options;
  if (!isMonth(from)) throw new RangeError(`from must be a month YYYY-MM, got ${JSON.stringify(from)}`);
  if (!isMonth(to)) throw new RangeError(`to must be a month YYYY-MM, got ${JSON.stringify(to)}`);
  if (to < from) throw new RangeError(`to ${to} is before from ${from}`);
  const months = monthsFromTo(from, to);
  if (months.length > MAX_COHORT_MONTHS) throw new RangeError(`from ${from} to ${to} spans ${months.length} months: at most ${MAX_COHORT_MONTHS}`);
  const asOf = options.asOf ?? todayInShanghai();
  if (!isCivilDate(asOf)) throw new RangeError(`as-of must be a date YYYY-MM-DD, got ${JSON.stringify(asOf)}`);

  const { rows, names } = await db.transaction(
    async (trx) => ({ rows: await cohortFigures(trx, from, to, asOf, options.scopes), names: await referenceNames(trx) }),
    { isolationLevel: 'repeatable read', readOnly: true },
  );
  const empty = figuresOf({});
  const total = rows.find((r) => r.dimension === 'total')?.figures ?? empty;
  // Code order (not locale order), as the monthly report sorts its breakdowns.
  const of = (dimension: 'branch' | 'product'): ReinstatementGroup[] =>
    rows.filter((r) => r.dimension === dimension).map((r) => ({ ...r, dimension })).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const found = (dimension: ReinstatementDimension, key: string) => rows.find((r) => r.dimension === dimension && r.key === key)?.figures ?? empty;
  const byMonth = months.map((m) => ({ dimension: 'month' as const, key: m, figures: found('month', m) }));
  const byValue = (['high_value', 'other'] as const).map((k) => ({ dimension: 'value' as const, key: k, figures: found('value', k) }));
  const byBranch = of('branch');
  const byProduct = of('product');

  return {
    kind: 'reinstatement',
    title: `复效率 Reinstatement rate, suspensions ${from} to ${to}`,
    parameters: { from, to, asOf, ...scopeParameter(options.scopes), generatedAt: new Date().toISOString() },
    from,
    to,
    asOf,
    total,
    byMonth,
    byBranch,
    byProduct,
    byValue,
    sections: [
      {
        key: 'months',
        title: '按中止月份 By month of suspension',
        note: `${DEFINITIONS} As of the end of ${asOf} (Asia/Shanghai).`,
        columns: [...columns(['month', '中止月份 Month', 'text']), ...FIGURE_COLUMNS],
        rows: [...byMonth.map((g) => ({ month: g.key, ...figureCells(g.figures) })), { month: '合计 Total', ...figureCells(total) }],
      },
      {
        key: 'branch',
        title: '按机构 By branch',
        note: 'The policy’s current branch.',
        columns: [...columns(['branch', '机构 Branch', 'text'], ['branch_name', '名称 Name', 'text']), ...FIGURE_COLUMNS],
        rows: byBranch.map((g) => ({ branch: g.key, branch_name: names.branches.get(g.key) ?? '', ...figureCells(g.figures) })),
      },
      {
        key: 'product',
        title: '按产品 By product',
        columns: [...columns(['product', '产品 Product', 'text'], ['product_name', '名称 Name', 'text']), ...FIGURE_COLUMNS],
        rows: byProduct.map((g) => ({ product: g.key, product_name: names.products.get(g.key) ?? '', ...figureCells(g.figures) })),
      },
      {
        key: 'value',
        title: '高价值/其他 High value vs other',
        note: 'High value as flagged at suspension (the collection plan’s rule: annualised premium at or above the threshold, or a listed segment).',
        columns: [...columns(['value', '价值 Value', 'text']), ...FIGURE_COLUMNS],
        rows: byValue.map((g) => ({ value: g.key === 'high_value' ? '高价值 high value' : '其他 other', ...figureCells(g.figures) })),
      },
    ],
  };
}

const DEFINITIONS =
  'Cohort: suspensions (效力中止) by their Shanghai suspension date; premium = annualised premium at suspension. ' +
  'Outcomes count once reached by the as-of day; the rest are open (in window, or window closed awaiting an outcome). ' +
  'Reinstatement rate = reinstated ÷ suspended. Concluded rate = reinstated ÷ (reinstated + terminated + reduced paid-up). ' +
  'Applications: received, approved (incl. deemed consent), declined and withdrawn by the as-of day; counted per application.';

const FIGURE_COLUMNS: ReportColumn[] = columns(
  ['suspended', '中止件数 Suspended', 'count'],
  ['suspended_premium', '中止年化保费 Suspended premium (元)', 'money'],
  ['reinstated', '复效件数 Reinstated', 'count'],
  ['reinstated_premium', '复效年化保费 Reinstated premium (元)', 'money'],
  ['terminated', '终止 Terminated', 'count'],
  ['reduced_paid_up', '减额交清 Reduced paid-up', 'count'],
  ['open_in_window', '复效期内 Open, in window', 'count'],
  ['open_window_closed', '期满待定 Open, window closed', 'count'],
  ['applications_made', '申请 Applications', 'count'],
  ['applications_approved', '同意 Approved', 'count'],
  ['applications_declined', '拒绝 Declined', 'count'],
  ['applications_withdrawn', '撤回 Withdrawn', 'count'],
  ['rate_case', '件数复效率 Rate by case', 'rate'],
  ['rate_premium', '保费复效率 Rate by premium', 'rate'],
  ['concluded_rate_case', '已结案件数复效率 Concluded, by case', 'rate'],
  ['concluded_rate_premium', '已结案保费复效率 Concluded, by premium', 'rate'],
  ['final', '已定 Final', 'text'],
);

function figureCells(f: ReinstatementFigures): Record<string, Cell> {
  return {
    suspended: f.suspended.cases,
    suspended_premium: f.suspended.premiumFen,
    reinstated: f.reinstated.cases,
    reinstated_premium: f.reinstated.premiumFen,
    terminated: f.terminated.cases,
    reduced_paid_up: f.reducedPaidUp.cases,
    open_in_window: f.openInWindow.cases,
    open_window_closed: f.openWindowClosed.cases,
    applications_made: f.applications.made,
    applications_approved: f.applications.approved,
    applications_declined: f.applications.declined,
    applications_withdrawn: f.applications.withdrawn,
    rate_case: f.rate.byCase,
    rate_premium: f.rate.byPremium,
    concluded_rate_case: f.concludedRate.byCase,
    concluded_rate_premium: f.concludedRate.byPremium,
    final: f.final ? 'yes' : 'no',
  };
}

type CohortRow = Omit<ReinstatementGroup, 'dimension'> & { dimension: ReinstatementDimension | 'total' };

const STATES = ['reinstated', 'terminated', 'reduced_paid_up', 'open_in_window', 'open_window_closed'] as const;

/** The cohort's figures for the total and each dimension, in one query (grouping sets). */
async function cohortFigures(db: Knex, from: Month, to: Month, asOf: CivilDate, scopes?: readonly Scope[]): Promise<CohortRow[]> {
  const inScope = policyScopeSql('p', scopes);
  const tallies = STATES.map(
    (s) => `count(*) FILTER (WHERE k.state = '${s}') AS ${s}_cases, sum(k.premium) FILTER (WHERE k.state = '${s}') AS ${s}_premium`,
  ).join(',\n      ');
  const { rows } = await db.raw<{ rows: Record<string, unknown>[] }>(
    `
    WITH cohort AS MATERIALIZED (
      SELECT s.id, to_char(s.suspension_date, 'YYYY-MM') AS month, p.branch_code, p.product_code,
             CASE WHEN s.high_value THEN 'high_value' ELSE 'other' END AS value,
             s.annual_premium_fen AS premium,
             CASE WHEN ${outcomeReachedSql('s')} THEN s.outcome::text
                  WHEN s.window_closes_on > CAST(:asOf AS date) THEN 'open_in_window'
                  ELSE 'open_window_closed' END AS state
      FROM suspensions s
      JOIN policies p ON p.policy_no = s.policy_no
      WHERE s.suspension_date >= CAST(:from AS date) AND s.suspension_date < CAST(:to AS date)
        AND s.suspension_date <= CAST(:asOf AS date)
        AND ${inScope.sql}
    ),
    applied AS (
      -- Declined and withdrawn are dated by closed_at; updated_at stands in if a writer left it empty.
      SELECT a.suspension_id,
        count(*) AS made,
        count(*) FILTER (WHERE a.approved_at < CAST(:cut AS timestamptz)) AS approved,
        count(*) FILTER (WHERE a.status = 'declined' AND coalesce(a.closed_at, a.updated_at) < CAST(:cut AS timestamptz)) AS declined,
        count(*) FILTER (WHERE a.status = 'withdrawn' AND coalesce(a.closed_at, a.updated_at) < CAST(:cut AS timestamptz)) AS withdrawn
      FROM reinstatement_applications a
      JOIN cohort k ON k.id = a.suspension_id
      WHERE a.received_at < CAST(:cut AS timestamptz)
      GROUP BY a.suspension_id
    )
    SELECT
      CASE WHEN grouping(k.month) = 0 THEN 'month'
           WHEN grouping(k.branch_code) = 0 THEN 'branch'
           WHEN grouping(k.product_code) = 0 THEN 'product'
           WHEN grouping(k.value) = 0 THEN 'value'
           ELSE 'total' END AS dimension,
      coalesce(k.month, k.branch_code, k.product_code, k.value, '') AS key,
      count(*) AS suspended_cases, sum(k.premium) AS suspended_premium,
      ${tallies},
      sum(x.made) AS made, sum(x.approved) AS approved, sum(x.declined) AS declined, sum(x.withdrawn) AS withdrawn
    FROM cohort k
    LEFT JOIN applied x ON x.suspension_id = k.id
    GROUP BY GROUPING SETS ((), (k.month), (k.branch_code), (k.product_code), (k.value))
    `,
    { from: firstDayOf(from), to: firstDayOf(addMonths(to, 1)), asOf, cut: endOfDay(asOf), ...inScope.bindings },
  );
  return rows.map((r) => ({ dimension: r.dimension as CohortRow['dimension'], key: r.key as string, figures: figuresOf(r) }));
}

function figuresOf(row: Record<string, unknown>): ReinstatementFigures {
  const tally = (state: string): Tally => ({ cases: whole(row[`${state}_cases`]), premiumFen: whole(row[`${state}_premium`]) });
  const suspended = tally('suspended');
  const reinstated = tally('reinstated');
  const terminated = tally('terminated');
  const reducedPaidUp = tally('reduced_paid_up');
  const openInWindow = tally('open_in_window');
  const openWindowClosed = tally('open_window_closed');
  const concluded = {
    cases: reinstated.cases + terminated.cases + reducedPaidUp.cases,
    premiumFen: reinstated.premiumFen + terminated.premiumFen + reducedPaidUp.premiumFen,
  };
  return {
    suspended,
    reinstated,
    terminated,
    reducedPaidUp,
    openInWindow,
    openWindowClosed,
    applications: { made: whole(row.made), approved: whole(row.approved), declined: whole(row.declined), withdrawn: whole(row.withdrawn) },
    rate: { byCase: fraction(reinstated.cases, suspended.cases), byPremium: fraction(reinstated.premiumFen, suspended.premiumFen) },
    concludedRate: { byCase: fraction(reinstated.cases, concluded.cases), byPremium: fraction(reinstated.premiumFen, concluded.premiumFen) },
    final: openInWindow.cases + openWindowClosed.cases === 0,
  };
}

