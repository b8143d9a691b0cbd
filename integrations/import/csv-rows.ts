import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream';
import { CsvError, parse } from 'csv-parse';
import { headerColumn, type ImportMapping } from '../../domain/import-mapping';
import { EncodingSniffer, type FileEncoding } from './encoding-sniffer';

export type { FileEncoding };

/** One data row: its row number as Excel shows it (header = row 1) and its values by column name. */
export interface CsvRow {
  rowNo: number;
  values: Record<string, string>;
  /**
   * Set when the row cannot be read as columns (wrong number of values); values then hold only the
   * cells before the first missing one (enough to name the row's key when it comes first).
   */
  problem?: string;
}

/** The whole file cannot be imported: unreadable, empty, or a header that does not fit. */
export class ImportFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImportFileError';
  }
}

/**
 * Streams the rows of one import file (CSV in UTF-8 with or without BOM, or GBK) after checking its
 * header against the expected columns: every column present once, none unknown, in any order.
 * Blank rows are skipped but still counted, so row numbers stay those the operator sees in Excel.
 * After the rows are read, `encoding`, `sha256` and `bytesRead` describe the file.
 */
export class CsvFile {
  private sniffer: EncodingSniffer | undefined;
  private readonly hash = createHash('sha256');
  private digest: string | undefined;
  bytesRead = 0;

  /**
   * `columns` must all be in the header, `optional` may be; a mapping file renames the core
   * system's header cells to ours and skips the ones it ignores (domain/import-mapping.ts).
   */
  constructor(
    readonly path: string,
    private readonly columns: readonly string[],
    private readonly options: { optional?: readonly string[]; mapping?: ImportMapping } = {},
  ) {}

  get encoding(): FileEncoding {
    return this.sniffer?.encoding ?? 'utf-8';
  }

  get sha256(): string {
    this.digest ??= this.hash.digest('hex');
    return this.digest;
  }

  async *rows(): AsyncGenerator<CsvRow> {
    const sniffer = new EncodingSniffer((chunk) => {
      this.hash.update(chunk);
      this.bytesRead += chunk.length;
    });
    this.sniffer = sniffer;
    // Quotes inside a value and rows of the wrong width are the row's problem, not the file's.
    const parser = parse({ relax_quotes: true, relax_column_count: true, skip_empty_lines: false });
    pipeline(createReadStream(this.path), sniffer, parser, () => {});

    /** Our column of each header cell; undefined for a cell the mapping ignores. */
    let header: (string | undefined)[] | undefined;
    let rowNo = 0;
    try {
      for await (const record of parser as AsyncIterable<string[]>) {
        rowNo += 1;
        if (!header) {
          header = record.map((name) => headerColumn(this.options.mapping, name));
          this.checkHeader(header.filter((name): name is string => name !== undefined));
          continue;
        }
        if (record.every((value) => value.trim() === '')) continue;
        const values: Record<string, string> = {};
        header.slice(0, record.length).forEach((name, i) => name !== undefined && (values[name] = record[i] ?? ''));
        if (record.length !== header.length) {
          yield { rowNo, values, problem: `row has ${record.length} values where the header has ${header.length} columns` };
          continue;
        }
        yield { rowNo, values };
      }
    } catch (error) {
      throw describeReadError(error, this.path);
    } finally {
      parser.destroy();
    }
    if (!header) throw new ImportFileError(`${this.path} is empty: the first row must name the columns (${this.columns.join(', ')})`);
  }

  private checkHeader(header: readonly string[]): void {
    const problems: string[] = [];
    const known = [...this.columns, ...(this.options.optional ?? [])];
    const missing = this.columns.filter((c) => !header.includes(c));
    if (missing.length > 0) problems.push(`missing column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`);
    const unknown = header.filter((c) => !known.includes(c));
    if (unknown.length > 0) problems.push(`unknown column${unknown.length > 1 ? 's' : ''} ${unknown.map((c) => (c === '' ? '(empty)' : c)).join(', ')}`);
    const repeated = header.filter((c, i) => header.indexOf(c) !== i && known.includes(c));
    if (repeated.length > 0) problems.push(`column${repeated.length > 1 ? 's' : ''} ${[...new Set(repeated)].join(', ')} given twice`);
    if (problems.length > 0) {
      const mapped = this.options.mapping ? ' (after the mapping file renamed and skipped columns)' : '';
      throw new ImportFileError(`${this.path}: header row${mapped}: ${problems.join('; ')}`);
    }
  }
}

function describeReadError(error: unknown, path: string): Error {
  if (error instanceof ImportFileError) return error;
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new ImportFileError(`cannot read ${path}: no such file`);
  if (code === 'EACCES') return new ImportFileError(`cannot read ${path}: permission denied`);
  if (code === 'EISDIR') return new ImportFileError(`cannot read ${path}: it is a directory`);
  // csv-parse messages can quote the values around the fault: keep only its code and line.
  if (error instanceof CsvError) {
    const line = (error as CsvError & { lines?: number }).lines;
    if (error.code === 'CSV_QUOTE_NOT_CLOSED') return new ImportFileError(`${path}: a quoted value opened near line ${line} is never closed`);
    return new ImportFileError(`${path}: cannot read as CSV near line ${line} (${error.code})`);
  }
  return new ImportFileError(`cannot read ${path}: ${code ?? (error instanceof Error ? error.name : 'error')}`);
}
