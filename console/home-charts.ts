import type { Knex } from 'knex';
import { openTaskAges } from '../db/repositories/tasks';
import { shanghaiInstant, type CivilDate } from '../domain/civil-date';
import { CUTOFFS, fraction, formatPercent, roundedRatio } from '../domain/kpis';
import { firstDayOf, type Month } from '../domain/months';
import { collectionCurve, type CollectionCurve } from '../reports/collection-curve';
import { contactOutcomes, type DailyReport } from '../reports/daily';
import { monthlyReport, type MonthlyReport } from '../reports/monthly';
import { endOfDay } from '../reports/monthly-figures';
import { chartFigure } from './charts';
import { collectionCurveChart, contactChart } from './report-charts';
import { html, type Html } from './html';
import { wordsFor, type Language, type Words } from './i18n';
import { mayReadReport } from './report-kinds';
import type { ConsoleSession } from './sessions';
import type { CollectionTargets } from './settings';
import { mayListTasks } from './work-queue';

/**
 * The home page's charts (docs/architecture.md#console), each from figures a report or list already
 * computes, and only where the person may have them as the CLI would give them:
 * - collection rate at 当月/次月/宽末 against the targets of CONSOLE_COLLECTION_TARGETS (when set), and
 *   debit success by attempt and by bank: the monthly report of this month as of today, and the
 *   month's collection curve by day (reports/collection-curve.ts) (`report monthly`: the insurer's
 *   figures, so not for a scoped person; reused for a minute, InsurerFiguresMemo);
 * - contacts by channel and outcome this month: the daily report's `contactOutcomes` over the month
 *   so far (`report daily`, likewise);
 * - open tasks by age: every open task of the person's scope (the tasks `tasks list` shows them), counted
 *   in the database by days since made.
 */
export interface HomeFigures {
  month: Month;
  today: CivilDate;
  monthly?: MonthlyReport;
  curve?: CollectionCurve;
  contacts?: DailyReport['contactsByChannel'];
  /** Open tasks counted into age bands, and how many in all. */
  taskAges?: { band: TaskAgeBand; tasks: number }[];
  tasksCounted?: number;
}

export const TASK_AGE_BANDS = ['0-1', '2-3', '4-7', '8-14', '15+'] as const;
export type TaskAgeBand = (typeof TASK_AGE_BANDS)[number];

export function taskAgeBand(days: number): TaskAgeBand {
  if (days <= 1) return '0-1';
  if (days <= 3) return '2-3';
  if (days <= 7) return '4-7';
  if (days <= 14) return '8-14';
  return '15+';
}

/** How long the insurer-wide figures are reused: the same for everyone allowed them, and a second or two to compute at scale. */
export const INSURER_FIGURES_TTL_MS = 60_000;

interface InsurerFigures {
  monthly: MonthlyReport;
  curve: CollectionCurve;
}

/**
 * The monthly report and curve behind home's insurer-wide charts, computed at most once a minute per
 * console process (and once for requests arriving together); a failure is not kept.
 */
export class InsurerFiguresMemo {
  private held?: { key: string; at: number; figures: Promise<InsurerFigures> };

  constructor(private readonly ttlMs = INSURER_FIGURES_TTL_MS) {}

  of(db: Knex, month: Month, today: CivilDate, now: number): Promise<InsurerFigures> {
    const key = `${month}/${today}`;
    if (this.held && this.held.key === key && now - this.held.at < this.ttlMs) return this.held.figures;
    const figures = (async () => ({ monthly: await monthlyReport(db, month, { asOf: today }), curve: await collectionCurve(db, month, today) }))();
    this.held = { key, at: now, figures };
    figures.catch(() => {
      if (this.held?.figures === figures) this.held = undefined;
    });
    return figures;
  }
}

export async function homeFigures(db: Knex, session: ConsoleSession, month: Month, today: CivilDate, insurer: InsurerFiguresMemo, now: number): Promise<HomeFigures> {
  const figures: HomeFigures = { month, today };
  if (mayReadReport(session, 'monthly')) Object.assign(figures, await insurer.of(db, month, today, now));
  if (mayReadReport(session, 'daily')) {
    const span = { start: new Date(shanghaiInstant(firstDayOf(month))).toISOString(), end: endOfDay(today) };
    figures.contacts = (await contactOutcomes(db, span)).contactsByChannel;
  }
  if (mayListTasks(session)) {
    const counts = new Map<TaskAgeBand, number>(TASK_AGE_BANDS.map((band) => [band, 0]));
    for (const age of await openTaskAges(db, session.scopes, today)) counts.set(taskAgeBand(age.days), counts.get(taskAgeBand(age.days))! + age.tasks);
    figures.taskAges = TASK_AGE_BANDS.map((band) => ({ band, tasks: counts.get(band)! }));
    figures.tasksCounted = [...counts.values()].reduce((sum, n) => sum + n, 0);
  }
  return figures;
}

