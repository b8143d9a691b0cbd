import { basename } from 'node:path';
import type { Knex } from 'knex';
import { COLUMNS_OF, KEY_COLUMN_OF, type ImportKind } from '../domain/import-columns';
import {
  validateAgentRow,
  validatePolicyRow,
  validateProductRow,
  type AgentRecord,
  type PolicyRecord,
  type ProductRecord,
  type RowCheck,
} from '../domain/import-rows';
import type { PiiCipher } from '../db/pii-cipher';
import {
  failImportRun,
  finishImportRun,
  startImportRun,
  writeAgents,
  writeInBatch,
  writeProducts,
  type BatchOutcome,
  type BatchResult,
  type PendingRow,
  type RejectedRow,
} from '../db/repositories/import';
import { writePolicies } from '../db/repositories/import-policies';
import { CsvFile, ImportFileError, type FileEncoding } from '../integrations/import/csv-rows';

export { ImportFileError };

export interface ImportReport {
  kind: ImportKind;
  file: string;
  encoding: FileEncoding;
  rows: number;
  inserted: number;
  updated: number;
  unchanged: number;
  rejected: { row: number; column: string; reason: string }[];
}

export interface ImportOptions {
  /** Called after each batch is written, with the data rows read so far. */
  onProgress?: (rowsRead: number) => void;
  /** Rows written per transaction (default 1000). */
  batchSize?: number;
}

/** How each file is validated, keyed and written. */
interface FileKind<T> {
  validate: (values: Record<string, string>) => RowCheck<T>;
  key: (record: T) => string;
  write: (trx: Knex.Transaction, cipher: PiiCipher, runId: number, rows: readonly PendingRow<T>[]) => Promise<BatchOutcome>;
}

const erased = <T>(kind: FileKind<T>) => kind as unknown as FileKind<unknown>;

const KINDS: Record<ImportKind, FileKind<unknown>> = {
  policies: erased<PolicyRecord>({ validate: validatePolicyRow, key: (r) => r.policyNo, write: writePolicies }),
  agents: erased<AgentRecord>({ validate: validateAgentRow, key: (r) => r.code, write: writeAgents }),
  products: erased<ProductRecord>({ validate: validateProductRow, key: (r) => r.code, write: (trx, _cipher, _runId, rows) => writeProducts(trx, rows) }),
};

/**
 * Imports one file (docs/business-rules.md#import-files): streamed, every row validated, valid rows written
 * in batches (each policy with all its parts in one transaction, never half), bad rows reported by
 * row number, column and reason, and the run recorded in import_runs. A policy number (agent,
 * product code) seen twice keeps its first row; the later one is reported. Throws ImportFileError
 * when the file as a whole cannot be read (missing, empty, header not as expected).
 */
export async function importFile(db: Knex, cipher: PiiCipher, kind: ImportKind, path: string, options: ImportOptions = {}): Promise<ImportReport> {
  const batchSize = Math.max(1, Math.floor(options.batchSize ?? 1000));
  const spec = KINDS[kind];
  const keyColumn = KEY_COLUMN_OF[kind];
  const file = new CsvFile(path, COLUMNS_OF[kind]);
  const runId = await startImportRun(db, { kind, fileName: basename(path) });
  const report: ImportReport = { kind, file: path, encoding: 'utf-8', rows: 0, inserted: 0, updated: 0, unchanged: 0, rejected: [] };
  const firstRowOf = new Map<string, number>();

  // One batch is written while the next is read and validated; its failure is kept, not left unhandled.
  let writing: Promise<void> = Promise.resolve();
  let writeFailure: Error | undefined;
  const tally = (result: BatchResult) => {
    report.inserted += result.inserted;
    report.updated += result.updated;
    report.unchanged += result.unchanged;
    report.rejected.push(...result.rejected);
    options.onProgress?.(report.rows);
  };
  const flush = async (batch: PendingRow<unknown>[]) => {
    await writing;
    if (writeFailure !== undefined) throw writeFailure;
    writing = writeInBatch(db, batch, (trx, rows) => spec.write(trx, cipher, runId, rows)).then(tally, (error: unknown) => {
      writeFailure = error instanceof Error ? error : new Error(String(error));
    });
  };

  try {
    let batch: PendingRow<unknown>[] = [];
    for await (const row of file.rows()) {
      report.rows += 1;
      if (row.problem) {
        report.rejected.push({ row: row.rowNo, column: '(row)', reason: row.problem });
        continue;
      }
      const checked = spec.validate(row.values);
      if (!checked.ok) {
        report.rejected.push(...checked.errors.map((e) => ({ row: row.rowNo, ...e })));
        continue;
      }
      const key = spec.key(checked.record);
      const first = firstRowOf.get(key);
      if (first !== undefined) {
        report.rejected.push({ row: row.rowNo, column: keyColumn, reason: `${keyColumn} repeats row ${first}: only the first is imported` });
        continue;
      }
      firstRowOf.set(key, row.rowNo);
      batch.push({ rowNo: row.rowNo, record: checked.record });
      if (batch.length >= batchSize) {
        await flush(batch);
        batch = [];
      }
    }
    await flush(batch);
    await writing;
    if (writeFailure !== undefined) throw writeFailure;
  } catch (error) {
    await writing;
    await failImportRun(db, runId, error instanceof ImportFileError ? error.message : `import stopped: ${describe(error)}`);
    throw error;
  }

  report.encoding = file.encoding;
  report.rejected.sort(byRow);
  options.onProgress?.(report.rows);
  await finishImportRun(db, runId, { ...report, sha256: file.sha256 });
  return report;
}

function byRow(a: RejectedRow, b: RejectedRow): number {
  return a.row - b.row;
}

/** Errors that stop an import (the database went away…): by class and code, never by row values. */
function describe(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  return `${error instanceof Error ? error.name : 'error'}${typeof code === 'string' ? ` ${code}` : ''}`;
}
