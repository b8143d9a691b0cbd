import Table from 'cli-table3';

/** One column of a table: its header and how to read it from a row. */
export interface Column<Row> {
  header: string;
  value: (row: Row) => string | number | boolean | null | undefined;
}

export interface OutputOptions {
  json?: boolean;
}

/** Read commands print a table for people and, with --json, the same rows for programs. */
export function printRows<Row>(rows: readonly Row[], columns: readonly Column<Row>[], options: OutputOptions, out = process.stdout): void {
  if (options.json) {
    out.write(`${JSON.stringify(rows, null, 2)}\n`);
    return;
  }
  if (rows.length === 0) {
    out.write('(none)\n');
    return;
  }
  const table = new Table({ head: columns.map((c) => c.header), style: { head: [], border: [] } });
  for (const row of rows) table.push(columns.map((c) => format(c.value(row))));
  out.write(`${table.toString()}\n`);
}

/** A single record: key/value lines for people, the object itself with --json. */
export function printRecord(record: Record<string, unknown>, options: OutputOptions, out = process.stdout): void {
  if (options.json) {
    out.write(`${JSON.stringify(record, null, 2)}\n`);
    return;
  }
  const width = Math.max(...Object.keys(record).map((k) => k.length));
  for (const [key, value] of Object.entries(record)) out.write(`${key.padEnd(width)}  ${format(value)}\n`);
}

function format(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value);
}
