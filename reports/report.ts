import type { Fraction } from '../domain/kpis';

/**
 * The shape every report takes for output: titled sections of rows with typed columns, so one
 * writer renders daily and monthly reports as a table, CSV, XLSX or JSON.
 */
export type CellKind = 'text' | 'count' | 'money' | 'rate' | 'date';

/** money: integer fen; rate: an exact fraction; count: a whole number; text/date: strings. */
export type Cell = string | number | Fraction | boolean | null;

export interface ReportColumn {
  key: string;
  header: string;
  kind: CellKind;
}

export interface ReportSection {
  key: string;
  title: string;
  columns: ReportColumn[];
  rows: Record<string, Cell>[];
  /** What the figures count, for readers of the file (printed under the title). */
  note?: string;
}

export interface TabularReport {
  title: string;
  /** What the report was asked for and when it was made: month, as-of date, generated at. */
  parameters: Record<string, string>;
  sections: ReportSection[];
  /**
   * The report names people (agents' or collectors' codes next to their own performance): written
   * owner-only (0600) like other personal data (docs/business-rules.md#team-reports).
   */
  personalData?: boolean;
}

/** Columns from a compact list: [key, header, kind]. */
export function columns(...specs: [string, string, CellKind][]): ReportColumn[] {
  return specs.map(([key, header, kind]) => ({ key, header, kind }));
}

/** pg returns sum()/count() of bigint as text (numeric): read them as exact JS integers. */
export function whole(value: unknown): number {
  if (value === null || value === undefined) return 0;
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n)) throw new RangeError(`report figure is not a safe integer: ${JSON.stringify(value)}`);
  return n;
}
