import Table from 'cli-table3';
import { stringify } from 'csv-stringify/sync';
import ExcelJS from 'exceljs';
import { formatYuan } from '../domain/money';
import { formatPercent, roundedRatio, type Fraction } from '../domain/kpis';
import { inertCsvText } from './csv-cells';
import type { Cell, CellKind, ReportSection, TabularReport } from './report';

export const REPORT_FORMATS = ['table', 'csv', 'xlsx', 'json'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** Excel reads a UTF-8 CSV as the local code page (GBK on Chinese Windows) unless it starts with a BOM. */
export const UTF8_BOM = '\uFEFF';

/**
 * Any report made of sections (daily, monthly, reinstatement, lapsed) in one of four formats. Money
 * is fen in the report: yuan with 2 decimals in table/CSV, yuan numbers in XLSX, fen in JSON (as
 * stored). Writing it to a file or stdout is application/report-delivery.ts's.
 */
export async function renderReport(report: TabularReport, format: ReportFormat): Promise<string | Buffer> {
  if (format === 'xlsx') return reportWorkbook(report);
  return { table: reportTable, csv: reportCsv, json: reportJson }[format](report);
}

function isFraction(value: Cell): value is Fraction {
  return typeof value === 'object' && value !== null && 'numerator' in value && 'denominator' in value;
}

/** A cell as people read it: yuan with 2 decimals, rates as percentages rounded half up. */
export function cellText(kind: CellKind, value: Cell): string {
  if (value === null || value === undefined) return '';
  if (isFraction(value)) return formatPercent(value);
  if (kind === 'money' && typeof value === 'number') return formatYuan(value);
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  return String(value);
}

function parameterLine(report: TabularReport): string {
  return Object.entries(report.parameters)
    .map(([k, v]) => `${k}: ${v}`)
    .join('  ');
}

export function reportTable(report: TabularReport): string {
  const parts = [`${report.title}\n${parameterLine(report)}\n`];
  for (const section of report.sections) {
    parts.push(`\n${section.title}\n`);
    if (section.note) parts.push(`${section.note}\n`);
    if (section.rows.length === 0) {
      parts.push('(none)\n');
      continue;
    }
    const numeric = section.columns.map((c) => c.kind === 'money' || c.kind === 'count' || c.kind === 'rate');
    const table = new Table({
      head: section.columns.map((c) => c.header),
      style: { head: [], border: [] },
      // No rule between rows: report sections run to dozens of rows.
      chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
      colAligns: numeric.map((n) => (n ? 'right' : 'left')),
    });
    for (const row of section.rows) table.push(section.columns.map((c) => cellText(c.kind, row[c.key] ?? null)));
    parts.push(`${table.toString()}\n`);
  }
  return parts.join('');
}

/**
 * A cell of the CSV: figures (numbers, rates, yes/no) as cellText writes them; text (names, codes,
 * titles) made inert, so a product or branch name cannot run as a formula.
 */
function csvCell(kind: CellKind, value: Cell): string {
  return typeof value === 'string' ? inertCsvText(cellText(kind, value)) : cellText(kind, value);
}

/** One CSV holding every section: its title, its header row, its rows, then a blank line. */
export function reportCsv(report: TabularReport): string {
  const records: string[][] = [[inertCsvText(report.title)], ...Object.entries(report.parameters).map(([k, v]) => [inertCsvText(k), inertCsvText(v)]), []];
  for (const section of report.sections) {
    records.push([inertCsvText(section.title)]);
    if (section.note) records.push([inertCsvText(section.note)]);
    records.push(section.columns.map((c) => inertCsvText(c.header)));
    for (const row of section.rows) records.push(section.columns.map((c) => csvCell(c.kind, row[c.key] ?? null)));
    records.push([]);
  }
  return UTF8_BOM + stringify(records, { record_delimiter: 'windows' });
}

/** The report object as it is, rates with their percentage added for readers that do not divide. */
export function reportJson(report: TabularReport): string {
  const withPercent = (_key: string, value: unknown): unknown =>
    typeof value === 'object' && value !== null && 'numerator' in value && 'denominator' in value && !('percent' in value)
      ? { ...value, percent: formatPercent(value as Fraction) }
      : value;
  return `${JSON.stringify(report, withPercent, 2)}\n`;
}

const NUMBER_FORMATS: Partial<Record<CellKind, string>> = { money: '#,##0.00', rate: '0.00%', count: '0' };

/** Excel forbids these in sheet names and caps them at 31 characters. */
function sheetName(section: ReportSection, used: Set<string>): string {
  const base = section.key.replace(/[[\]:*?/\\]/g, '_').slice(0, 31) || 'sheet';
  let name = base;
  for (let n = 2; used.has(name.toLowerCase()); n += 1) name = `${base.slice(0, 28)}_${n}`;
  used.add(name.toLowerCase());
  return name;
}

function workbookValue(kind: CellKind, value: Cell): string | number | null {
  if (value === null || value === undefined) return null;
  if (isFraction(value)) return roundedRatio(value, 6);
  if (kind === 'money' && typeof value === 'number') return value / 100;
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  return value;
}

/**
 * One sheet per section (header row bold and frozen), after an 'about' sheet with the parameters and
 * notes. Text goes in as JS strings, which exceljs writes as string cells whatever they start with
 * (a formula only from { formula }), so no name here can become a formula: no ' is added.
 */
export async function reportWorkbook(report: TabularReport): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'renewals';
  const about = workbook.addWorksheet('about');
  about.addRow([report.title]).font = { bold: true };
  for (const [key, value] of Object.entries(report.parameters)) about.addRow([key, value]);
  about.addRow([]);
  for (const section of report.sections) about.addRow([section.key, section.title, section.note ?? '']);
  about.getColumn(1).width = 20;
  about.getColumn(2).width = 40;

  const used = new Set(['about']);
  for (const section of report.sections) {
    const sheet = workbook.addWorksheet(sheetName(section, used), { views: [{ state: 'frozen', ySplit: 1 }] });
    sheet.columns = section.columns.map((c) => ({
      header: c.header,
      key: c.key,
      width: Math.min(Math.max(12, c.header.length + 4), 40),
      style: NUMBER_FORMATS[c.kind] ? { numFmt: NUMBER_FORMATS[c.kind] } : {},
    }));
    sheet.getRow(1).font = { bold: true };
    for (const row of section.rows) {
      sheet.addRow(Object.fromEntries(section.columns.map((c) => [c.key, workbookValue(c.kind, row[c.key] ?? null)])));
    }
  }
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
