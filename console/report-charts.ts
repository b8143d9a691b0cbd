import { fraction, formatPercent, roundedRatio } from '../domain/kpis';
import { formatYuan } from '../domain/money';
import type { CollectionCurve } from '../reports/collection-curve';
import { chartFigure } from './charts';
import type { Html } from './html';
import { wordsFor, type Language } from './i18n';

/**
 * The monthly report's chart (docs/architecture.md#console): the month's collection curve by day, the
 * 当月 rate by premium and by case as it stood at the end of each day (reports/collection-curve.ts).
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
