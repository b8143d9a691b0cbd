import type { Command } from '@commander-js/extra-typings';
import { Presets, SingleBar } from 'cli-progress';
import { DEFAULT_ROTATION_BATCH, rotateDataKeys, type RotationReport } from '../../application/key-rotation';
import { keyStatus } from '../../application/key-status';
import { cipherFor, configuredCipher, withDatabase } from '../context';
import { CliError } from '../errors';
import { printRecord, printRows } from '../output';

/** Exit code of a rotation that left rows under an old key (unreadable or duplicated rows, named). */
export const EXIT_ROWS_LEFT = 3;

export function registerKeyCommands(program: Command): void {
  const keys = program.command('keys').description('the data keys personal data is encrypted under (RENEWALS_DATA_KEY, RENEWALS_DATA_KEYS_PREVIOUS)');

  keys
    .command('rotate')
    .description('re-encrypt every encrypted column and recompute the keyed hashes under RENEWALS_DATA_KEY, in batches; run again after an interruption, it resumes')
    .option('--batch-size <rows>', 'rows re-encrypted per transaction', String(DEFAULT_ROTATION_BATCH))
    .option('--json', 'print the summary as JSON')
    .action(async (options) => {
      const batchSize = Number(options.batchSize);
      if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) throw new CliError(`--batch-size must be a whole number from 1 to 10000, got "${options.batchSize}"`, 2);
      const report = await withDatabase(async (db) => {
        const cipher = await cipherFor(db);
        // For a person at a terminal only: a script reads the summary.
        const bar = process.stderr.isTTY ? new SingleBar({ stream: process.stderr, format: 'rotating [{bar}] {percentage}% | {value}/{total} rows | {duration}s' }, Presets.shades_classic) : undefined;
        let started = false;
        try {
          return await rotateDataKeys(db, cipher, {
            batchSize,
            onProgress: (done, total) => {
              if (!bar) return;
              if (started) bar.update(done);
              else bar.start(Math.max(total, 1), done);
              started = true;
            },
          });
        } finally {
          bar?.stop();
        }
      });
      printRotation(report, options);
      if (report.remaining > 0) {
        throw new CliError(`${report.remaining} row(s) are not under key ${report.currentKeyId} yet; the previous keys are still needed (see \`renewals keys status\`)`, EXIT_ROWS_LEFT);
      }
    });

  keys
    .command('status')
    .description('how many values are under which key id, and the keys the database knows (changes nothing)')
    .option('--json', 'print the status as JSON')
    .action(async (options) => {
      const status = await withDatabase((db) => keyStatus(db, configuredCipher()));
      if (options.json) {
        printRecord({ ...status }, options);
        return;
      }
      printRecord(
        {
          configuredKey: status.configuredKeyId,
          previousKeys: status.previousKeyIds.join(', ') || '(none)',
          databaseKey: status.databaseKeyId ?? '(none registered yet)',
          valuesToRotate: status.toRotate,
          staleImportFingerprints: status.staleFingerprints,
        },
        options,
      );
      process.stdout.write('\n');
      printRows(
        status.keys,
        [
          { header: 'key id', value: (k) => k.keyId },
          { header: 'state', value: (k) => k.state },
          { header: 'values', value: (k) => k.values },
          { header: 'registered', value: (k) => k.registeredAt },
          { header: 'retired', value: (k) => k.retiredAt },
        ],
        options,
      );
      process.stdout.write('\n');
      printRows(
        status.columns,
        [
          { header: 'table', value: (c) => c.table },
          { header: 'column', value: (c) => c.column },
          { header: 'key id', value: (c) => c.keyId },
          { header: 'values', value: (c) => c.values },
        ],
        options,
      );
    });
}

function printRotation(report: RotationReport, options: { json?: boolean }): void {
  if (options.json) {
    printRecord({ ...report }, options);
    return;
  }
  const sum = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);
  printRecord(
    {
      currentKey: report.currentKeyId,
      rowsFound: sum(report.found),
      rowsRotated: sum(report.rotated),
      byTable: Object.entries(report.rotated)
        .map(([table, n]) => `${table} ${n}`)
        .join(', '),
      rowsSkipped: report.skipped.length,
      importFingerprintsDropped: report.fingerprintsDropped,
      keysRetired: report.retired.join(', ') || '(none)',
      rowsRemaining: report.remaining,
    },
    options,
  );
  for (const row of report.skipped.slice(0, 20)) process.stdout.write(`skipped: ${row.why}\n`);
  if (report.skipped.length > 20) process.stdout.write(`skipped: … and ${report.skipped.length - 20} more\n`);
}