const percentOf = (rate: ReturnType<typeof fraction>) => (roundedRatio(rate, 4) ?? 0) * 100;

/** The target of a cut-off as the table shows it: the percent with two decimals, as the rates are. */
const targetText = (percent: number) => `${percent.toFixed(2)}%`;

function collectionChart(report: MonthlyReport, words: Words, targets: CollectionTargets | undefined): Html {
  const labels = CUTOFFS.map((c) => words.cutoffNames[c] ?? c);
  const s = report.summary;
  const targetSeries = targets
    ? [{ name: words.target, type: 'line' as const, symbol: 'diamond', symbolSize: 12, lineStyle: { type: 'dashed' as const }, data: CUTOFFS.map((c) => targets[c]), label: { show: true, position: 'right' as const, formatter: '{c}%' } }]
    : [];
  return chartFigure({
    id: 'chart-collection',
    title: words.collectionRateTitle(report.summary.month, report.summary.asOf),
    summary:
      words.collectionRateSummary(CUTOFFS.map((c, i) => `${labels[i]} ${formatPercent(s.cutoffs[c].byPremium)} / ${formatPercent(s.cutoffs[c].byCase)}`).join(words.listSeparator)) +
      (targets ? words.targetsAre(CUTOFFS.map((c, i) => `${labels[i]} ${targetText(targets[c])}`).join(words.listSeparator)) : words.noTargets),
    option: {
      grid: { left: 56, right: 24, top: 48, bottom: 32 },
      legend: { top: 8, data: [words.byPremium, words.byCase, ...(targets ? [words.target] : [])] },
      xAxis: { type: 'category', data: labels },
      yAxis: { type: 'value', min: 0, max: 100, axisLabel: { formatter: '{value}%' } },
      series: [
        { name: words.byPremium, type: 'bar', data: CUTOFFS.map((c) => percentOf(s.cutoffs[c].byPremium)), label: { show: true, position: 'top', formatter: '{c}%' } },
        { name: words.byCase, type: 'bar', data: CUTOFFS.map((c) => percentOf(s.cutoffs[c].byCase)), label: { show: true, position: 'top', formatter: '{c}%' } },
        ...targetSeries,
      ],
    },
    table: {
      caption: words.chartTable,
      head: [words.cutoff, words.byPremium, words.byCase, ...(targets ? [words.target] : []), words.finalFigure],
      rows: CUTOFFS.map((c, i) => [labels[i]!, formatPercent(s.cutoffs[c].byPremium), formatPercent(s.cutoffs[c].byCase), ...(targets ? [targetText(targets[c])] : []), s.cutoffs[c].final ? words.yes : words.no]),
    },
  });
}

function debitChart(report: MonthlyReport, words: Words): Html {
  const byAttempt = report.debits.filter((d) => d.bankCode === null && d.attemptNo !== null);
  const outcomes = ['succeeded', 'failed', 'returned', 'pending'] as const;
  return chartFigure({
    id: 'chart-debits',
    title: words.debitChartTitle,
    summary: words.debitChartSummary(byAttempt.map((d) => `${words.attemptName(d.attemptNo!)} ${formatPercent(fraction(d.succeeded, d.attempts))}`).join(words.listSeparator) || words.none),
    option: {
      grid: { left: 56, right: 24, top: 48, bottom: 32 },
      legend: { top: 8, data: outcomes.map((o) => words.debitOutcomes[o] ?? o) },
      xAxis: { type: 'category', data: byAttempt.map((d) => words.attemptName(d.attemptNo!)) },
      yAxis: { type: 'value', minInterval: 1 },
      series: outcomes.map((o) => ({ name: words.debitOutcomes[o] ?? o, type: 'bar' as const, stack: 'attempts', data: byAttempt.map((d) => d[o]) })),
    },
    table: {
      caption: words.chartTable,
      head: [words.attempt, ...outcomes.map((o) => words.debitOutcomes[o] ?? o), words.successRate],
      rows: byAttempt.map((d) => [words.attemptName(d.attemptNo!), ...outcomes.map((o) => String(d[o])), formatPercent(fraction(d.succeeded, d.attempts))]),
    },
  });
}

