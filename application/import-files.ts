import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Knex } from 'knex';
import { COLUMNS_OF, KEY_COLUMN_OF, OPTIONAL_COLUMNS_OF, type ImportKind } from '../domain/import-columns';
import { mapCodes, MappingError, parseImportMapping, type ImportMapping } from '../domain/import-mapping';
import {
  validateAgentRow,
  validatePolicyRow,
  validateProductRow,
  rowKey,
  type AgentRecord,
  type ProductRecord,
  type RowCheck,
} from '../domain/import-rows';
import type { PiiCipher } from '../db/pii-cipher';
import { refreshContactFlags, type ContactFlagsRefresh } from '../db/repositories/contact-quality';
import {
  batchConnections,
  failImportRun,
  finishImportRun,
  prepareAgents,
  startImportRun,
  withImportLock,
  writeAgents,
  writeInBatch,
  writeProducts,
  type BatchOutcome,
  type BatchResult,
  type PendingRow,
  type RejectedRow,
} from '../db/repositories/import';
import { preparePolicies, writePolicies } from '../db/repositories/import-policies';
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
  /** Each problem by row number, the row's key (policy number, agent or product code; null when it has no valid one), column and reason. */
  rejected: { row: number; key: string | null; column: string; reason: string }[];
  /**
   * Contact-quality flags recomputed after a policies or agents import (docs/business-rules.md#verified-contact-points):
   * new holders' numbers are checked against agents and each other at once, not when someone next runs the command.
   */
  contactFlags?: ContactFlagsRefresh;
}

/** A mapping file as read for one import: its checked content and what identifies it in import_runs. */
export interface MappingFile {
  mapping: ImportMapping;
  fileName: string;
  sha256: string;
}

export interface ImportOptions {
  /** Called after each batch is written, with the number of data rows up to which every batch is written. */
  onProgress?: (rowsRead: number) => void;
  /** Rows written per transaction (default 1000). */
  batchSize?: number;
  /**
   * Policy batches written at once, each in its own transaction (default 3; at most the pool's size less 2).
   * Agents and products are written one batch at a time (docs/architecture.md#imports).
   */
  concurrency?: number;
  /** The core system's column names and codes (readMappingFile). */
  mapping?: MappingFile;
}

/**
 * Reads and checks a mapping file for an import of `kind` (docs/business-rules.md#mapping-file).
 * Throws ImportFileError naming the file and the key at fault; the file is not personal data.
 */
