import type { Knex } from 'knex';
import { referenceNames, type Names } from './reference-names';
import { isCivilDate, type CivilDate } from '../domain/civil-date';
import { CUTOFFS, CUTOFF_LABELS, PAYMENT_NUMBER_LABELS, formatPercent, fraction, type Cutoff, type Fraction, type PaymentNumberGroup } from '../domain/kpis';
import { isMonth, type Month } from '../domain/months';
import {
  DIMENSIONS,
  debitFigures,
  monthlyFigures,
  planCutoffs,
  productGraceDays,
  todayInShanghai,
  type CutoffPlan,
  type DebitFigures,
  type Dimension,
  type Figures,
  type GroupFigures,
} from './monthly-figures';
import { columns, type Cell, type ReportColumn, type ReportSection, type TabularReport } from './report';

/** Per sort or hash of the report's queries; the session's default (4 MB) spills a month of a million premiums to disk. */
const REPORT_WORK_MEM = '64MB';

export interface CutoffRates {
  byPremium: Fraction;
  byCase: Fraction;
  /** The cut-off has passed by the as-of date: later payments no longer change these figures. */
  final: boolean;
}

/** The month in a few figures: what the lead's simulator and the demo print. */
export interface MonthlySummary {
  month: Month;
  asOf: CivilDate;
  casesDue: number;
  premiumDueFen: number;
  /** The collection rate of the month: collected by the end of the grace-end month (宽末达成率). */
  collectionRate: CutoffRates;
  /** All three cut-offs of the grid's total row. */
  cutoffs: Record<Cutoff, CutoffRates>;
  lapseRate: { byPremium: Fraction; byCase: Fraction; final: boolean };
  reinstatedCases: number;
}

export interface MonthlyReport extends TabularReport {
  kind: 'monthly';
  summary: MonthlySummary;
  total: Figures;
  byPaymentNumber: GroupFigures[];
  breakdowns: Record<Exclude<Dimension, 'payment_number'>, GroupFigures[]>;
  debits: DebitFigures[];
}

/**
 * The monthly report for the premiums due in `month`, as it stood at the end of `asOf` (default:
 * today in Shanghai). See monthly-figures.ts for exactly what each figure counts.
 */
export async function monthlyReport(db: Knex, month: Month, options: { asOf?: CivilDate } = {}): Promise<MonthlyReport> {
  if (!isMonth(month)) throw new RangeError(`month must be YYYY-MM, got ${JSON.stringify(month)}`);
  const asOf = options.asOf ?? todayInShanghai();
  if (!isCivilDate(asOf)) throw new RangeError(`as-of must be a date YYYY-MM-DD, got ${JSON.stringify(asOf)}`);
  // One snapshot for every figure (payments arriving meanwhile cannot make sections disagree), and
  // memory enough to aggregate a month of a million premiums in hash tables instead of on disk.
  const { plan, groups, debits, names } = await db.transaction(
    async (trx) => {
      await trx.raw(`SET LOCAL work_mem = '${REPORT_WORK_MEM}'`);
      const plan = planCutoffs(month, asOf, await productGraceDays(trx));
      return { plan, groups: await monthlyFigures(trx, plan), debits: await debitFigures(trx, plan), names: await referenceNames(trx) };
    },
    { isolationLevel: 'repeatable read', readOnly: true },
  );
  const total = groups.find((g) => g.dimension === 'total')?.figures;
  if (!total) throw new Error('monthly report: the total row is missing');
  const of = (dimension: Dimension) =>
    groups.filter((g) => g.dimension === dimension).sort((a, b) => (keyText(a) < keyText(b) ? -1 : keyText(a) > keyText(b) ? 1 : 0));
  const summary = summarise(plan, total);
  const breakdowns = {
    branch: of('branch'),
    channel: of('channel'),
    agent: of('agent'),
    orphan: of('orphan'),
    product: of('product'),
  };
  const byPaymentNumber = of('payment_number');
  return {
    kind: 'monthly',
    title: `续期收费月报 Monthly renewal collection report ${month}`,
    parameters: { month, asOf, generatedAt: new Date().toISOString() },
    summary,
    total,
    byPaymentNumber,
    breakdowns,
    debits,
    sections: [
      collectionSection(plan, summary, total),
      lapseSection(summary, total),
      gridSection(byPaymentNumber, total),
      ...DIMENSIONS.filter((d): d is Exclude<Dimension, 'payment_number'> => d !== 'payment_number').map((d) =>
        breakdownSection(d, breakdowns[d], names),
      ),
      debitSection(debits),
    ],
  };
}

