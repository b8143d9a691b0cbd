import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Command } from '@commander-js/extra-typings';
import { Presets, SingleBar } from 'cli-progress';
import { DEFAULT_IMPORT_CONCURRENCY, importFile, ImportFileError, readMappingFile, type ImportReport } from '../../application/import-files';
import { IMPORT_KINDS, KEY_COLUMN_OF, type ImportKind } from '../../domain/import-columns';
import { cipherFor, withDatabase } from '../context';
import { CliError } from '../errors';
import { printRecord, printRows } from '../output';

/** Exit code when the file was imported but some rows were rejected (the valid ones are in). */
export const EXIT_ROWS_REJECTED = 3;

/** A progress bar is worth drawing only for files that take a while. */
const PROGRESS_FROM_BYTES = 2_000_000;

const FILE_ORDER: Record<ImportKind, string> = {
  products: 'products.csv: product_code, name, grace_days, reinstatement_years, plan_code',
  agents: 'agents.csv: agent_code, name, mobile, team_code, branch_code, status, leader_code',
  policies: 'policies.csv (import products and agents first)',
};

export function registerImportCommands(program: Command): void {
  const command = program
    .command('import')
    .description('import policies.csv, agents.csv or products.csv (UTF-8 with or without BOM, or GBK); re-importing a file changes nothing');

  for (const kind of IMPORT_KINDS) {
    command
      .command(kind)
      .description(`import ${FILE_ORDER[kind]}; exit 0 all rows imported, ${EXIT_ROWS_REJECTED} some rows rejected, 1 file unreadable`)
      .argument('<file>', `the ${kind} CSV file`)
      .option('--json', 'print the report as JSON')
      .option('--batch-size <rows>', 'rows written per transaction', '1000')
      .option('--concurrency <batches>', 'policy batches written at once (docs/architecture.md#imports)', String(DEFAULT_IMPORT_CONCURRENCY))
      .option('--mapping <file.json>', "a mapping file: the core system's column names and codes → ours (docs/business-rules.md#mapping-file)")
      .action(async (file, options) => {
        const batchSize = Number(options.batchSize);
        if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 20_000) {
          throw new CliError(`--batch-size must be a whole number from 1 to 20000, got "${options.batchSize}"`, 2);
        }
        const concurrency = Number(options.concurrency);
        if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 16) {
          throw new CliError(`--concurrency must be a whole number from 1 to 16, got "${options.concurrency}"`, 2);
        }
        // Checked before the database is touched: a bad mapping file is one line naming the key at fault.
        const mapping = options.mapping === undefined ? undefined : await readMappingFile(options.mapping, kind).catch(toCliError);
        const report = await withDatabase((db) => runImport(db, kind, file, { batchSize, concurrency }, mapping));
        printReport(report, options);
        if (report.rejected.length > 0) {
          const rows = new Set(report.rejected.map((r) => r.row)).size;
          throw new CliError(`${rows} row${rows === 1 ? '' : 's'} rejected; the other rows were imported`, EXIT_ROWS_REJECTED);
        }
      });
  }
}

function toCliError(error: unknown): never {
  if (error instanceof ImportFileError) throw new CliError(error.message, 1);
  throw error;
}

async function runImport(
  db: Parameters<typeof importFile>[0],
  kind: ImportKind,
  file: string,
  { batchSize, concurrency }: { batchSize: number; concurrency: number },
  mapping: Awaited<ReturnType<typeof readMappingFile>> | undefined,
): Promise<ImportReport> {
  // Agents and policies are matched by keyed hash: not while a key rotation is under way.
  const cipher = await cipherFor(db, kind === 'products' ? 'decrypt' : 'index');
  const bar = await progressBar(file);
  try {
    return await importFile(db, cipher, kind, file, { batchSize, concurrency, mapping, onProgress: (rows) => bar?.update(Math.min(rows, bar.getTotal())) });
  } catch (error) {
    return toCliError(error);
  } finally {
    bar?.stop();
  }
}

/** Only for a person at a terminal and a long file: rows are counted first (a fast pass over the bytes). */
async function progressBar(file: string): Promise<SingleBar | undefined> {
  if (!process.stderr.isTTY) return undefined;
  const size = await stat(file).then(
    (s) => s.size,
    () => 0,
  );
  if (size < PROGRESS_FROM_BYTES) return undefined;
  let lines = 0;
  for await (const chunk of createReadStream(file)) {
    for (const byte of chunk as Buffer) if (byte === 0x0a) lines += 1;
  }
  const bar = new SingleBar({ stream: process.stderr, format: 'importing [{bar}] {percentage}% | {value}/{total} rows | {duration}s' }, Presets.shades_classic);
  bar.start(Math.max(lines - 1, 1), 0);
  return bar;
}

function printReport(report: ImportReport, options: { json?: boolean }): void {
  if (options.json) {
    printRecord({ ...report }, options);
    return;
  }
  const { rejected, contactFlags, ...counts } = report;
  const flags = contactFlags ? { contactPointsFlagged: contactFlags.flagged, contactPointsCleared: contactFlags.cleared } : {};
  printRecord({ ...counts, rejectedRows: new Set(rejected.map((r) => r.row)).size, ...flags }, options);
  if (rejected.length === 0) return;
  process.stdout.write('\nrejected rows:\n');
  printRows(
    rejected,
    [
      { header: 'row', value: (r) => r.row },
      { header: KEY_COLUMN_OF[report.kind], value: (r) => r.key ?? '' },
      { header: 'column', value: (r) => r.column },
      { header: 'reason', value: (r) => r.reason },
    ],
    options,
  );
}