export async function readMappingFile(path: string, kind: ImportKind): Promise<MappingFile> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ImportFileError(`cannot read mapping file ${path}: ${code === 'ENOENT' ? 'no such file' : (code ?? 'error')}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8').replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new ImportFileError(`mapping file ${path} is not JSON: ${(error as Error).message}`);
  }
  try {
    return { mapping: parseImportMapping(json, kind), fileName: basename(path), sha256: createHash('sha256').update(bytes).digest('hex') };
  } catch (error) {
    if (error instanceof MappingError) throw new ImportFileError(`mapping file ${path}: ${error.message}`);
    throw error;
  }
}

/** Policy batches in flight at once when the caller does not say (docs/architecture.md#imports). */
export const DEFAULT_IMPORT_CONCURRENCY = 3;

/** How each file is validated, keyed, prepared and written. */
interface FileKind<T, P extends PendingRow<T>> {
  validate: (values: Record<string, string>) => RowCheck<T>;
  key: (record: T) => string;
  /** The pure work on a batch (hashes, masks, encryption), done before its transaction. */
  prepare: (db: Knex, cipher: PiiCipher, rows: readonly PendingRow<T>[]) => Promise<P[]>;
  write: (trx: Knex.Transaction, cipher: PiiCipher, runId: number, rows: readonly P[]) => Promise<BatchOutcome>;
  /**
   * The keys of the rows a batch shares with other batches of the file (a policy's holder): batches
   * sharing none may be written at once, a batch sharing one waits for the earlier batch to commit.
   * Absent: the kind's batches are written one at a time.
   */
  sharedKey?: (row: P) => string;
}

const erased = <T, P extends PendingRow<T>>(kind: FileKind<T, P>) => kind as unknown as FileKind<unknown, PendingRow<unknown>>;

const KINDS: Record<ImportKind, FileKind<unknown, PendingRow<unknown>>> = {
  policies: erased({ validate: validatePolicyRow, key: (r) => r.policyNo, prepare: preparePolicies, write: writePolicies, sharedKey: (p) => p.customerKey }),
  // A team takes its branch and leader from the first of its agents in the file: agents go in file order.
  agents: erased({ validate: validateAgentRow, key: (r: AgentRecord) => r.code, prepare: prepareAgents, write: writeAgents }),
  products: erased({
    validate: validateProductRow,
    key: (r: ProductRecord) => r.code,
    prepare: (_db, _cipher, rows: readonly PendingRow<ProductRecord>[]) => Promise.resolve([...rows]),
    write: (trx, _cipher, _runId, rows) => writeProducts(trx, rows),
  }),
};

/** A batch being written: its holders (or other shared keys), and a promise that settles when it has. */
interface InFlight {
  keys: ReadonlySet<string>;
  done: Promise<void>;
}

function shares(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  for (const key of small) if (large.has(key)) return true;
  return false;
}

/**
 * Imports one file (docs/business-rules.md#import-files): streamed, every row validated, valid rows written
 * in batches (each policy with all its parts in one transaction, never half), bad rows reported by
 * row number, key, column and reason, and the run recorded in import_runs. With a mapping file, the
 * header is renamed and codes replaced before validation; built-in aliases are accepted either way
 * (domain/import-aliases.ts). After policies or agents, contact-quality flags are recomputed. A policy number (agent,
 * product code) seen twice keeps its first row; the later one is reported. Throws ImportFileError
 * when the file as a whole cannot be read (missing, empty, header not as expected).
 *
 * How it is fast (docs/architecture.md#imports): a batch is hashed and encrypted before its transaction, while
 * earlier batches write; policy batches that share no holder are written at once (`concurrency`), a batch
 * sharing a holder with one in flight waits for it; one import runs at a time on the database.
 */
export async function importFile(db: Knex, cipher: PiiCipher, kind: ImportKind, path: string, options: ImportOptions = {}): Promise<ImportReport> {
  const batchSize = Math.max(1, Math.floor(options.batchSize ?? 1000));
  const spec = KINDS[kind];
  const concurrency = spec.sharedKey ? Math.max(1, Math.min(Math.floor(options.concurrency ?? DEFAULT_IMPORT_CONCURRENCY), batchConnections(db))) : 1;
  const keyColumn = KEY_COLUMN_OF[kind];
  const mapping = options.mapping?.mapping;
  const file = new CsvFile(path, COLUMNS_OF[kind], { optional: OPTIONAL_COLUMNS_OF[kind], mapping });
  const runId = await startImportRun(db, { kind, fileName: basename(path), mapping: options.mapping });
  const report: ImportReport = { kind, file: path, encoding: 'utf-8', rows: 0, inserted: 0, updated: 0, unchanged: 0, rejected: [] };
  const firstRowOf = new Map<string, number>();
  const reject = (row: number, key: string | null, problem: { column: string; reason: string }) => report.rejected.push({ row, key, ...problem });

  // Batches are prepared in file order while earlier ones write; a failed write is kept, not left unhandled, and stops the import.
  const inFlight = new Set<InFlight>();
  let writeFailure: Error | undefined;
  // Progress: the rows read when each batch was cut, and which batches are written (reported up to the first gap).
  const cutAt: number[] = [];
  const written: boolean[] = [];
  let writtenPrefix = 0;
  const tally = (batchNo: number, keys: ReadonlyMap<number, string>) => (result: BatchResult) => {
    report.inserted += result.inserted;
    report.updated += result.updated;
    report.unchanged += result.unchanged;
    for (const { row, column, reason } of result.rejected) reject(row, keys.get(row) ?? null, { column, reason });
    written[batchNo] = true;
    while (written[writtenPrefix]) writtenPrefix += 1;
    options.onProgress?.(cutAt[writtenPrefix - 1] ?? 0);
  };
  const stopIfFailed = () => {
    if (writeFailure !== undefined) throw writeFailure;
  };
  const settle = async () => {
    await Promise.all([...inFlight].map((f) => f.done));
    stopIfFailed();
  };
  const flush = async (batch: PendingRow<unknown>[]) => {
    stopIfFailed();
    if (batch.length === 0) return;
    const batchNo = cutAt.length;
    cutAt.push(report.rows);
    const keys = new Map(batch.map((p) => [p.rowNo, spec.key(p.record)]));
    const prepared = await spec.prepare(db, cipher, batch);
    const shared = new Set(spec.sharedKey ? prepared.map(spec.sharedKey) : []);
    // Room for one more batch, and none in flight shares a holder with this one (it would decide against a stale holder).
    for (;;) {
      stopIfFailed();
      const sharing = [...inFlight].filter((f) => shares(f.keys, shared));
      if (sharing.length === 0 && inFlight.size < concurrency) break;
      await Promise.race((sharing.length > 0 ? sharing : [...inFlight]).map((f) => f.done));
    }
    const entry: InFlight = {
      keys: shared,
      done: writeInBatch(db, prepared, (trx, rows) => spec.write(trx, cipher, runId, rows))
        .then(tally(batchNo, keys), (error: unknown) => {
          writeFailure ??= error instanceof Error ? error : new Error(String(error));
        })
        .finally(() => inFlight.delete(entry)),
    };
    inFlight.add(entry);
  };

  await withImportLock(db, async () => {
    try {
      let batch: PendingRow<unknown>[] = [];
      for await (const row of file.rows()) {
        report.rows += 1;
        const values = mapCodes(mapping, row.values);
        if (row.problem) {
          reject(row.rowNo, rowKey(values[keyColumn]), { column: '(row)', reason: row.problem });
          continue;
        }
        const checked = spec.validate(values);
        if (!checked.ok) {
          for (const e of checked.errors) reject(row.rowNo, rowKey(values[keyColumn]), e);
          continue;
        }
        const key = spec.key(checked.record);
        const first = firstRowOf.get(key);
        if (first !== undefined) {
          reject(row.rowNo, key, { column: keyColumn, reason: `${keyColumn} repeats row ${first}: only the first is imported` });
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
      await settle();
    } catch (error) {
      await Promise.allSettled([...inFlight].map((f) => f.done));
      await failImportRun(db, runId, error instanceof ImportFileError ? error.message : `import stopped: ${describe(error)}`);
      throw error;
    }

    report.encoding = file.encoding;
    report.rejected.sort(byRow);
    options.onProgress?.(report.rows);
    // An ordinary commit: it also waits for the WAL of the batches before it (written without waiting for it).
    await finishImportRun(db, runId, { ...report, sha256: file.sha256 });
  });
  // The same refresh as `renewals contacts check-quality`, after the run is recorded: a failure here leaves the import in.
  if (kind !== 'products') report.contactFlags = await refreshContactFlags(db);
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