/** The month in one line for the demo, e.g. '2026-01 as of 2026-06-30: 宽末达成率 65.50% by premium, 60.00% by case; lapse 30.00% by case (10 premiums due)'. */
export function describeSummary(summary: MonthlySummary): string {
  const { collectionRate: c, lapseRate: l } = summary;
  const pending = c.final ? '' : ' (grace not over for every premium: not final)';
  return (
    `${summary.month} as of ${summary.asOf}: 宽末达成率 ${formatPercent(c.byPremium)} by premium, ${formatPercent(c.byCase)} by case; ` +
    `lapse ${formatPercent(l.byCase)} by case (${summary.casesDue} premiums due)${pending}`
  );
}

/** Code order (not locale order): branch and product codes, 'false' before 'true', no agent first. */
function keyText(group: GroupFigures): string {
  return Object.values(group.key).join('\u0000');
}

function rates(collected: { cases: number; premiumFen: number }, figures: Figures, final: boolean): CutoffRates {
  return { byPremium: fraction(collected.premiumFen, figures.premiumFen), byCase: fraction(collected.cases, figures.cases), final };
}

function summarise(plan: CutoffPlan, total: Figures): MonthlySummary {
  const final: Record<Cutoff, boolean> = { due_month: plan.dueMonth.final, next_month: plan.nextMonth.final, grace_end_month: total.graceEndFinal };
  const cutoffs = Object.fromEntries(CUTOFFS.map((c) => [c, rates(total.collected[c], total, final[c])])) as Record<Cutoff, CutoffRates>;
  return {
    month: plan.month,
    asOf: plan.asOf,
    casesDue: total.cases,
    premiumDueFen: total.premiumFen,
    collectionRate: cutoffs.grace_end_month,
    cutoffs,
    lapseRate: { byPremium: fraction(total.lapsed.premiumFen, total.premiumFen), byCase: fraction(total.lapsed.cases, total.cases), final: total.graceEndFinal },
    reinstatedCases: total.reinstatedCases,
  };
}

const COHORT_NOTE =
  'Due: premiums due in the month, waived excluded. Collected: paid by the cut-off (Asia/Shanghai), not reversed by it, before any lapse.';

function collectionSection(plan: CutoffPlan, summary: MonthlySummary, total: Figures): ReportSection {
  const graceThrough = plan.graceEnd.map((g) => g.through).sort();
  const through: Record<Cutoff, string> = {
    due_month: plan.dueMonth.through,
    next_month: plan.nextMonth.through,
    grace_end_month:
      graceThrough.length === 0 || graceThrough[0] === graceThrough.at(-1) ? (graceThrough[0] ?? '') : `${graceThrough[0]} … ${graceThrough.at(-1)}`,
  };
  return {
    key: 'collection',
    title: '达成率 Collection rate',
    note: `${COHORT_NOTE} As of ${plan.asOf}; a cut-off not yet passed is counted to the as-of day and marked not final.`,
    columns: columns(
      ['cutoff', '口径 Cut-off', 'text'],
      ['through', '截至 Through', 'text'],
      ['final', '已定 Final', 'text'],
      ['cases_due', '应收件数 Cases due', 'count'],
      ['cases_collected', '实收件数 Cases collected', 'count'],
      ['case_rate', '件数达成率 Rate by case', 'rate'],
      ['premium_due', '应收保费 Premium due (元)', 'money'],
      ['premium_collected', '实收保费 Premium collected (元)', 'money'],
      ['premium_rate', '保费达成率 Rate by premium', 'rate'],
    ),
    rows: CUTOFFS.map((c) => ({
      cutoff: CUTOFF_LABELS[c],
      through: through[c],
      final: summary.cutoffs[c].final ? 'yes' : 'no',
      cases_due: total.cases,
      cases_collected: total.collected[c].cases,
      case_rate: summary.cutoffs[c].byCase,
      premium_due: total.premiumFen,
      premium_collected: total.collected[c].premiumFen,
      premium_rate: summary.cutoffs[c].byPremium,
    })),
  };
}

