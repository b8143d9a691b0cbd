import { fraction, formatPercent, roundedRatio } from '../domain/kpis';
import { formatYuan } from '../domain/money';
import type { CollectionCurve } from '../reports/collection-curve';
import type { DailyReport } from '../reports/daily';
import type { LapseReasonsReport } from '../reports/lapse-reasons';
import { NON_PAYMENT_REASONS, isNonPaymentReason } from '../domain/non-payment-reasons';
import type { ReinstatementReport } from '../reports/reinstatement';
import type { TabularReport } from '../reports/report';
import type { WeeklyReport } from '../reports/weekly';
import { chartFigure } from './charts';
import type { Html } from './html';
import { wordsFor, type Language, type Words } from './i18n';
import type { ReportKind } from './report-kinds';

/**
 * The reports' charts (docs/architecture.md#console), drawn from the figures the report already holds:
 * the monthly report's collection curve by day (the 当月 rate by premium and by case as it stood at
 * the end of each day, reports/collection-curve.ts), daily and weekly contacts by channel and outcome,
 * the reinstatement rate of each month's suspensions, and the non-payment reasons ranked.
 */
export function collectionCurveChart(language: Language, curve: CollectionCurve): Html {
  const words = wordsFor(language);
  const percent = (n: number, d: number) => (roundedRatio(fraction(n, d), 4) ?? 0) * 100;
  const last = curve.points.at(-1);
  return chartFigure({
    id: 'chart-curve',
    title: words.curveTitle(curve.month),
    summary: words.curveSummary(
      curve.month,
      last?.day ?? curve.asOf,
      formatPercent(fraction(last?.premiumFen ?? 0, curve.premiumDueFen)),
      formatPercent(fraction(last?.cases ?? 0, curve.casesDue)),
    ),
    option: {
      grid: { left: 56, right: 24, top: 48, bottom: 40 },
      legend: { top: 8, data: [words.byPremium, words.byCase] },
      xAxis: { type: 'category', data: curve.points.map((p) => p.day.slice(5)), name: words.day, nameLocation: 'middle', nameGap: 28 },
      yAxis: { type: 'value', min: 0, max: 100, axisLabel: { formatter: '{value}%' } },
      series: [
        { name: words.byPremium, type: 'line', step: 'end', symbol: 'none', data: curve.points.map((p) => percent(p.premiumFen, curve.premiumDueFen)) },
        { name: words.byCase, type: 'line', step: 'end', symbol: 'none', lineStyle: { type: 'dashed' }, data: curve.points.map((p) => percent(p.cases, curve.casesDue)) },
      ],
    },
    table: {
      caption: words.chartTable,
      head: [words.day, words.casesCollected, words.premiumCollected, words.byCase, words.byPremium],
      rows: curve.points.map((p) => [p.day, String(p.cases), formatYuan(p.premiumFen), formatPercent(fraction(p.cases, curve.casesDue)), formatPercent(fraction(p.premiumFen, curve.premiumDueFen))]),
    },
  });
}

/** Contacts by channel and outcome: home's month so far, or a daily or weekly report's period. */
export function contactChart(contacts: DailyReport['contactsByChannel'], words: Words, title: string, summary: (counts: string) => string): Html {
  const outcomes = ['delivered', 'sent', 'failed', 'suppressed', 'pending'] as const;
  const channel = (code: string) => words.channelNames[code] ?? code;
  return chartFigure({
    id: 'chart-contacts',
    title,
    summary: summary(contacts.map((c) => `${channel(c.channel)} ${c.attempts}`).join(words.listSeparator) || words.none),
    option: {
      grid: { left: 72, right: 24, top: 48, bottom: 32 },
      legend: { top: 8, data: outcomes.map((o) => words.contactOutcomes[o] ?? o) },
      yAxis: { type: 'category', data: contacts.map((c) => channel(c.channel)) },
      xAxis: { type: 'value', minInterval: 1 },
      series: outcomes.map((o) => ({ name: words.contactOutcomes[o] ?? o, type: 'bar' as const, stack: 'contacts', data: contacts.map((c) => c[o]) })),
    },
    table: {
      caption: words.chartTable,
      head: [words.channel, ...outcomes.map((o) => words.contactOutcomes[o] ?? o), words.attemptsTotal],
      rows: contacts.map((c) => [channel(c.channel), ...outcomes.map((o) => String(c[o])), String(c.attempts)]),
    },
  });
}