function debitBankChart(report: MonthlyReport, words: Words): Html {
  const byBank = report.debits.filter((d) => d.attemptNo === null && d.bankCode !== null);
  return chartFigure({
    id: 'chart-debit-banks',
    title: words.debitBankTitle,
    summary: words.debitBankSummary(byBank.map((d) => `${d.bankCode} ${formatPercent(fraction(d.succeeded, d.attempts))}`).join(words.listSeparator) || words.none),
    height: 240,
    option: {
      grid: { left: 56, right: 24, top: 24, bottom: 32 },
      xAxis: { type: 'category', data: byBank.map((d) => d.bankCode!) },
      yAxis: { type: 'value', min: 0, max: 100, axisLabel: { formatter: '{value}%' } },
      series: [{ name: words.successRate, type: 'bar', data: byBank.map((d) => percentOf(fraction(d.succeeded, d.attempts))), label: { show: true, position: 'top', formatter: '{c}%' } }],
    },
    table: {
      caption: words.chartTable,
      head: [words.bank, words.attemptsTotal, words.debitOutcomes.succeeded ?? 'succeeded', words.successRate],
      rows: byBank.map((d) => [d.bankCode!, String(d.attempts), String(d.succeeded), formatPercent(fraction(d.succeeded, d.attempts))]),
    },
  });
}

function taskAgeChart(ages: NonNullable<HomeFigures['taskAges']>, counted: number, words: Words): Html {
  return chartFigure({
    id: 'chart-task-ages',
    title: words.taskAgeTitle,
    summary: words.taskAgeSummary(ages.map((a) => `${words.ageBand(a.band)} ${a.tasks}`).join(words.listSeparator), counted),
    height: 240,
    option: {
      grid: { left: 56, right: 24, top: 24, bottom: 40 },
      xAxis: { type: 'category', data: ages.map((a) => words.ageBand(a.band)), name: words.taskAge, nameLocation: 'middle', nameGap: 28 },
      yAxis: { type: 'value', minInterval: 1 },
      series: [{ name: words.openTasks, type: 'bar', data: ages.map((a) => a.tasks), label: { show: true, position: 'top' } }],
    },
    table: { caption: words.chartTable, head: [words.taskAge, words.openTasks], rows: ages.map((a) => [words.ageBand(a.band), String(a.tasks)]) },
  });
}

/**
 * The insurer-wide charts as drawn, kept with the figures they show (the same objects for as long as
 * InsurerFiguresMemo reuses them), one set per language and targets: drawing them is most of an
 * operations lead's home page (BENCHMARKS.md "Console pages").
 */
const drawnInsurerCharts = new WeakMap<MonthlyReport, Map<string, readonly Html[]>>();

function insurerCharts(monthly: MonthlyReport, curve: CollectionCurve, language: Language, targets: CollectionTargets | undefined): readonly Html[] {
  const key = `${language}|${JSON.stringify(targets ?? null)}`;
  const drawn = drawnInsurerCharts.get(monthly) ?? new Map<string, readonly Html[]>();
  drawnInsurerCharts.set(monthly, drawn);
  const kept = drawn.get(key);
  if (kept) return kept;
  const words = wordsFor(language);
  const charts = [collectionChart(monthly, words, targets), collectionCurveChart(language, curve), debitChart(monthly, words), debitBankChart(monthly, words)];
  drawn.set(key, charts);
  return charts;
}

/** The charts section of the home page; a scoped person is told why the insurer's charts are not there. */
export function homeCharts(language: Language, session: ConsoleSession, figures: HomeFigures, targets?: CollectionTargets): Html {
  const words = wordsFor(language);
  const charts: Html[] = figures.monthly && figures.curve ? [...insurerCharts(figures.monthly, figures.curve, language, targets)] : [];
  if (figures.contacts) charts.push(contactChart(figures.contacts, words, words.contactChartTitle(figures.month), words.contactChartSummary));
  if (figures.taskAges) charts.push(taskAgeChart(figures.taskAges, figures.tasksCounted ?? 0, words));
  const insurerOnly = !figures.monthly && session.scopes.length > 0 && mayReadReport({ roles: session.roles, scopes: [] }, 'monthly');
  return html`<section aria-labelledby="charts-heading" id="home-charts">
  <h2 id="charts-heading" class="section-heading">${words.chartsHeading}</h2>
  ${insurerOnly ? html`<p class="muted" id="charts-insurer-only">${words.chartsInsurerOnly}</p>` : ''}
  ${charts.length === 0 ? html`<p class="muted" id="charts-none">${words.chartsNone}</p>` : charts}
</section>`;
}