function lapseSection(summary: MonthlySummary, total: Figures): ReportSection {
  return {
    key: 'lapse',
    title: '失效率 Lapse rate',
    note: 'Lapsed: policy suspended (效力中止) for a premium of the month by the as-of day. Reinstated: paid after the suspension.',
    columns: columns(
      ['final', '已定 Final', 'text'],
      ['cases_due', '应收件数 Cases due', 'count'],
      ['cases_lapsed', '失效件数 Cases lapsed', 'count'],
      ['case_rate', '件数失效率 Rate by case', 'rate'],
      ['premium_due', '应收保费 Premium due (元)', 'money'],
      ['premium_lapsed', '失效保费 Premium lapsed (元)', 'money'],
      ['premium_rate', '保费失效率 Rate by premium', 'rate'],
      ['cases_reinstated', '复效件数 Reinstated', 'count'],
    ),
    rows: [
      {
        final: summary.lapseRate.final ? 'yes' : 'no',
        cases_due: total.cases,
        cases_lapsed: total.lapsed.cases,
        case_rate: summary.lapseRate.byCase,
        premium_due: total.premiumFen,
        premium_lapsed: total.lapsed.premiumFen,
        premium_rate: summary.lapseRate.byPremium,
        cases_reinstated: total.reinstatedCases,
      },
    ],
  };
}

/** Cases and premium due, the three cut-offs' rates, and the lapse rates: the columns every breakdown shares. */
const FIGURE_COLUMNS: ReportColumn[] = columns(
  ['cases_due', '应收件数 Cases due', 'count'],
  ['premium_due', '应收保费 Premium due (元)', 'money'],
  ['due_month_premium_rate', '当月保费达成率 Due month, premium', 'rate'],
  ['due_month_case_rate', '当月件数达成率 Due month, case', 'rate'],
  ['next_month_premium_rate', '次月保费达成率 Next month, premium', 'rate'],
  ['next_month_case_rate', '次月件数达成率 Next month, case', 'rate'],
  ['grace_end_month_premium_rate', '宽末保费达成率 Grace-end month, premium', 'rate'],
  ['grace_end_month_case_rate', '宽末件数达成率 Grace-end month, case', 'rate'],
  ['lapse_case_rate', '件数失效率 Lapse, case', 'rate'],
  ['lapse_premium_rate', '保费失效率 Lapse, premium', 'rate'],
);

function figureCells(f: Figures): Record<string, Cell> {
  const cells: Record<string, Cell> = { cases_due: f.cases, premium_due: f.premiumFen };
  for (const c of CUTOFFS) {
    cells[`${c}_premium_rate`] = fraction(f.collected[c].premiumFen, f.premiumFen);
    cells[`${c}_case_rate`] = fraction(f.collected[c].cases, f.cases);
  }
  cells.lapse_case_rate = fraction(f.lapsed.cases, f.cases);
  cells.lapse_premium_rate = fraction(f.lapsed.premiumFen, f.premiumFen);
  return cells;
}

