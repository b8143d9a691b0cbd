import type { ReportSection, TabularReport } from '../reports/report';
import { cellText } from '../reports/report-output';
import { html, type Html } from './html';
import { wordsFor, type Language, type Words } from './i18n';
import { layout, scopeName } from './pages';
import { FIELD_SHAPES, fieldsOf, isRequired, periodQuery, type PeriodField, type PeriodInput, type ReportKind } from './report-kinds';
import type { ConsoleSession } from './sessions';

/**
 * The reports pages (docs/architecture.md#console): the reports the person may have, each with a GET
 * form for its period, and a report on screen: every section of the builder's report as a table with
 * the cells the CLI's table prints (reports/report-output.ts `cellText`), and the downloads.
 */

const PLACEHOLDERS: Record<(typeof FIELD_SHAPES)[PeriodField], string> = { date: '2026-07-15', week: '2026-W29', month: '2026-07' };

export interface PeriodProblem {
  field: PeriodField;
  text: string;
}

function periodForm(kind: ReportKind, words: Words, typed: PeriodInput, problem?: PeriodProblem): Html {
  const fields = fieldsOf(kind).map((field) => {
    const id = `${kind}-${field}`;
    const invalid = problem?.field === field;
    const value = typed[field];
    return html`<label for="${id}">${words.reportFields[field] ?? field}${isRequired(kind, field) ? '' : html` <span class="muted">${words.reportOptional}</span>`}</label>
    <input type="text" id="${id}" name="${field}" placeholder="${PLACEHOLDERS[FIELD_SHAPES[field]]}" maxlength="16"${isRequired(kind, field) ? html` required` : ''}${value !== undefined ? html` value="${value}"` : ''}${invalid ? html` aria-invalid="true" aria-describedby="problem"` : ''}>`;
  });
  return html`<form method="get" action="/reports/${kind}" class="report-form" id="form-${kind}">
    ${fields}
    <div><button type="submit">${words.showReport}</button></div>
  </form>`;
}

export function reportsPage(language: Language, session: ConsoleSession, kinds: readonly ReportKind[]): string {
  const words = wordsFor(language);
  const cards = kinds.map(
    (kind) => html`<section class="card" aria-labelledby="kind-${kind}">
  <h2 id="kind-${kind}">${words.reportNames[kind] ?? kind}</h2>
  <p class="muted">${words.reportAbout[kind] ?? ""}</p>
  ${periodForm(kind, words, {})}
</section>`,
  );
  const body = html`<section class="card" aria-labelledby="reports-heading">
  <h2 id="reports-heading">${words.reports}</h2>
  <p class="muted">${words.reportsIntro}</p>
  <dl><dt>${words.scope}</dt><dd id="scope">${scopeName(session, words)}</dd></dl>
</section>
${cards}`;
  return layout({ language, csrfToken: session.csrfToken, path: '/reports', session }, words.reports, body);
}

/** Each table scrolls sideways in a focusable named group, as a chart's table does (console/charts.ts). */
function sectionTable(section: ReportSection, words: Words): Html {
  const numeric = (kind: string) => kind === 'money' || kind === 'count' || kind === 'rate';
  const head = section.columns.map((c) => html`<th scope="col"${numeric(c.kind) ? html` class="number"` : ''}>${c.header}</th>`);
  const rows = section.rows.map(
    (row) => html`<tr>${section.columns.map((c, i) => (i === 0 ? html`<th scope="row">${cellText(c.kind, row[c.key] ?? null)}</th>` : html`<td${numeric(c.kind) ? html` class="number"` : ''}>${cellText(c.kind, row[c.key] ?? null)}</td>`))}</tr>`,
  );
  return html`<section class="card report-section" aria-labelledby="section-${section.key}-heading">
  <h3 id="section-${section.key}-heading">${section.title}</h3>
  ${section.note ? html`<p class="muted">${section.note}</p>` : ''}
  ${section.rows.length === 0 ? html`<p id="section-${section.key}-none">${words.reportNoRows}</p>` : html`<div class="table-scroll" tabindex="0" role="group" aria-labelledby="section-${section.key}-heading"><table id="section-${section.key}"><thead><tr>${head}</tr></thead><tbody>${rows}</tbody></table></div>`}
</section>`;
}

export interface ReportView {
  kind: ReportKind;
  typed: PeriodInput;
  problem?: PeriodProblem;
  report?: TabularReport;
  /** Charts drawn from the report's figures (inline SVG with their text alternative). */
  charts?: Html;
}

export function reportPage(language: Language, session: ConsoleSession, view: ReportView): string {
  const words = wordsFor(language);
  const { kind, report } = view;
  const query = periodQuery(view.typed);
  const downloads = report
    ? html`<p class="downloads" id="downloads"><a href="/reports/${kind}.xlsx${query ? `?${query}` : ''}" download>${words.downloadXlsx}</a> <a href="/reports/${kind}.csv${query ? `?${query}` : ''}" download>${words.downloadCsv}</a></p>`
    : '';
  const parameters = report ? Object.entries(report.parameters).map(([key, value]) => html`<dt>${key}</dt><dd data-parameter="${key}">${value}</dd>`) : [];
  const body = html`<p><a href="/reports">${words.backToReports}</a></p>
<section class="card" aria-labelledby="report-heading">
  <h2 id="report-heading">${words.reportNames[kind] ?? kind}</h2>
  ${view.problem ? html`<p class="error" role="alert" id="problem">${view.problem.text}</p>` : ''}
  ${periodForm(kind, words, view.typed, view.problem)}
</section>
${
  report
    ? html`<section class="card" aria-labelledby="report-title">
  <h2 id="report-title">${report.title}</h2>
  <dl id="report-parameters">${parameters}</dl>
  ${downloads}
</section>
${view.charts ?? ''}
${report.sections.map((section) => sectionTable(section, words))}`
    : ''
}`;
  // The language switch returns here, with the period when the report is shown (only checked periods).
  const path = report && query ? `/reports/${kind}?${query}` : `/reports/${kind}`;
  return layout({ language, csrfToken: session.csrfToken, path, session }, words.reportNames[kind] ?? kind, body);
}