function reinstatementChart(report: ReinstatementReport, words: Words): Html {
  const months = report.byMonth;
  const percent = (rate: ReinstatementReport['total']['rate']['byCase']) => (roundedRatio(rate, 4) ?? 0) * 100;
  return chartFigure({
    id: 'chart-reinstatement',
    title: words.reinstatementChartTitle(report.from, report.to),
    summary: words.reinstatementChartSummary(months.map((m) => `${m.key} ${formatPercent(m.figures.rate.byCase)} / ${formatPercent(m.figures.rate.byPremium)}`).join(words.listSeparator)),
    option: {
      grid: { left: 56, right: 24, top: 48, bottom: 32 },
      legend: { top: 8, data: [words.byCase, words.byPremium] },
      xAxis: { type: 'category', data: months.map((m) => m.key) },
      yAxis: { type: 'value', min: 0, max: 100, axisLabel: { formatter: '{value}%' } },
      series: [
        { name: words.byCase, type: 'bar', data: months.map((m) => percent(m.figures.rate.byCase)) },
        { name: words.byPremium, type: 'bar', data: months.map((m) => percent(m.figures.rate.byPremium)) },
      ],
    },
    table: {
      caption: words.chartTable,
      head: [words.runMonth, words.suspendedCases, words.reinstatedCases, words.byCase, words.byPremium],
      rows: months.map((m) => [m.key, String(m.figures.suspended.cases), String(m.figures.reinstated.cases), formatPercent(m.figures.rate.byCase), formatPercent(m.figures.rate.byPremium)]),
    },
  });
}

/** The non-payment reasons with cases, most first, in the person's language (domain/non-payment-reasons.ts). */
function lapseReasonsChart(report: LapseReasonsReport, language: Language, words: Words): Html {
  const reasons = report.reasons.filter((r) => r.cases > 0);
  const name = (code: number) => (isNonPaymentReason(code) ? NON_PAYMENT_REASONS[code][language === 'en' ? 'en' : 'zh'] : String(code));
  const label = (r: (typeof reasons)[number]) => `${r.top ? '★ ' : ''}${r.code} ${name(r.code)}`;
  return chartFigure({
    id: 'chart-lapse-reasons',
    title: words.lapseReasonsChartTitle(report.month),
    summary: words.lapseReasonsChartSummary(reasons.map((r) => `${label(r)} ${r.cases}`).join(words.listSeparator) || words.none),
    height: Math.max(200, 60 + 32 * reasons.length),
    option: {
      grid: { left: 200, right: 48, top: 16, bottom: 32 },
      yAxis: { type: 'category', inverse: true, data: reasons.map(label) },
      xAxis: { type: 'value', minInterval: 1 },
      series: [{ name: words.cases, type: 'bar', data: reasons.map((r) => r.cases), label: { show: true, position: 'right' } }],
    },
    table: {
      caption: words.chartTable,
      head: [words.refusalReason, words.cases, words.share],
      rows: reasons.map((r) => [label(r), String(r.cases), formatPercent(r.share)]),
    },
  });
}

/** The chart a report's page shows, from the report itself; the monthly curve needs its own figures (the route reads them). */
export function reportChart(language: Language, kind: ReportKind, report: TabularReport): Html | undefined {
  const words = wordsFor(language);
  if (kind === 'daily') {
    const daily = report as DailyReport;
    return contactChart(daily.contactsByChannel, words, words.contactChartTitle(daily.date), words.contactPeriodSummary);
  }
  if (kind === 'weekly') {
    const weekly = report as WeeklyReport;
    return contactChart(weekly.contactsByChannel, words, words.contactChartTitle(weekly.week), words.contactPeriodSummary);
  }
  if (kind === 'reinstatement') return reinstatementChart(report as ReinstatementReport, words);
  if (kind === 'lapse-reasons') return lapseReasonsChart(report as LapseReasonsReport, language, words);
  return undefined;
}