function gridSection(groups: GroupFigures[], total: Figures): ReportSection {
  return {
    key: 'grid',
    title: '九宫图 Cut-off × payment number',
    note: COHORT_NOTE,
    columns: [...columns(['payment_number', '缴费期次 Payment number', 'text']), ...FIGURE_COLUMNS],
    rows: [
      ...groups.map((g) => ({
        payment_number: PAYMENT_NUMBER_LABELS[Number(g.key.payment_number) as PaymentNumberGroup] ?? g.key.payment_number ?? '',
        ...figureCells(g.figures),
      })),
      { payment_number: '合计 Total', ...figureCells(total) },
    ],
  };
}


const BREAKDOWN_TITLES: Record<Exclude<Dimension, 'payment_number'>, string> = {
  branch: '按机构 By branch',
  channel: '按渠道 By channel',
  agent: '按团队/业务员 By team and agent',
  orphan: '孤儿单/在职 Orphan vs serviced',
  product: '按产品 By product',
};

function breakdownSection(dimension: Exclude<Dimension, 'payment_number'>, groups: GroupFigures[], names: Names): ReportSection {
  const keyColumns: Record<typeof dimension, ReportColumn[]> = {
    branch: columns(['branch', '机构 Branch', 'text'], ['branch_name', '名称 Name', 'text']),
    channel: columns(['channel', '渠道 Channel', 'text']),
    agent: columns(['team', '团队 Team', 'text'], ['agent', '业务员 Agent', 'text']),
    orphan: columns(['servicing', '服务状态 Servicing', 'text']),
    product: columns(['product', '产品 Product', 'text'], ['product_name', '名称 Name', 'text']),
  };
  const keyCells = (g: GroupFigures): Record<string, Cell> => {
    switch (dimension) {
      case 'branch':
        return { branch: g.key.branch ?? '', branch_name: names.branches.get(g.key.branch ?? '') ?? '' };
      case 'product':
        return { product: g.key.product ?? '', product_name: names.products.get(g.key.product ?? '') ?? '' };
      case 'agent':
        // Empty codes: no agent on the policy (orphan), or an agent without a team on file.
        return { team: g.key.team || '—', agent: g.key.agent || '— (orphan)' };
      case 'orphan':
        return { servicing: g.key.orphan === 'true' ? '孤儿单 orphan' : '在职服务 serviced' };
      case 'channel':
        return { channel: g.key.channel ?? '' };
    }
  };
  return {
    key: dimension,
    title: BREAKDOWN_TITLES[dimension],
    note: dimension === 'orphan' ? 'Orphan: no servicing agent, or the agent has departed.' : undefined,
    columns: [...keyColumns[dimension], ...FIGURE_COLUMNS],
    rows: groups.map((g) => ({ ...keyCells(g), ...figureCells(g.figures) })),
  };
}

function debitSection(debits: DebitFigures[]): ReportSection {
  return {
    key: 'debits',
    title: '扣款成功率 Debit success by attempt and bank',
    note: 'Debit attempts for the month’s premiums with a collection date up to the as-of day, as they stood at its end.',
    columns: columns(
      ['attempt_no', '扣款次数 Attempt', 'text'],
      ['bank', '银行 Bank', 'text'],
      ['attempts', '扣款笔数 Attempts', 'count'],
      ['succeeded', '成功 Succeeded', 'count'],
      ['failed', '失败 Failed', 'count'],
      ['returned', '退回 Returned', 'count'],
      ['pending', '未决 Pending', 'count'],
      ['success_rate', '成功率 Success rate', 'rate'],
      ['collected', '扣款金额 Collected (元)', 'money'],
    ),
    rows: debits.map((d) => ({
      attempt_no: d.attemptNo === null ? '合计 all' : String(d.attemptNo),
      bank: d.bankCode ?? '合计 all',
      attempts: d.attempts,
      succeeded: d.succeeded,
      failed: d.failed,
      returned: d.returned,
      pending: d.pending,
      success_rate: fraction(d.succeeded, d.attempts),
      collected: d.collectedFen,
    })),
  };
}
