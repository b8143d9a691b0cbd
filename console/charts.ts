import * as echarts from 'echarts';
import { html, Html } from './html';

/**
 * Charts drawn on the server by Apache ECharts as SVG (docs/architecture.md#console): no script
 * reaches the browser, and the SVG is made to fit the content security policy, which allows no inline
 * style: ECharts' hover rules (a <style> element) are dropped, since nothing hovers without its script,
 * and its style attributes become the SVG presentation attributes they stand for. Every chart carries
 * an accessible name and is followed by a table of the same figures.
 */

const FONT = 'Noto Sans CJK SC, PingFang SC, Microsoft YaHei, sans-serif';
/** The console's blue first, then colours that stay apart for most colour-blind readers. */
const PALETTE = ['#0b4f6c', '#f0a202', '#20a39e', '#a4161a', '#6c4f9c', '#7a8b99'];

export interface ChartTable {
  caption: string;
  head: readonly string[];
  rows: readonly (readonly string[])[];
}

export interface ChartSpec {
  id: string;
  title: string;
  /** What the chart shows in one sentence: its accessible name. */
  summary: string;
  option: echarts.EChartsOption;
  table: ChartTable;
  width?: number;
  height?: number;
}

/** Properties ECharts writes in style="" that SVG also takes as attributes. */
const PRESENTATION = new Set(['font-size', 'font-family', 'font-weight', 'font-style', 'fill', 'stroke', 'opacity', 'fill-opacity', 'stroke-opacity']);

/** ECharts' SVG made fit for the policy: no <style>, no style="", no class hooks for the dropped rules. */
export function policySafeSvg(svg: string): string {
  return svg
    .replace(/<style[\s\S]*?<\/style>/g, '')
    .replace(/ class="zr\d+-cls-\d+"/g, '')
    .replace(/ style="([^"]*)"/g, (_all, declarations: string) =>
      declarations
        .split(';')
        .map((declaration) => declaration.split(':').map((part) => part.trim()))
        .filter(([name, value]) => name && value && PRESENTATION.has(name))
        .map(([name, value]) => ` ${name}="${value}"`)
        .join(''),
    );
}

/** The chart as SVG text, rendered once and disposed (an undisposed instance keeps the process alive). */
export function chartSvg(option: echarts.EChartsOption, width: number, height: number): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  try {
    chart.setOption({ animation: false, color: PALETTE, textStyle: { fontFamily: FONT }, ...option });
    return policySafeSvg(chart.renderToSVGString());
  } finally {
    chart.dispose();
  }
}

/**
 * A chart in a card: the SVG as an image with its name, then its figures as a table. A table that may
 * scroll sideways takes the focus so the keyboard can scroll it; a named group, not a region, so it
 * does not repeat its card's landmark.
 */
export function chartFigure(spec: ChartSpec): Html {
  const svg = chartSvg(spec.option, spec.width ?? 640, spec.height ?? 300).replace('<svg ', `<svg role="img" aria-labelledby="${spec.id}-summary" `);
  return html`<section class="card chart" aria-labelledby="${spec.id}-heading" id="${spec.id}">
  <h3 id="${spec.id}-heading">${spec.title}</h3>
  <p class="muted" id="${spec.id}-summary">${spec.summary}</p>
  <div class="chart-svg">${new Html(svg)}</div>
  <details>
    <summary>${spec.table.caption}</summary>
    <div class="table-scroll" tabindex="0" role="group" aria-labelledby="${spec.id}-heading"><table id="${spec.id}-table">
      <thead><tr>${spec.table.head.map((h) => html`<th scope="col">${h}</th>`)}</tr></thead>
      <tbody>${spec.table.rows.map((row) => html`<tr>${row.map((cell, i) => (i === 0 ? html`<th scope="row">${cell}</th>` : html`<td class="number">${cell}</td>`))}</tr>`)}</tbody>
    </table></div>
  </details>
</section>`;
}
